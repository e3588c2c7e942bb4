#include "pantry/models/popularity.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>

#include "pantry/models/array_file.h"
#include "pantry/models/rank_key.h"

namespace pantry::models {
namespace {

constexpr uint32_t kFormatVersion = 1;
constexpr char kKind[] = "popularity";

// What is stored; everything else is derived from it on construction.
struct PopularityState {
  uint32_t num_customers = 0, num_products = 0, num_categories = 1, num_segments = 0;
  PopularityOptions options;
  std::vector<uint32_t> product_category;  // < num_categories
  std::vector<float> product_weight;       // W_p
  std::vector<uint32_t> customer_segment;  // < num_segments or kNoId
  std::vector<uint64_t> customer_start;    // CSR of (category, W_ck)
  std::vector<uint32_t> customer_category;
  std::vector<float> customer_category_weight;
  std::vector<float> segment_category_weight;  // num_segments × num_categories
};

class PopularityModelImpl final : public PopularityModel {
 public:
  explicit PopularityModelImpl(PopularityState s) : s_(std::move(s)) { Derive(); }

  std::string_view kind() const override { return kKind; }
  uint32_t num_products() const override { return s_.num_products; }
  uint32_t num_categories() const override { return s_.num_categories; }
  uint32_t num_segments() const override { return s_.num_segments; }
  uint32_t category(uint32_t product) const override { return s_.product_category[product]; }

  std::vector<float> CategoryMix(const RetrievalQuery& query) const override {
    const uint32_t k = s_.num_categories;
    uint32_t segment = query.segment;
    if (segment == kNoId && query.customer < s_.num_customers) {
      segment = s_.customer_segment[query.customer];
    }
    const float* base = segment < s_.num_segments ? &segment_mix_[static_cast<size_t>(segment) * k]
                                                  : global_mix_.data();
    std::vector<double> counts(k, 0.0);
    double total = 0;
    if (query.customer < s_.num_customers) {
      for (uint64_t i = s_.customer_start[query.customer];
           i < s_.customer_start[query.customer + 1]; ++i) {
        counts[s_.customer_category[i]] += s_.customer_category_weight[i];
        total += s_.customer_category_weight[i];
      }
    }
    for (size_t j = 0; j < query.recent_products.size(); ++j) {
      if (query.recent_products[j] >= s_.num_products) continue;
      const double w = query.recent_weights.empty() ? 1.0 : query.recent_weights[j];
      counts[s_.product_category[query.recent_products[j]]] += w;
      total += w;
    }
    std::vector<float> mix(k);
    const double prior = s_.options.customer_prior;
    for (uint32_t c = 0; c < k; ++c) {
      mix[c] = total + prior > 0
                   ? static_cast<float>((counts[c] + prior * base[c]) / (total + prior))
                   : base[c];
    }
    return mix;
  }

  std::vector<Candidate> Retrieve(const RetrievalQuery& query, size_t k) const override {
    std::vector<Candidate> out;
    if (!s_.options.category_aware) {
      for (size_t i = 0; i < k && i < plain_order_.size(); ++i) {
        out.push_back({plain_order_[i], s_.product_weight[plain_order_[i]]});
      }
      return out;
    }
    // Merge the per-category lists (each sorted by share) by θ_k × share.
    // Each category has at most one head in the heap, so a head is just its
    // rank key (rank_key.h) and the category's cursor is kept aside.
    const std::vector<float> mix = CategoryMix(query);
    thread_local std::vector<uint64_t> heads;
    thread_local std::vector<uint64_t> cursor;
    heads.clear();
    cursor.assign(category_start_.begin(), category_start_.end() - 1);
    const auto better_on_top = std::greater<uint64_t>();
    auto push = [&](uint32_t c) {
      if (cursor[c] >= category_start_[c + 1] || !(mix[c] > 0)) return;
      const uint32_t p = category_order_[cursor[c]];
      heads.push_back(RankKey(mix[c] * share_[p], p));
      std::push_heap(heads.begin(), heads.end(), better_on_top);
    };
    for (uint32_t c = 0; c < s_.num_categories; ++c) push(c);
    out.reserve(std::min<size_t>(k, s_.num_products));
    while (out.size() < k && !heads.empty()) {
      std::pop_heap(heads.begin(), heads.end(), better_on_top);
      const uint64_t key = heads.back();
      heads.pop_back();
      const uint32_t p = RankKeyProduct(key);
      out.push_back({p, RankKeyScore(key)});
      const uint32_t c = s_.product_category[p];
      ++cursor[c];
      push(c);
    }
    return out;
  }

