#include "pantry/recommend/blend_model.h"

#include <string>

namespace pantry::recommend {

StatusOr<std::shared_ptr<const BlendModel>> LoadBlendModel(const std::filesystem::path& dir) {
  auto model = std::make_shared<BlendModel>();
  ASSIGN_OR_RETURN(auto blend, models::BlendedRetriever::Load(dir / "blend"));
  ASSIGN_OR_RETURN(model->customers, models::IdDictionary::Load(dir / "customers.txt"));
  ASSIGN_OR_RETURN(model->products, models::IdDictionary::Load(dir / "products.txt"));
  if (model->products.size() != blend->num_products()) {
    return CorruptionError("retrieval model " + dir.string() + ": products.txt has " +
                           std::to_string(model->products.size()) + " ids but the blend has " +
                           std::to_string(blend->num_products()) + " products");
  }
  model->blend = std::move(blend);
  return std::shared_ptr<const BlendModel>(std::move(model));
}

Status SaveBlendModel(const std::filesystem::path& dir, const models::BlendedRetriever& blend,
                      const models::IdDictionary& customers, const models::IdDictionary& products) {
  RETURN_IF_ERROR(blend.Save(dir / "blend"));
  RETURN_IF_ERROR(customers.Save(dir / "customers.txt"));
  return products.Save(dir / "products.txt");
}

}  // namespace pantry::recommend
