// Popularity, plain or category-aware, with a profile back-off for
// customers without history.
//
// Category-aware, a product's score for a query is
//   θ_{k(p)} × P(p | k(p)),   P(p | k) = (W_p + β) / (W_k + β n_k)
// where W is summed interaction weight, n_k the products of category k,
// and θ the query's category mix, estimated with Dirichlet back-off
// (pseudo-counts m_c, m_s):
//   global   G_k     = W_k / W
//   segment  S_{s,k} = (W_{s,k} + m_s G_k) / (W_s + m_s)
//   customer θ_k     = (W_{c,k} + m_c S_{s(c),k}) / (W_c + m_c)
// A customer with no history gets their segment's mix (cold start: "what
// customers of the same profile buy"), one without a segment the global
// mix. Plain popularity ranks by W_p alone, the same for everyone.
#ifndef PANTRY_MODELS_POPULARITY_H_
#define PANTRY_MODELS_POPULARITY_H_

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/models/interactions.h"
#include "pantry/models/retrieval.h"

namespace pantry::models {

struct PopularityOptions {
  bool category_aware = true;
  double customer_prior = 5;   // m_c
  double segment_prior = 20;   // m_s
  double product_prior = 0.5;  // β
};

class PopularityModel : public CandidateSource {
 public:
  // `product_category`: a category index per product (size
  // matrix.num_products(); kNoId = uncategorised, grouped together), or
  // empty (one category). `customer_segment`: a segment index per customer
  // (size matrix.num_customers(); kNoId = unknown), or empty (no segments).
  // InvalidArgument for mismatched sizes, negative priors or an empty
  // matrix.
  static StatusOr<std::unique_ptr<PopularityModel>> Train(
      const InteractionMatrix& matrix, std::span<const uint32_t> product_category,
      std::span<const uint32_t> customer_segment, const PopularityOptions& options);
  // Reads <dir>/popularity.model.
  static StatusOr<std::unique_ptr<PopularityModel>> Load(const std::filesystem::path& dir);

  virtual uint32_t num_categories() const = 0;
  virtual uint32_t num_segments() const = 0;
  // The product's category index (uncategorised products share the last).
  virtual uint32_t category(uint32_t product) const = 0;
  // θ for the query (num_categories() values summing to 1): the customer's
  // category affinity, a ranking feature as well.
  virtual std::vector<float> CategoryMix(const RetrievalQuery& query) const = 0;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_POPULARITY_H_