  void ScoreProducts(const RetrievalQuery& query, std::span<const uint32_t> products,
                     std::span<float> out) const override {
    std::vector<float> mix;
    if (s_.options.category_aware) mix = CategoryMix(query);
    for (size_t j = 0; j < products.size(); ++j) {
      const uint32_t p = products[j];
      if (p >= s_.num_products) {
        out[j] = -std::numeric_limits<float>::infinity();
      } else {
        out[j] = s_.options.category_aware ? mix[s_.product_category[p]] * share_[p]
                                           : s_.product_weight[p];
      }
    }
  }

  Status Save(const std::filesystem::path& dir) const override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ArrayFileWriter w(kKind, kFormatVersion);
    const uint64_t shape[4] = {s_.num_customers, s_.num_products, s_.num_categories,
                               s_.num_segments};
    const PopularityOptions& o = s_.options;
    const float params[4] = {o.category_aware ? 1.0f : 0.0f, static_cast<float>(o.customer_prior),
                             static_cast<float>(o.segment_prior),
                             static_cast<float>(o.product_prior)};
    w.Add("shape", std::span<const uint64_t>(shape));
    w.Add("params", std::span<const float>(params));
    w.Add("product_category", std::span<const uint32_t>(s_.product_category));
    w.Add("product_weight", std::span<const float>(s_.product_weight));
    w.Add("customer_segment", std::span<const uint32_t>(s_.customer_segment));
    w.Add("customer_start", std::span<const uint64_t>(s_.customer_start));
    w.Add("customer_category", std::span<const uint32_t>(s_.customer_category));
    w.Add("customer_category_weight", std::span<const float>(s_.customer_category_weight));
    w.Add("segment_category_weight", std::span<const float>(s_.segment_category_weight));
    return w.Write(dir / "popularity.model");
  }

 private:
  void Derive() {
    const uint32_t k = s_.num_categories;
    std::vector<double> category_weight(k, 0.0);
    std::vector<uint32_t> category_size(k, 0);
    double total = 0;
    for (uint32_t p = 0; p < s_.num_products; ++p) {
      category_weight[s_.product_category[p]] += s_.product_weight[p];
      ++category_size[s_.product_category[p]];
      total += s_.product_weight[p];
    }
    global_mix_.resize(k);
    for (uint32_t c = 0; c < k; ++c) {
      global_mix_[c] = total > 0 ? static_cast<float>(category_weight[c] / total) : 1.0f / k;
    }
    segment_mix_.resize(static_cast<size_t>(s_.num_segments) * k);
    const double m = s_.options.segment_prior;
    for (uint32_t s = 0; s < s_.num_segments; ++s) {
      const float* w = &s_.segment_category_weight[static_cast<size_t>(s) * k];
      const double ws = std::accumulate(w, w + k, 0.0);
      for (uint32_t c = 0; c < k; ++c) {
        segment_mix_[static_cast<size_t>(s) * k + c] =
            ws + m > 0 ? static_cast<float>((w[c] + m * global_mix_[c]) / (ws + m))
                       : global_mix_[c];
      }
    }
    const double beta = s_.options.product_prior;
    share_.resize(s_.num_products);
    for (uint32_t p = 0; p < s_.num_products; ++p) {
      const uint32_t c = s_.product_category[p];
      const double denom = category_weight[c] + beta * category_size[c];
      share_[p] = denom > 0 ? static_cast<float>((s_.product_weight[p] + beta) / denom)
                            : 1.0f / static_cast<float>(category_size[c]);
    }
    // Per-category lists by share, and the plain order by weight.
    category_start_.assign(k + 1, 0);
    for (uint32_t p = 0; p < s_.num_products; ++p) ++category_start_[s_.product_category[p] + 1];
    for (uint32_t c = 0; c < k; ++c) category_start_[c + 1] += category_start_[c];
    category_order_.resize(s_.num_products);
    std::vector<uint64_t> fill(category_start_.begin(), category_start_.end() - 1);
    for (uint32_t p = 0; p < s_.num_products; ++p) {
      category_order_[fill[s_.product_category[p]]++] = p;
    }
    for (uint32_t c = 0; c < k; ++c) {
      std::sort(category_order_.begin() + static_cast<ptrdiff_t>(category_start_[c]),
                category_order_.begin() + static_cast<ptrdiff_t>(category_start_[c + 1]),
                [&](uint32_t a, uint32_t b) {
                  return share_[a] != share_[b] ? share_[a] > share_[b] : a < b;
                });
    }
    plain_order_.resize(s_.num_products);
    std::iota(plain_order_.begin(), plain_order_.end(), 0u);
    std::stable_sort(plain_order_.begin(), plain_order_.end(), [&](uint32_t a, uint32_t b) {
      return s_.product_weight[a] > s_.product_weight[b];
    });
  }

