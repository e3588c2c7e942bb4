// Item-to-item neighbours: the cosine similarity of two products' customer
// columns in the interaction matrix,
//   sim(i, j) = Σ_u w_ui w_uj / (|w_i| |w_j| + shrinkage),
// keeping the top `neighbours` per product. A customer's candidates are the
// neighbours of their most recent purchases:
//   score(j) = Σ_{i in history} w_i sim(i, j)   (+ self_weight for i = j).
// The model keeps each training customer's `history` most recent products,
// so a known customer needs no history in the query.
#ifndef PANTRY_MODELS_ITEM_KNN_H_
#define PANTRY_MODELS_ITEM_KNN_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>

#include "pantry/common/status.h"
#include "pantry/models/interactions.h"
#include "pantry/models/retrieval.h"

namespace pantry::models {

struct ItemKnnOptions {
  int neighbours = 100;  // kept per product
  // Damps similarities resting on few shared customers (recall@100 on the
  // 10k/17k dataset: 0.055 at 0, 0.087 at 5, 0.117 at 50).
  double shrinkage = 50;
  int history = 50;  // most recent products per customer used for scoring
  // A product the customer already has scores this much on top of its
  // neighbours' votes (repeat purchases); 0 = repeats only through neighbours.
  double self_weight = 0;
  // Customers with more distinct products contribute only their most
  // recent this-many to the co-occurrence counts (bounds the cost, which is
  // Σ_u n_u², against a few huge histories).
  int max_customer_products = 500;
  int threads = 0;  // 0 = all cores
};

struct Neighbour {
  uint32_t product;
  float similarity;
};

class ItemKnnModel : public CandidateSource {
 public:
  // InvalidArgument for options out of range or an empty matrix.
  static StatusOr<std::unique_ptr<ItemKnnModel>> Train(const InteractionMatrix& matrix,
                                                       const ItemKnnOptions& options);
  // Reads <dir>/item_knn.model.
  static StatusOr<std::unique_ptr<ItemKnnModel>> Load(const std::filesystem::path& dir);

  // The product's neighbours, most similar first.
  virtual std::span<const Neighbour> Neighbours(uint32_t product) const = 0;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_ITEM_KNN_H_
