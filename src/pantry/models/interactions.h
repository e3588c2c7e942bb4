// Implicit feedback for the retrieval models: a stream of (customer,
// product, weight, time) interactions with dense integer ids, aggregated
// into a sparse customer × product matrix.
//
// Ids are dense indexes assigned by the caller (IdDictionary maps the
// string ids of the data to them), so that an interaction costs a few bytes
// whatever the id strings are, and training at 200k customers, 100k
// products and millions of rows stays small (docs/models.md, "Retrieval").
#ifndef PANTRY_MODELS_INTERACTIONS_H_
#define PANTRY_MODELS_INTERACTIONS_H_

#include <cstdint>
#include <filesystem>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "pantry/common/status.h"

namespace pantry::models {

// One piece of evidence: `customer` bought (or viewed, ...) `product` with
// strength `weight` (> 0) at `time_micros`.
struct Interaction {
  uint32_t customer = 0;
  uint32_t product = 0;
  float weight = 1;
  int64_t time_micros = 0;
};

// String key <-> dense index, in order of first appearance. Not
// thread-safe for Intern(); const methods may run concurrently.
class IdDictionary {
 public:
  // The index of `key`, added at the end if new.
  uint32_t Intern(std::string_view key);
  std::optional<uint32_t> Find(std::string_view key) const;
  const std::string& key(uint32_t index) const { return keys_[index]; }
  uint32_t size() const { return static_cast<uint32_t>(keys_.size()); }
  std::span<const std::string> keys() const { return keys_; }

  // One key per line (keys must not contain a newline: InvalidArgument).
  Status Save(const std::filesystem::path& path) const;
  // Corruption for duplicate keys.
  static StatusOr<IdDictionary> Load(const std::filesystem::path& path);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  std::vector<std::string> keys_;
  std::unordered_map<std::string, uint32_t, Hash, std::equal_to<>> index_;
};

// Aggregated feedback: one entry per (customer, product) pair that has
// interactions, holding the summed weight, the number of interactions and
// the latest time; stored by customer (CSR, products ascending) and, for
// the training algorithms that walk products, by product. Immutable;
// thread-safe.
class InteractionMatrix {
 public:
  // Consumes interactions one at a time, in any order. Memory grows with
  // the number of distinct (customer, product) pairs, not with the number of
  // interactions: the buffer is sorted and merged whenever it doubles.
  class Builder {
   public:
    // InvalidArgument for a non-finite or non-positive weight, or an id of
    // UINT32_MAX (reserved).
    Status Add(const Interaction& interaction);
    int64_t interactions() const { return interactions_; }
    // The matrix has at least `num_customers` × `num_products` (more if
    // larger ids were added).
    InteractionMatrix Build(uint32_t num_customers = 0, uint32_t num_products = 0) &&;

   private:
    struct Entry {
      uint32_t customer, product;
      float weight;
      uint32_t count;
      int64_t time;
    };
    void Compact();

    std::vector<Entry> entries_;
    size_t compacted_ = 0;  // entries_[0, compacted_) are sorted and distinct
    int64_t interactions_ = 0;
  };

  InteractionMatrix() = default;

  uint32_t num_customers() const { return num_customers_; }
  uint32_t num_products() const { return num_products_; }
  size_t nnz() const { return products_.size(); }

  // A customer's distinct products, ascending, with summed weights,
  // interaction counts and latest times (spans of equal length).
  struct Row {
    std::span<const uint32_t> items;
    std::span<const float> weights;
    std::span<const uint32_t> counts;
    std::span<const int64_t> times;
  };
  Row customer(uint32_t c) const;

  // A product's distinct customers, ascending, with summed weights.
  std::span<const uint32_t> product_customers(uint32_t p) const;
  std::span<const float> product_weights(uint32_t p) const;

 private:
  uint32_t num_customers_ = 0, num_products_ = 0;
  std::vector<uint64_t> customer_start_;  // num_customers_ + 1
  std::vector<uint32_t> products_;
  std::vector<float> weights_;
  std::vector<uint32_t> counts_;
  std::vector<int64_t> times_;
  std::vector<uint64_t> product_start_;  // num_products_ + 1
  std::vector<uint32_t> product_customers_;
  std::vector<float> product_weights_;
};

inline constexpr uint32_t kNoId = std::numeric_limits<uint32_t>::max();

}  // namespace pantry::models

#endif  // PANTRY_MODELS_INTERACTIONS_H_
