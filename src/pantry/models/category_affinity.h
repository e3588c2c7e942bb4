// A customer's affinity to a product category, the ranking feature
// customer_category_affinity (models/rank_features.h): from per-customer
// purchase counts per category, the log of the customer's smoothed share of
// purchases in the category over the category's overall share,
//
//   a(c, k) = log((n_ck + α p_k) / (n_c + α)) − log p_k,
//   p_k = (n_k + 1) / (n + K),  α = prior_strength,
//
// so 0 for a customer without purchases (or an unknown customer or
// category), positive for categories the customer buys more than others do.
// The generator's customers draw each purchase's category from their own
// P(k | c) (docs/datagen.md), which this estimates. The table is saved with
// the ranking model (category_affinity.tsv), so the server looks up exactly
// what training used.
#ifndef PANTRY_MODELS_CATEGORY_AFFINITY_H_
#define PANTRY_MODELS_CATEGORY_AFFINITY_H_

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::models {

inline constexpr double kDefaultAffinityPrior = 5.0;

// Immutable once built; thread-safe.
class CategoryAffinity {
 public:
  // `counts` is customers.size() × categories.size(), row-major: purchases
  // of each customer in each category. InvalidArgument for a size mismatch,
  // duplicate ids, no categories or a prior_strength <= 0.
  static StatusOr<CategoryAffinity> Build(std::vector<std::string> customers,
                                          std::vector<std::string> categories,
                                          std::vector<uint32_t> counts,
                                          double prior_strength = kDefaultAffinityPrior);

  // The customer's row, or -1 for a customer without purchases here.
  int64_t FindCustomer(std::string_view customer_id) const;
  // The category's column, or -1.
  int32_t FindCategory(std::string_view category) const;
  // a(c, k) for a row and column from the Find calls (either may be -1).
  float Value(int64_t customer_row, int32_t category) const;
  float Value(std::string_view customer_id, std::string_view category) const {
    return Value(FindCustomer(customer_id), FindCategory(category));
  }

  size_t num_customers() const { return customers_.size(); }
  const std::vector<std::string>& categories() const { return categories_; }

  // A text table: a header line, then one line of counts per customer.
  Status Save(const std::filesystem::path& path) const;
  // Corruption for a malformed file (with its path and line).
  static StatusOr<CategoryAffinity> Load(const std::filesystem::path& path);

 private:
  std::vector<std::string> customers_;
  std::vector<std::string> categories_;
  std::vector<uint32_t> counts_;
  std::vector<uint32_t> customer_totals_;
  std::vector<double> log_share_;  // log p_k
  std::vector<double> share_;      // p_k
  double prior_strength_ = kDefaultAffinityPrior;
  std::unordered_map<std::string, int64_t> customer_rows_;
  std::unordered_map<std::string, int32_t> category_columns_;
};

}  // namespace pantry::models

#endif  // PANTRY_MODELS_CATEGORY_AFFINITY_H_
