// BlendModel: a published version of models/retrieval (the blended
// candidate retrieval of `pantry train cf --method blend`, see
// workshop/retrieval_training.h) as the recommender serves it: the blend
// and the dictionaries that map its dense customer and product indexes to
// the feature store's ids.
#ifndef PANTRY_RECOMMEND_BLEND_MODEL_H_
#define PANTRY_RECOMMEND_BLEND_MODEL_H_

#include <filesystem>
#include <memory>

#include "pantry/common/status.h"
#include "pantry/models/blend.h"
#include "pantry/models/interactions.h"

namespace pantry::recommend {

// The model kind under <home>/models/ (models/model_store.h).
inline constexpr const char* kBlendModelKind = "retrieval";

// Immutable once loaded; thread-safe.
struct BlendModel {
  std::unique_ptr<const models::BlendedRetriever> blend;
  models::IdDictionary customers;  // index -> customer_id, as trained
  models::IdDictionary products;   // index -> product_id, as trained
};

// Loads <dir>/blend/, <dir>/customers.txt and <dir>/products.txt (a version
// directory of models/retrieval). NotFound for missing files, Corruption
// when the product dictionary does not match the blend's catalog.
StatusOr<std::shared_ptr<const BlendModel>> LoadBlendModel(const std::filesystem::path& dir);

// Writes what LoadBlendModel reads into `dir` (created if missing).
Status SaveBlendModel(const std::filesystem::path& dir, const models::BlendedRetriever& blend,
                      const models::IdDictionary& customers, const models::IdDictionary& products);

}  // namespace pantry::recommend

#endif  // PANTRY_RECOMMEND_BLEND_MODEL_H_
