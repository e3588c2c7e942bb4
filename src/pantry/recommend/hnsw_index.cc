#include "pantry/recommend/hnsw_index.h"

#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <mutex>
#include <numeric>
#include <string>
#include <thread>

namespace pantry::recommend {
namespace {

// Maximum inner product search reduced to L2 nearest neighbours: item v is
// stored as [v, sqrt(R² - |v|²)] with R the largest norm, the query q as
// [q, 0]. Then |q' - v'|² = |q|² + R² - 2<q, v>, which for a fixed query
// falls as <q, v> rises. hnswlib's graph heuristics assume a metric; on the
// raw inner product (not a metric: an item is not its own nearest
// neighbour) recall@100 stayed near 0.70 at 17k products.
//
// One graph over all items is not enough when norms are skewed: most items
// then have an extra coordinate close to R, every item is at almost the
// same distance from the query, and recall@100 measured 0.43 on 5k items
// (hnsw_index_test.cc's data). So items are split by norm into ranges
// ("norm-ranging", Yan et al. 2018), each range with its own R and graph;
// inside a range the norms are similar and the search is close to an
// angular one, which HNSW handles well.
class NormRange {
 public:
  NormRange(size_t dim, size_t count, double max_norm, const HnswParams& params)
      : max_norm_(max_norm),
        space_(dim + 1),
        index_(&space_, count, params.m, params.ef_construction, params.seed) {
    index_.setEf(params.ef);
  }

  double max_norm() const { return max_norm_; }
  void Add(const float* augmented, size_t label) { index_.addPoint(augmented, label); }

  // Up to k (inner product, product) pairs for `augmented` = [q, 0] with
  // |q|² = query_norm2.
  void Search(const float* augmented, double query_norm2, size_t k,
              std::vector<std::pair<float, uint32_t>>* out) const {
    auto result = index_.searchKnn(augmented, k);
    for (; !result.empty(); result.pop()) {
      const double ip = (query_norm2 + max_norm_ * max_norm_ - result.top().first) / 2;
      out->push_back({static_cast<float>(ip), static_cast<uint32_t>(result.top().second)});
    }
  }

 private:
  double max_norm_;
  hnswlib::L2Space space_;
  hnswlib::HierarchicalNSW<float> index_;
};

class HnswlibIndex final : public HnswIndex {
 public:
  explicit HnswlibIndex(size_t dim) : dim_(dim) {}

  std::vector<uint32_t> Search(std::span<const float> query, size_t k) const override {
    std::vector<uint32_t> out;
    if (query.size() != dim_ || k == 0) return out;
    thread_local std::vector<float> augmented;
    augmented.assign(query.begin(), query.end());
    augmented.push_back(0.0f);
    double norm2 = 0;
    for (float x : query) norm2 += static_cast<double>(x) * x;
    const double norm = std::sqrt(norm2);
    auto better = [](const std::pair<float, uint32_t>& a, const std::pair<float, uint32_t>& b) {
      return a.first != b.first ? a.first > b.first : a.second < b.second;
    };
    std::vector<std::pair<float, uint32_t>> found;
    try {
      // Ranges by falling norm: once k items are found, a range whose
      // largest possible inner product |q| R is below the k-th best cannot
      // contribute (Cauchy-Schwarz).
      for (const auto& range : ranges_) {
        if (found.size() >= k) {
          std::nth_element(found.begin(), found.begin() + static_cast<ptrdiff_t>(k - 1),
                           found.end(), better);
          found.resize(k);
          if (found[k - 1].first >= norm * range->max_norm()) break;
        }
        range->Search(augmented.data(), norm2, k, &found);
      }
    } catch (const std::exception&) {
      return out;  // empty: the caller falls back to the exact scan
    }
    const size_t n = std::min(k, found.size());
    std::partial_sort(found.begin(), found.begin() + static_cast<ptrdiff_t>(n), found.end(),
                      better);
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) out.push_back(found[i].second);
    return out;
  }

  size_t dim() const override { return dim_; }

  std::vector<std::unique_ptr<NormRange>> ranges_;  // by falling max norm

 private:
  size_t dim_;
};

// [row, sqrt(max_norm² - |row|²)].
void AugmentRow(const float* row, size_t dim, double max_norm2, float* out) {
  double norm2 = 0;
  for (size_t k = 0; k < dim; ++k) {
    out[k] = row[k];
    norm2 += static_cast<double>(row[k]) * row[k];
  }
  out[dim] = static_cast<float>(std::sqrt(std::max(0.0, max_norm2 - norm2)));
}

// Adds items[begin, end) (indexes into `vectors`) to `range`, on `threads`
// threads. Returns the first library error, or an empty string.
std::string Fill(NormRange& range, std::span<const float> vectors, size_t dim,
                 std::span<const uint32_t> items, size_t threads) {
  const double max_norm2 = range.max_norm() * range.max_norm();
  std::atomic<size_t> next{0};
  std::mutex error_mutex;
  std::string error;
  auto work = [&] {
    std::vector<float> augmented(dim + 1);
    try {
      for (size_t i; (i = next.fetch_add(1)) < items.size();) {
        AugmentRow(vectors.data() + size_t{items[i]} * dim, dim, max_norm2, augmented.data());
        range.Add(augmented.data(), items[i]);
      }
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(error_mutex);
      error = e.what();
      next = items.size();
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < std::min(threads, items.size()); ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return error;
}

}  // namespace

StatusOr<std::unique_ptr<HnswIndex>> HnswIndex::Build(std::span<const float> vectors, size_t count,
                                                      size_t dim, const HnswParams& params) {
  if (count == 0 || dim == 0 || vectors.size() != count * dim) {
    return InvalidArgumentError("hnsw: " + std::to_string(count) + " vectors of dimension " +
                                std::to_string(dim) + " do not match " +
                                std::to_string(vectors.size()) + " floats");
  }
  std::vector<double> norm(count);
  for (size_t i = 0; i < count; ++i) {
    double s = 0;
    for (size_t k = 0; k < dim; ++k)
      s += static_cast<double>(vectors[i * dim + k]) * vectors[i * dim + k];
    norm[i] = std::sqrt(s);
  }
  std::vector<uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  std::stable_sort(order.begin(), order.end(),
                   [&](uint32_t a, uint32_t b) { return norm[a] > norm[b]; });
  const size_t ranges = std::max<size_t>(
      1, std::min(params.norm_ranges, count / std::max<size_t>(1, params.min_range_size)));
  const size_t threads = params.build_threads == 0
                             ? std::max<size_t>(1, std::thread::hardware_concurrency())
                             : params.build_threads;
  try {
    auto index = std::make_unique<HnswlibIndex>(dim);
    for (size_t r = 0; r < ranges; ++r) {
      const size_t begin = count * r / ranges, end = count * (r + 1) / ranges;
      const std::span<const uint32_t> items(order.data() + begin, end - begin);
      auto range = std::make_unique<NormRange>(dim, items.size(), norm[items.front()], params);
      if (std::string error = Fill(*range, vectors, dim, items, threads); !error.empty()) {
        return InternalError("hnsw build failed: " + error);
      }
      index->ranges_.push_back(std::move(range));
    }
    return std::unique_ptr<HnswIndex>(std::move(index));
  } catch (const std::exception& e) {
    return InternalError(std::string("hnsw build failed: ") + e.what());
  }
}

}  // namespace pantry::recommend
