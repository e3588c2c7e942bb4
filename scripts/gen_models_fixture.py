#!/usr/bin/python3
"""Generates src/pantry/models/testdata/encoders_fixture.json once, with
Debian's python3-sklearn (apt-get install python3-sklearn; run with
/usr/bin/python3). The C++ tests compare pantry's one-hot and TF-IDF encoders
against it without needing Python.

Usage: /usr/bin/python3 scripts/gen_models_fixture.py > src/pantry/models/testdata/encoders_fixture.json
"""
import json
import sys

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import OneHotEncoder

# Invented product names: shared words, punctuation, digits, unicode letters,
# single-character tokens (dropped by the token pattern), underscores,
# repeated words within a name, and duplicates (fitting uses unique names).
FIT_NAMES = [
    "Organic Whole Milk 1L",
    "Organic Skim Milk 2L",
    "organic whole milk 1l",
    "Whole-Wheat Bread, sliced",
    "Whole wheat bread (no crust)",
    "Crème Fraîche 200g",
    "crème fraîche épaisse 200g",
    "Müsli Crunchy Müsli",
    "Jalapeño Chips: hot & spicy",
    "Jalapeño salsa hot",
    "A B C vitamin water",
    "Vitamin Water x 6",
    "Vitamin water 6-pack",
    "Ñandú eggs 12 pack",
    "eggs_free_range 12 pack",
    "eggs_free_range half dozen",
    "Tofu 豆腐 firm",
    "Soft 豆腐 silken tofu",
    "Greek yoghurt Ωmega 3",
    "Greek yoghurt plain",
    "Peanut butter; crunchy!!",
    "Peanut Butter smooth 500g",
    "Apple juice 100% pure",
    "Apple juice, cloudy 1L",
    "Banana",
    "Bananas (bunch of 5)",
    "Ice cream: vanilla/chocolate",
    "ice-cream vanilla 2L",
    "Water",
    "water",
    "Olive oil extra-virgin 500ml",
    "olive oil light 1L",
    "São Paulo coffee beans",
    "coffee beans decaf 1kg",
    "Rice 5kg basmati",
    "basmati rice 1kg",
    "Brown rice 1kg",
    "Organic Whole Milk 1L",
]

TRANSFORM_NAMES = [
    "Organic whole milk 1L",
    "Unseen product entirely",
    "CRÈME FRAÎCHE crème",
    "vitamin vitamin vitamin water",
    "a",
    "",
    "Tofu tofu 豆腐 beans rice 1kg 1KG",
    "Müsli: the müsli; MÜSLI",
    "eggs_free_range pack 12 12 12",
]

ONE_HOT_FIT = [
    ["C1", "0", "Texas"],
    ["C2", "1", "Ohio"],
    ["C10", "1", "Texas"],
    ["C3", "0", "New York"],
    ["C2", "1", "Ohio"],
    ["Ç4", "0", "Ohio"],
]
ONE_HOT_NUMERIC_COLUMNS = [1]  # is_married is an integer column
ONE_HOT_TRANSFORM = [
    ["C2", "0", "Ohio"],
    ["C99", "1", "Texas"],
    ["C10", "7", "Nowhere"],
    ["Ç4", "1", "New York"],
]


def csr_json(m):
    m = m.tocsr()
    m.sort_indices()
    return {
        "rows": int(m.shape[0]),
        "cols": int(m.shape[1]),
        "indptr": [int(x) for x in m.indptr],
        "indices": [int(x) for x in m.indices],
        "data": [float(x) for x in m.data],
    }


def main():
    unique_names = sorted(set(FIT_NAMES))
    tfidf = TfidfVectorizer(min_df=2)
    tfidf.fit(unique_names)
    vocab = sorted(tfidf.vocabulary_, key=lambda t: tfidf.vocabulary_[t])

    def typed(rows):
        return [[int(v) if j in ONE_HOT_NUMERIC_COLUMNS else v
                 for j, v in enumerate(r)] for r in rows]

    fit_arr = np.array(typed(ONE_HOT_FIT), dtype=object)
    ohe = OneHotEncoder(handle_unknown="ignore")
    ohe.fit(fit_arr)
    out = {
        "generator": "scripts/gen_models_fixture.py",
        "sklearn_version": sklearn.__version__,
        "tfidf": {
            "fit_names": FIT_NAMES,
            "min_df": 2,
            "vocabulary": vocab,
            "idf": [float(x) for x in tfidf.idf_],
            "transform_names": TRANSFORM_NAMES,
            "transformed": csr_json(tfidf.transform(TRANSFORM_NAMES)),
        },
        "one_hot": {
            "fit_rows": ONE_HOT_FIT,
            "numeric_columns": ONE_HOT_NUMERIC_COLUMNS,
            "categories": [[str(c) for c in cats] for cats in ohe.categories_],
            "transform_rows": ONE_HOT_TRANSFORM,
            "transformed": csr_json(
                ohe.transform(np.array(typed(ONE_HOT_TRANSFORM), dtype=object))),
        },
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
