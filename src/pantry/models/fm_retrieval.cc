#include "pantry/models/fm_retrieval.h"

#include <algorithm>
#include <queue>

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

}  // namespace

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
  const int k = model.num_factors();
  index.q_.resize(static_cast<Eigen::Index>(n), k);
  index.b_.resize(static_cast<Eigen::Index>(n));
  Eigen::VectorXd sum;
  for (size_t r = 0; r < n; ++r) {
    index.b_[r] = static_cast<float>(SideTerms(model, products.row(r), &sum));
    index.q_.row(r) = sum.cast<float>().transpose();
  }
  return index;
}

CustomerVector FmCatalogIndex::EncodeCustomer(const FmModel& model, const SparseRow& customer) {
  Eigen::VectorXd sum;
  CustomerVector out;
  out.c = model.bias() + SideTerms(model, customer, &sum);
  out.p = sum.cast<float>();
  return out;
}

float FmCatalogIndex::Score(const CustomerVector& customer, uint32_t product) const {
  return static_cast<float>(customer.c) + b_[product] + q_.row(product).dot(customer.p);
}

std::vector<ScoredProduct> FmCatalogIndex::TopK(const CustomerVector& customer, size_t k) const {
  const size_t n = num_products();
  k = std::min(k, n);
  if (k == 0) return {};
  thread_local Eigen::VectorXf scores;
  scores.noalias() = q_ * customer.p;
  scores += b_;
  // Min-heap of the best k so far; most products fail the first comparison.
  auto better = [](const ScoredProduct& a, const ScoredProduct& b) {
    return a.score > b.score || (a.score == b.score && a.product < b.product);
  };
  std::vector<ScoredProduct> heap;
  heap.reserve(k + 1);
  for (size_t i = 0; i < k; ++i) heap.push_back({static_cast<uint32_t>(i), scores[i]});
  std::make_heap(heap.begin(), heap.end(), better);
  const float* s = scores.data();
  for (size_t i = k; i < n; ++i) {
    if (s[i] <= heap.front().score) continue;  // ties keep the lower index
    std::pop_heap(heap.begin(), heap.end(), better);
    heap.back() = {static_cast<uint32_t>(i), s[i]};
    std::push_heap(heap.begin(), heap.end(), better);
  }
  std::sort_heap(heap.begin(), heap.end(), better);
  const float c = static_cast<float>(customer.c);
  for (ScoredProduct& item : heap) item.score += c;
  return heap;
}

}  // namespace pantry::models
