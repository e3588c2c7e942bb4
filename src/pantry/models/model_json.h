// JSON forms of the models' parts, as stored in their files: the FM file
// header's hyperparameters, the encoders of encoders.json, the ranker
// parameters of the training metrics. The models' JSON adapter: used by the
// Save/Load of FmModel, CfModel and RankModel, their tests, and by workshop/
// for metrics.json; the other public headers of models/ expose the parts' own
// types, and the JSON layout is a detail of the file formats.
#ifndef PANTRY_MODELS_MODEL_JSON_H_
#define PANTRY_MODELS_MODEL_JSON_H_

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/models/fm_hyperparameters.h"
#include "pantry/models/one_hot_encoder.h"
#include "pantry/models/ranker.h"
#include "pantry/models/tfidf_vectorizer.h"

namespace pantry::models {

// A class rather than free functions so that the encoders can grant it
// access to their fitted state (friend) without exposing it publicly.
class ModelJson {
 public:
  // Numbers as JSON numbers, the seed as a string (64 bits do not fit a
  // double), the enums by name.
  static Json ToJson(const FmHyperparameters& hyperparameters);
  // Accepts numbers or their text forms; the result is validated. Errors
  // name the offending hyperparameter.
  static StatusOr<FmHyperparameters> HyperparametersFromJson(const Json& json);

  static Json ToJson(const RankerParams& params);

  // {"type": "one_hot", "handle_unknown": "ignore", "columns": [{"name",
  // "numeric", "categories"}]}.
  static Json ToJson(const OneHotEncoder& encoder);
  // Errors: another type, missing or mistyped fields, no columns.
  static StatusOr<OneHotEncoder> OneHotEncoderFromJson(const Json& json);

  // {"type": "tfidf", "min_df", "vocabulary", "idf", and sklearn's settings
  // for the reader's information}.
  static Json ToJson(const TfidfVectorizer& vectorizer);
  // Errors: another type, vocabulary and idf of different lengths or types.
  static StatusOr<TfidfVectorizer> TfidfVectorizerFromJson(const Json& json);
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_MODEL_JSON_H_
