// The fixed vocabulary of the synthetic grocer: the AWS workshop's 20 product
// categories with their health indexes, per-category name vocabularies, US
// states and person names.
#ifndef PANTRY_DATAGEN_CATALOG_H_
#define PANTRY_DATAGEN_CATALOG_H_

#include <span>
#include <string>
#include <string_view>

#include "pantry/datagen/rng.h"

namespace pantry::datagen {

struct CategoryInfo {
  std::string_view name;
  double health_index;  // the workshop's products.csv value for the category
  double share;         // relative number of products (the workshop's counts)
  double base_price;    // typical purchase amount in dollars
};

inline constexpr int kNumCategories = 20;

// In a fixed order; a category's index is its position here.
std::span<const CategoryInfo> Categories();
// Index of a category name, or -1.
int CategoryIndex(std::string_view name);

// The 50 US states, lower-case as in the workshop's customers.csv.
std::span<const std::string_view> States();

// A product name for category `category`: brand, optional shared words
// ("organic", "vanilla", ...), flavour, form and size, lower-case.
std::string MakeProductName(Rng& rng, int category);

// "first last", lower-case.
std::string MakePersonName(Rng& rng);

}  // namespace pantry::datagen

#endif  // PANTRY_DATAGEN_CATALOG_H_
