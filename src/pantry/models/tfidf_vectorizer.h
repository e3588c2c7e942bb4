// TF-IDF over short texts (product names), matching sklearn's
// TfidfVectorizer with its defaults (lowercase=True, token_pattern
// r"(?u)\b\w\w+\b", norm='l2', use_idf=True, smooth_idf=True,
// sublinear_tf=False) and a configurable min_df (the workshop uses 2).
//
// Tokenisation: the text is decoded as UTF-8, lowercased per code point, and
// split into maximal runs of word characters (Unicode letters and digits, as
// classified by the C.UTF-8 locale, plus '_'); runs of at least two code
// points are tokens. Known differences from Python: case mappings that change
// the length of a string (e.g. 'İ' -> 'i̇') and the context-dependent final
// sigma are mapped one code point at a time; invalid UTF-8 bytes separate
// tokens.
#ifndef PANTRY_MODELS_TFIDF_VECTORIZER_H_
#define PANTRY_MODELS_TFIDF_VECTORIZER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/sparse.h"

namespace pantry::models {

class ModelJson;

// Immutable once fitted or loaded; const methods are thread-safe.
class TfidfVectorizer {
 public:
  TfidfVectorizer() = default;

  // Lowercased tokens of `text`, in order (with repeats).
  static std::vector<std::string> Tokenize(std::string_view text);

  // Fits on the distinct texts of `texts` (duplicates are counted once, as
  // the workshop fits on unique product names). Terms in fewer than
  // `min_df` distinct texts are dropped; the vocabulary is sorted by code
  // point, as sklearn's. idf = ln((1 + n) / (1 + df)) + 1.
  // Errors: min_df < 1, or an empty vocabulary (sklearn raises too).
  static StatusOr<TfidfVectorizer> Fit(std::span<const std::string> texts, int min_df = 2);

  size_t vocabulary_size() const { return vocabulary_.size(); }
  const std::vector<std::string>& vocabulary() const { return vocabulary_; }
  const std::vector<double>& idf() const { return idf_; }
  std::optional<uint32_t> TermIndex(std::string_view term) const;

  // Appends the sorted (term index, tf-idf weight) pairs of one text; the
  // weights have unit L2 norm, or there are none if no token is known.
  void EncodeText(std::string_view text, std::vector<uint32_t>* indices,
                  std::vector<float>* values) const;

  // One CSR row per text, vocabulary_size() columns.
  CsrMatrix Transform(std::span<const std::string> texts) const;

 private:
  friend class ModelJson;  // the JSON form stored with a model (model_json.h)

  void BuildIndex();

  int min_df_ = 2;
  std::vector<std::string> vocabulary_;
  std::vector<double> idf_;
  std::unordered_map<std::string, uint32_t> index_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_TFIDF_VECTORIZER_H_
