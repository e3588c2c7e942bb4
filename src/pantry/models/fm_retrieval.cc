#include "pantry/models/fm_retrieval.h"

#include <Eigen/Core>

#include <algorithm>
#include <functional>
#include <limits>

#include "pantry/models/rank_key.h"

namespace pantry::models {
namespace {

// Sum of factor vectors and the side's own linear + within-side pair terms.
double SideTerms(const FmModel& model, const SparseRow& row, Eigen::VectorXd* sum) {
  const int k = model.num_factors();
  sum->setZero(k);
  double linear = 0, sum_sq = 0;
  for (size_t j = 0; j < row.nnz(); ++j) {
    uint32_t i = row.indices[j];
    if (i >= model.num_features()) continue;
    double x = row.values[j];
    linear += model.linear()[i] * x;
    std::span<const float> v = model.factors(i);
    for (int f = 0; f < k; ++f) {
      double vx = v[f] * x;
      (*sum)[f] += vx;
      sum_sq += vx * vx;
    }
  }
  return linear + 0.5 * (sum->squaredNorm() - sum_sq);
}

// scores[t*kTile + i] = b[t*kTile + i] + sum_f q[t*kTile + i][f] * p[f].
// Element-wise accumulation per factor: vectorises across products with
// no floating-point reassociation, so every clone gives identical results.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void ScanTiles(
    const float* tiles, const float* bias, const float* p, size_t k, size_t num_tiles,
    float* scores) {
  constexpr size_t kTile = FmCatalogIndex::kTile;
  for (size_t t = 0; t < num_tiles; ++t) {
    float s[kTile];
    const float* b = bias + t * kTile;
    for (size_t i = 0; i < kTile; ++i) s[i] = b[i];
    const float* q = tiles + t * k * kTile;
    for (size_t f = 0; f < k; ++f) {
      const float pf = p[f];
      const float* col = q + f * kTile;
      for (size_t i = 0; i < kTile; ++i) s[i] += col[i] * pf;
    }
    float* out = scores + t * kTile;
    for (size_t i = 0; i < kTile; ++i) out[i] = s[i];
  }
}

// The largest value of each of the `groups` interleaved groups
// {j, j + groups, j + 2 * groups, ...} of `scores`, written to `max`.
// Element-wise across rows, so it vectorises without -ffast-math.
__attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default"))) void GroupMaxima(
    const float* scores, size_t n, size_t groups, float* max) {
  std::copy_n(scores, groups, max);
  size_t i = groups;
  for (; i + groups <= n; i += groups) {
    const float* row = scores + i;
    for (size_t j = 0; j < groups; ++j) max[j] = row[j] > max[j] ? row[j] : max[j];
  }
  for (size_t j = 0; i < n; ++i, ++j) max[j] = scores[i] > max[j] ? scores[i] : max[j];
}

}  // namespace