  const PopularityState s_;
  std::vector<float> global_mix_, segment_mix_, share_;
  std::vector<uint64_t> category_start_;
  std::vector<uint32_t> category_order_, plain_order_;
};

}  // namespace

StatusOr<std::unique_ptr<PopularityModel>> PopularityModel::Train(
    const InteractionMatrix& matrix, std::span<const uint32_t> product_category,
    std::span<const uint32_t> customer_segment, const PopularityOptions& options) {
  if (matrix.nnz() == 0) return InvalidArgumentError("popularity: no interactions to train on");
  if (!product_category.empty() && product_category.size() != matrix.num_products()) {
    return InvalidArgumentError("popularity: " + std::to_string(product_category.size()) +
                                " product categories for " + std::to_string(matrix.num_products()) +
                                " products");
  }
  if (!customer_segment.empty() && customer_segment.size() != matrix.num_customers()) {
    return InvalidArgumentError("popularity: " + std::to_string(customer_segment.size()) +
                                " customer segments for " + std::to_string(matrix.num_customers()) +
                                " customers");
  }
  if (!(options.customer_prior >= 0) || !(options.segment_prior >= 0) ||
      !(options.product_prior >= 0)) {
    return InvalidArgumentError("popularity: priors must be >= 0");
  }
  PopularityState s;
  s.options = options;
  s.num_customers = matrix.num_customers();
  s.num_products = matrix.num_products();
  // Categories: the given ones, plus one shared bucket for kNoId.
  uint32_t categories = 0;
  bool uncategorised = product_category.empty();
  for (uint32_t c : product_category) {
    if (c == kNoId) {
      uncategorised = true;
    } else {
      categories = std::max(categories, c + 1);
    }
  }
  s.num_categories = categories + (uncategorised ? 1 : 0);
  s.product_category.resize(s.num_products);
  for (uint32_t p = 0; p < s.num_products; ++p) {
    const uint32_t c = product_category.empty() ? kNoId : product_category[p];
    s.product_category[p] = c == kNoId ? categories : c;
  }
  for (uint32_t c : customer_segment) {
    if (c != kNoId) s.num_segments = std::max(s.num_segments, c + 1);
  }
  s.customer_segment.assign(s.num_customers, kNoId);
  std::copy(customer_segment.begin(), customer_segment.end(), s.customer_segment.begin());
  s.product_weight.assign(s.num_products, 0.0f);
  s.segment_category_weight.assign(static_cast<size_t>(s.num_segments) * s.num_categories, 0.0f);
  s.customer_start.push_back(0);
  std::vector<double> per_category(s.num_categories, 0.0);
  for (uint32_t c = 0; c < s.num_customers; ++c) {
    const InteractionMatrix::Row row = matrix.customer(c);
    std::fill(per_category.begin(), per_category.end(), 0.0);
    for (size_t i = 0; i < row.items.size(); ++i) {
      s.product_weight[row.items[i]] += row.weights[i];
      per_category[s.product_category[row.items[i]]] += row.weights[i];
    }
    const uint32_t segment = s.customer_segment[c];
    for (uint32_t k = 0; k < s.num_categories; ++k) {
      if (per_category[k] == 0) continue;
      s.customer_category.push_back(k);
      s.customer_category_weight.push_back(static_cast<float>(per_category[k]));
      if (segment != kNoId) {
        s.segment_category_weight[static_cast<size_t>(segment) * s.num_categories + k] +=
            static_cast<float>(per_category[k]);
      }
    }
    s.customer_start.push_back(s.customer_category.size());
  }
  return std::unique_ptr<PopularityModel>(new PopularityModelImpl(std::move(s)));
}

