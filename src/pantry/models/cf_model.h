// The collaborative-filtering model of the workshop: a factorization
// machine over one-hot customer_id, is_married, state (customer side),
// one-hot product_id and the TF-IDF of product_name (product side), with
// the encoders it was trained with. Rows come from the caller (the CLI runs
// the feature store query); models/ does not know where they came from.
//
// Feature layout: [customer one-hot | product_id one-hot | TF-IDF terms],
// so the customer/product split needed by FmCatalogIndex is a column range.
// Saved as <dir>/cf.fm (FmModel format) and <dir>/encoders.json.
#ifndef PANTRY_MODELS_CF_MODEL_H_
#define PANTRY_MODELS_CF_MODEL_H_

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/common/status.h"
#include "pantry/models/fm_model.h"
#include "pantry/models/fm_retrieval.h"
#include "pantry/models/fm_trainer.h"
#include "pantry/models/one_hot_encoder.h"
#include "pantry/models/tfidf_vectorizer.h"

namespace pantry::models {

// One training row of the workshop's CF query (bought = 1 rows).
struct CfExample {
  std::string customer_id;
  std::string is_married;
  std::string state;
  std::string product_id;
  std::string product_name;
  float rating = 0;
};

struct CfTrainOptions {
  // regressor on rating (the workshop) or binary_classifier on bought
  FmHyperparameters hyperparameters;
  double test_fraction = 0.2;
  uint64_t split_seed = 42;
  FmTrainOptions fm;  // callbacks; the validation set is the test split
  // Implicit feedback: when > 0, every example is a positive (target 1) and
  // this many negatives (target 0) per positive are sampled uniformly from
  // the catalog below, for the same customer; use with a binary_classifier.
  int negatives_per_positive = 0;
  std::span<const std::string> catalog_ids;
  std::span<const std::string> catalog_names;
};

class CfModel {
 public:
  // Fits the encoders (TF-IDF with min_df = 2 on the distinct product names)
  // and the FM on a shuffled (1 - test_fraction) split; the rest is the test
  // set, reported per epoch. `metrics` gets train/test RMSE and sizes.
  // Errors: no examples, and those of TrainFm (NaN ratings, ...).
  static StatusOr<CfModel> Train(std::span<const CfExample> examples, const CfTrainOptions& options,
                                 Json* metrics);

  static StatusOr<CfModel> Load(const std::filesystem::path& dir);
  Status Save(const std::filesystem::path& dir) const;

  const FmModel& fm() const { return fm_; }
  const OneHotEncoder& customer_encoder() const { return customer_encoder_; }
  const OneHotEncoder& product_encoder() const { return product_encoder_; }
  const TfidfVectorizer& tfidf() const { return tfidf_; }

  // Customer-side features (unknown values are ignored).
  void EncodeCustomer(const std::string& customer_id, const std::string& is_married,
                      const std::string& state, std::vector<uint32_t>* indices,
                      std::vector<float>* values) const;
  // Product-side features (an unknown product id still gets its name terms).
  void EncodeProduct(const std::string& product_id, const std::string& product_name,
                     std::vector<uint32_t>* indices, std::vector<float>* values) const;
  // Full rows for the examples (customer then product features).
  CsrMatrix Encode(std::span<const CfExample> examples) const;

  // Precomputes the retrieval index over a catalog (ids and names in the
  // same order; the index's product numbers are positions in these).
  StatusOr<FmCatalogIndex> BuildCatalogIndex(std::span<const std::string> product_ids,
                                             std::span<const std::string> product_names) const;

 private:
  uint32_t product_offset() const { return static_cast<uint32_t>(customer_encoder_.output_dim()); }
  uint32_t tfidf_offset() const {
    return product_offset() + static_cast<uint32_t>(product_encoder_.output_dim());
  }

  OneHotEncoder customer_encoder_;
  OneHotEncoder product_encoder_;
  TfidfVectorizer tfidf_;
  FmModel fm_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_CF_MODEL_H_
