#include "pantry/models/interactions.h"

#include <algorithm>
#include <cmath>

#include "pantry/common/file_util.h"

namespace pantry::models {

uint32_t IdDictionary::Intern(std::string_view key) {
  auto it = index_.find(key);
  if (it != index_.end()) return it->second;
  const uint32_t id = size();
  keys_.emplace_back(key);
  index_.emplace(keys_.back(), id);
  return id;
}

std::optional<uint32_t> IdDictionary::Find(std::string_view key) const {
  auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

Status IdDictionary::Save(const std::filesystem::path& path) const {
  std::string text;
  for (const std::string& key : keys_) {
    if (key.find('\n') != std::string::npos) {
      return InvalidArgumentError("id '" + key + "' contains a newline; cannot save " +
                                  path.string());
    }
    text += key;
    text.push_back('\n');
  }
  return WriteFileAtomic(path, text);
}

StatusOr<IdDictionary> IdDictionary::Load(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFileToString(path));
  IdDictionary dictionary;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) {
      return CorruptionError(path.string() + ": last line has no newline (truncated file?)");
    }
    const std::string_view key(text.data() + start, end - start);
    if (dictionary.Find(key)) {
      return CorruptionError(path.string() + ": duplicate id '" + std::string(key) + "'");
    }
    dictionary.Intern(key);
    start = end + 1;
  }
  return dictionary;
}

Status InteractionMatrix::Builder::Add(const Interaction& x) {
  if (!std::isfinite(x.weight) || x.weight <= 0) {
    return InvalidArgumentError("interaction weight must be a finite number > 0, got " +
                                std::to_string(x.weight));
  }
  if (x.customer == kNoId || x.product == kNoId) {
    return InvalidArgumentError("interaction id UINT32_MAX is reserved");
  }
  entries_.push_back({x.customer, x.product, x.weight, 1, x.time_micros});
  ++interactions_;
  if (entries_.size() >= 2 * compacted_ + (1 << 20)) Compact();
  return Status::Ok();
}

void InteractionMatrix::Builder::Compact() {
  auto less = [](const Entry& a, const Entry& b) {
    return a.customer != b.customer ? a.customer < b.customer : a.product < b.product;
  };
  std::sort(entries_.begin() + static_cast<ptrdiff_t>(compacted_), entries_.end(), less);
  std::inplace_merge(entries_.begin(), entries_.begin() + static_cast<ptrdiff_t>(compacted_),
                     entries_.end(), less);
  size_t out = 0;
  for (size_t i = 0; i < entries_.size(); ++i) {
    if (out > 0 && entries_[out - 1].customer == entries_[i].customer &&
        entries_[out - 1].product == entries_[i].product) {
      Entry& e = entries_[out - 1];
      e.weight += entries_[i].weight;
      e.count += entries_[i].count;
      e.time = std::max(e.time, entries_[i].time);
    } else {
      entries_[out++] = entries_[i];
    }
  }
  entries_.resize(out);
  compacted_ = out;
}

InteractionMatrix InteractionMatrix::Builder::Build(uint32_t num_customers,
                                                    uint32_t num_products) && {
  Compact();
  InteractionMatrix m;
  m.num_customers_ = num_customers;
  m.num_products_ = num_products;
  for (const Entry& e : entries_) {
    m.num_customers_ = std::max(m.num_customers_, e.customer + 1);
    m.num_products_ = std::max(m.num_products_, e.product + 1);
  }
  const size_t n = entries_.size();
  m.customer_start_.assign(m.num_customers_ + 1, 0);
  m.product_start_.assign(m.num_products_ + 1, 0);
  m.products_.resize(n);
  m.weights_.resize(n);
  m.counts_.resize(n);
  m.times_.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const Entry& e = entries_[i];
    ++m.customer_start_[e.customer + 1];
    ++m.product_start_[e.product + 1];
    m.products_[i] = e.product;
    m.weights_[i] = e.weight;
    m.counts_[i] = e.count;
    m.times_[i] = e.time;
  }
  for (uint32_t c = 0; c < m.num_customers_; ++c) m.customer_start_[c + 1] += m.customer_start_[c];
  for (uint32_t p = 0; p < m.num_products_; ++p) m.product_start_[p + 1] += m.product_start_[p];
  // Entries are sorted by customer, so filling product columns in entry
  // order leaves each column's customers ascending.
  m.product_customers_.resize(n);
  m.product_weights_.resize(n);
  std::vector<uint64_t> fill(m.product_start_.begin(), m.product_start_.end() - 1);
  for (const Entry& e : entries_) {
    const uint64_t at = fill[e.product]++;
    m.product_customers_[at] = e.customer;
    m.product_weights_[at] = e.weight;
  }
  entries_ = {};
  compacted_ = 0;
  return m;
}

InteractionMatrix::Row InteractionMatrix::customer(uint32_t c) const {
  const size_t begin = customer_start_[c], n = customer_start_[c + 1] - begin;
  return {{products_.data() + begin, n},
          {weights_.data() + begin, n},
          {counts_.data() + begin, n},
          {times_.data() + begin, n}};
}

std::span<const uint32_t> InteractionMatrix::product_customers(uint32_t p) const {
  const size_t begin = product_start_[p];
  return {product_customers_.data() + begin, product_start_[p + 1] - begin};
}

std::span<const float> InteractionMatrix::product_weights(uint32_t p) const {
  const size_t begin = product_start_[p];
  return {product_weights_.data() + begin, product_start_[p + 1] - begin};
}

}  // namespace pantry::models