StatusOr<std::unique_ptr<PopularityModel>> PopularityModel::Load(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(ArrayFileReader r,
                   ArrayFileReader::Open(dir / "popularity.model", kKind, kFormatVersion));
  std::vector<uint64_t> shape;
  std::vector<float> params;
  RETURN_IF_ERROR(r.Get("shape", &shape, 4));
  RETURN_IF_ERROR(r.Get("params", &params, 4));
  for (uint64_t v : shape) {
    if (v >= kNoId) return r.Corrupt("bad shape");
  }
  PopularityState s;
  s.num_customers = static_cast<uint32_t>(shape[0]);
  s.num_products = static_cast<uint32_t>(shape[1]);
  s.num_categories = static_cast<uint32_t>(shape[2]);
  s.num_segments = static_cast<uint32_t>(shape[3]);
  s.options = {params[0] != 0, params[1], params[2], params[3]};
  RETURN_IF_ERROR(r.Get("product_category", &s.product_category, s.num_products));
  RETURN_IF_ERROR(r.Get("product_weight", &s.product_weight, s.num_products));
  RETURN_IF_ERROR(r.Get("customer_segment", &s.customer_segment, s.num_customers));
  RETURN_IF_ERROR(r.Get("customer_start", &s.customer_start, int64_t{s.num_customers} + 1));
  RETURN_IF_ERROR(r.Get("customer_category", &s.customer_category));
  RETURN_IF_ERROR(r.Get("customer_category_weight", &s.customer_category_weight,
                        static_cast<int64_t>(s.customer_category.size())));
  RETURN_IF_ERROR(r.Get("segment_category_weight", &s.segment_category_weight,
                        int64_t{s.num_segments} * s.num_categories));
  if (s.num_categories == 0 || s.customer_start.front() != 0 ||
      s.customer_start.back() != s.customer_category.size() ||
      !std::is_sorted(s.customer_start.begin(), s.customer_start.end())) {
    return r.Corrupt("inconsistent customer rows");
  }
  for (uint32_t c : s.product_category) {
    if (c >= s.num_categories) return r.Corrupt("product category out of range");
  }
  for (uint32_t c : s.customer_category) {
    if (c >= s.num_categories) return r.Corrupt("customer category out of range");
  }
  for (uint32_t g : s.customer_segment) {
    if (g != kNoId && g >= s.num_segments) return r.Corrupt("customer segment out of range");
  }
  for (const std::vector<float>* v :
       {&s.product_weight, &s.customer_category_weight, &s.segment_category_weight}) {
    for (float x : *v) {
      if (!std::isfinite(x) || x < 0) return r.Corrupt("bad weight");
    }
  }
  return std::unique_ptr<PopularityModel>(new PopularityModelImpl(std::move(s)));
}

}  // namespace pantry::models