void SelectTopK(std::span<const float> scores, size_t k, std::vector<ScoredProduct>* out) {
  out->clear();
  const size_t n = scores.size();
  k = std::min(k, n);
  if (k == 0) return;
  // Each of k groups holds an entry >= the k-th largest group maximum, so
  // at least k entries reach it: every entry of the top k does, and they all
  // lie in the groups whose maximum reaches it. Groups of about 16 entries
  // (at least 2k groups) balance the selection among the maxima against the
  // scan of the groups that reach the threshold (about k of them).
  const float* s = scores.data();
  const size_t groups = std::max((2 * k + 15) / 16 * 16, (n / 16 + 15) / 16 * 16);
  thread_local std::vector<uint32_t> survivors;
  survivors.resize(n);
  size_t count = 0;
  if (n >= 4 * groups) {
    thread_local std::vector<float> maxima, selected;
    maxima.resize(groups);
    GroupMaxima(s, n, groups, maxima.data());
    selected.assign(maxima.begin(), maxima.end());
    std::nth_element(selected.begin(), selected.begin() + static_cast<std::ptrdiff_t>(k - 1),
                     selected.end(), std::greater<float>());
    const float threshold = selected[k - 1];
    for (size_t g = 0; g < groups; ++g) {
      if (!(maxima[g] >= threshold)) continue;
      for (size_t i = g; i < n; i += groups) {
        survivors[count] = static_cast<uint32_t>(i);  // kept only if it reaches the threshold
        count += s[i] >= threshold ? 1 : 0;
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) survivors[i] = static_cast<uint32_t>(i);
    count = n;
  }
  thread_local std::vector<uint64_t> keys;
  keys.resize(count);
  for (size_t i = 0; i < count; ++i) keys[i] = RankKey(s[survivors[i]], survivors[i]);
  if (count > k) {
    std::nth_element(keys.begin(), keys.begin() + static_cast<std::ptrdiff_t>(k), keys.end());
    keys.resize(k);
  }
  std::sort(keys.begin(), keys.end());
  out->resize(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    const uint32_t product = RankKeyProduct(keys[i]);
    (*out)[i] = {product, s[product]};
  }
}

StatusOr<FmCatalogIndex> FmCatalogIndex::Build(const FmModel& model, const CsrMatrix& products) {
  RETURN_IF_ERROR(products.Validate().WithContext("catalog features"));
  if (products.cols > model.num_features()) {
    for (uint32_t index : products.indices) {
      if (index >= model.num_features()) {
        return InvalidArgumentError("catalog feature " + std::to_string(index) +
                                    " is outside the model's " +
                                    std::to_string(model.num_features()) + " features");
      }
    }
  }
  FmCatalogIndex index;
  const size_t n = products.rows();
  const size_t k = static_cast<size_t>(model.num_factors());
  const size_t num_tiles = (n + kTile - 1) / kTile;
  index.num_products_ = n;
  index.num_factors_ = model.num_factors();
  index.tiles_.assign(num_tiles * k * kTile, 0.0f);
  index.bias_.assign(num_tiles * kTile, -std::numeric_limits<float>::infinity());
  Eigen::VectorXd sum;
  for (size_t r = 0; r < n; ++r) {
    index.bias_[r] = static_cast<float>(SideTerms(model, products.row(r), &sum));
    size_t tile = r / kTile, i = r % kTile;
    for (size_t f = 0; f < k; ++f) {
      index.tiles_[(tile * k + f) * kTile + i] =
          static_cast<float>(sum[static_cast<Eigen::Index>(f)]);
    }
  }
  return index;
}

CustomerVector FmCatalogIndex::EncodeCustomer(const FmModel& model, const SparseRow& customer) {
  Eigen::VectorXd sum;
  CustomerVector out;
  out.c = model.bias() + SideTerms(model, customer, &sum);
  out.p.resize(static_cast<size_t>(sum.size()));
  Eigen::Map<Eigen::VectorXf>(out.p.data(), sum.size()) = sum.cast<float>();
  return out;
}

float FmCatalogIndex::Score(const CustomerVector& customer, uint32_t product) const {
  const size_t k = static_cast<size_t>(num_factors_);
  const size_t tile = product / kTile, i = product % kTile;
  float s = bias_[product];
  for (size_t f = 0; f < k; ++f) s += tiles_[(tile * k + f) * kTile + i] * customer.p[f];
  return static_cast<float>(customer.c) + s;
}

std::vector<ScoredProduct> FmCatalogIndex::TopK(const CustomerVector& customer, size_t k) const {
  std::vector<ScoredProduct> out;
  TopK(customer, k, &out);
  return out;
}

void FmCatalogIndex::TopK(const CustomerVector& customer, size_t k,
                          std::vector<ScoredProduct>* out) const {
  out->clear();
  const size_t n = num_products();
  if (std::min(k, n) == 0) return;
  thread_local std::vector<float> scores;
  scores.resize(bias_.size());
  ScanTiles(tiles_.data(), bias_.data(), customer.p.data(), static_cast<size_t>(num_factors_),
            bias_.size() / kTile, scores.data());
  SelectTopK(std::span<const float>(scores.data(), n), k, out);
  const float c = static_cast<float>(customer.c);
  for (ScoredProduct& item : *out) item.score += c;
}

}  // namespace pantry::models
