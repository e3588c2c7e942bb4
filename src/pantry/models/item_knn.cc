#include "pantry/models/item_knn.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "pantry/models/array_file.h"
#include "pantry/models/parallel.h"
#include "pantry/models/score_accumulator.h"

namespace pantry::models {
namespace {

constexpr uint32_t kFormatVersion = 1;
constexpr char kKind[] = "item_knn";

// Compressed rows: row r is [start[r], start[r + 1]) of the value arrays.
template <typename A, typename B>
struct Csr {
  std::vector<uint64_t> start{0};
  std::vector<A> first;
  std::vector<B> second;
  size_t rows() const { return start.size() - 1; }
};

// The indexes of a customer's `limit` most recent products (all if fewer),
// most recent first (ties: lower product first).
std::vector<uint32_t> MostRecent(const InteractionMatrix::Row& row, size_t limit) {
  std::vector<uint32_t> order(row.items.size());
  std::iota(order.begin(), order.end(), 0u);
  auto newer = [&](uint32_t a, uint32_t b) {
    return row.times[a] != row.times[b] ? row.times[a] > row.times[b] : a < b;
  };
  if (order.size() > limit) {
    std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(limit), order.end(),
                      newer);
    order.resize(limit);
  } else {
    std::sort(order.begin(), order.end(), newer);
  }
  return order;
}

class ItemKnnModelImpl final : public ItemKnnModel {
 public:
  ItemKnnModelImpl(Csr<uint32_t, float> history, std::vector<uint64_t> neighbour_start,
                   std::vector<Neighbour> neighbours, float self_weight)
      : history_(std::move(history)),
        neighbour_start_(std::move(neighbour_start)),
        neighbours_(std::move(neighbours)),
        self_weight_(self_weight) {}

  std::string_view kind() const override { return kKind; }
  uint32_t num_products() const override {
    return static_cast<uint32_t>(neighbour_start_.size() - 1);
  }

  std::span<const Neighbour> Neighbours(uint32_t product) const override {
    const uint64_t begin = neighbour_start_[product];
    return {neighbours_.data() + begin, neighbour_start_[product + 1] - begin};
  }

  std::vector<Candidate> Retrieve(const RetrievalQuery& query, size_t k) const override {
    return Accumulate(query).TakeBest(k);
  }

  void ScoreProducts(const RetrievalQuery& query, std::span<const uint32_t> products,
                     std::span<float> out) const override {
    ScoreAccumulator& scores = Accumulate(query);
    const bool has_history = HasHistory(query);
    for (size_t j = 0; j < products.size(); ++j) {
      out[j] = products[j] >= num_products() || !has_history
                   ? -std::numeric_limits<float>::infinity()
                   : scores.Sum(products[j]);
    }
    scores.Clear();
  }

  Status Save(const std::filesystem::path& dir) const override {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    ArrayFileWriter w(kKind, kFormatVersion);
    std::vector<uint32_t> products(neighbours_.size());
    std::vector<float> similarities(neighbours_.size());
    for (size_t i = 0; i < neighbours_.size(); ++i) {
      products[i] = neighbours_[i].product;
      similarities[i] = neighbours_[i].similarity;
    }
    const float params[1] = {self_weight_};
    w.Add("params", std::span<const float>(params));
    w.Add("neighbour_start", std::span<const uint64_t>(neighbour_start_));
    w.Add("neighbour_product", std::span<const uint32_t>(products));
    w.Add("neighbour_similarity", std::span<const float>(similarities));
    w.Add("history_start", std::span<const uint64_t>(history_.start));
    w.Add("history_product", std::span<const uint32_t>(history_.first));
    w.Add("history_weight", std::span<const float>(history_.second));
    return w.Write(dir / "item_knn.model");
  }

 private:
  bool HasHistory(const RetrievalQuery& query) const {
    return !query.recent_products.empty() ||
           (query.customer < history_.rows() &&
            history_.start[query.customer + 1] > history_.start[query.customer]);
  }

  // Every product with a vote, summed in the calling thread's accumulator
  // (the caller takes or clears it).
  ScoreAccumulator& Accumulate(const RetrievalQuery& query) const {
    ScoreAccumulator& votes =
        ScoreAccumulator::ForThisThread(ScoreAccumulator::Slot::kItemKnn, num_products());
    auto vote = [&](uint32_t product, float weight) {
      if (product >= num_products()) return;
      if (self_weight_ > 0) votes.Add(product, weight * self_weight_);
      for (const Neighbour& n : Neighbours(product)) votes.Add(n.product, weight * n.similarity);
    };
    if (query.customer < history_.rows()) {
      for (uint64_t i = history_.start[query.customer]; i < history_.start[query.customer + 1];
           ++i) {
        vote(history_.first[i], history_.second[i]);
      }
    }
    for (size_t j = 0; j < query.recent_products.size(); ++j) {
      vote(query.recent_products[j], query.recent_weights.empty() ? 1.0f : query.recent_weights[j]);
    }
    return votes;
  }

  const Csr<uint32_t, float> history_;
  const std::vector<uint64_t> neighbour_start_;
  const std::vector<Neighbour> neighbours_;
  const float self_weight_;
};

// The top `keep` neighbours of every product.
void ComputeNeighbours(const InteractionMatrix& m, const Csr<uint32_t, float>& rows,
                       const ItemKnnOptions& o, std::vector<uint64_t>* start,
                       std::vector<Neighbour>* flat) {
  const uint32_t n = m.num_products();
  std::vector<float> norm(n, 0.0f);
  for (uint32_t p = 0; p < n; ++p) {
    double s = 0;
    for (float w : m.product_weights(p)) s += static_cast<double>(w) * w;
    norm[p] = static_cast<float>(std::sqrt(s));
  }
  const int threads = ResolveThreads(o.threads);
  std::vector<std::vector<Neighbour>> lists(n);
  std::vector<std::vector<float>> acc(threads);
  ParallelBlocks(n, 64, threads, [&](uint64_t begin, uint64_t end, int t) {
    std::vector<float>& sum = acc[t];
    if (sum.empty()) sum.assign(n, 0.0f);
    std::vector<uint32_t> touched;
    for (uint64_t i = begin; i < end; ++i) {
      const auto customers = m.product_customers(static_cast<uint32_t>(i));
      const auto weights = m.product_weights(static_cast<uint32_t>(i));
      touched.clear();
      for (size_t u = 0; u < customers.size(); ++u) {
        const uint32_t c = customers[u];
        for (uint64_t x = rows.start[c]; x < rows.start[c + 1]; ++x) {
          const uint32_t j = rows.first[x];
          if (j == i) continue;
          if (sum[j] == 0.0f) touched.push_back(j);
          sum[j] += weights[u] * rows.second[x];
        }
      }
      std::vector<Neighbour>& list = lists[i];
      list.reserve(touched.size());
      for (uint32_t j : touched) {
        list.push_back({j, static_cast<float>(sum[j] / (norm[i] * norm[j] + o.shrinkage))});
        sum[j] = 0.0f;
      }
      auto better = [](const Neighbour& a, const Neighbour& b) {
        return a.similarity != b.similarity ? a.similarity > b.similarity : a.product < b.product;
      };
      const size_t keep = std::min<size_t>(list.size(), static_cast<size_t>(o.neighbours));
      std::partial_sort(list.begin(), list.begin() + static_cast<ptrdiff_t>(keep), list.end(),
                        better);
      list.resize(keep);
      list.shrink_to_fit();
    }
  });
  start->assign(1, 0);
  flat->clear();
  for (uint32_t p = 0; p < n; ++p) {
    flat->insert(flat->end(), lists[p].begin(), lists[p].end());
    start->push_back(flat->size());
    lists[p] = {};
  }
}

}  // namespace

StatusOr<std::unique_ptr<ItemKnnModel>> ItemKnnModel::Train(const InteractionMatrix& m,
                                                            const ItemKnnOptions& o) {
  if (o.neighbours < 1 || o.history < 1 || o.max_customer_products < 1 || !(o.shrinkage >= 0) ||
      !(o.self_weight >= 0)) {
    return InvalidArgumentError(
        "item kNN: neighbours, history and max_customer_products must be >= 1, shrinkage and "
        "self_weight >= 0");
  }
  if (m.nnz() == 0) return InvalidArgumentError("item kNN: no interactions to train on");
  // Co-occurrence rows (capped) and scoring histories, most recent first.
  Csr<uint32_t, float> rows, history;
  for (uint32_t c = 0; c < m.num_customers(); ++c) {
    const InteractionMatrix::Row row = m.customer(c);
    const std::vector<uint32_t> recent =
        MostRecent(row, static_cast<size_t>(std::max(o.history, o.max_customer_products)));
    for (size_t r = 0; r < recent.size(); ++r) {
      if (r < static_cast<size_t>(o.max_customer_products)) {
        rows.first.push_back(row.items[recent[r]]);
        rows.second.push_back(row.weights[recent[r]]);
      }
      if (r < static_cast<size_t>(o.history)) {
        history.first.push_back(row.items[recent[r]]);
        history.second.push_back(row.weights[recent[r]]);
      }
    }
    rows.start.push_back(rows.first.size());
    history.start.push_back(history.first.size());
  }
  std::vector<uint64_t> start;
  std::vector<Neighbour> neighbours;
  ComputeNeighbours(m, rows, o, &start, &neighbours);
  return std::unique_ptr<ItemKnnModel>(new ItemKnnModelImpl(std::move(history), std::move(start),
                                                            std::move(neighbours),
                                                            static_cast<float>(o.self_weight)));
}

StatusOr<std::unique_ptr<ItemKnnModel>> ItemKnnModel::Load(const std::filesystem::path& dir) {
  ASSIGN_OR_RETURN(ArrayFileReader r,
                   ArrayFileReader::Open(dir / "item_knn.model", kKind, kFormatVersion));
  std::vector<float> params, similarities;
  std::vector<uint64_t> neighbour_start;
  std::vector<uint32_t> products;
  Csr<uint32_t, float> history;
  RETURN_IF_ERROR(r.Get("params", &params, 1));
  RETURN_IF_ERROR(r.Get("neighbour_start", &neighbour_start));
  RETURN_IF_ERROR(r.Get("neighbour_product", &products));
  RETURN_IF_ERROR(
      r.Get("neighbour_similarity", &similarities, static_cast<int64_t>(products.size())));
  RETURN_IF_ERROR(r.Get("history_start", &history.start));
  RETURN_IF_ERROR(r.Get("history_product", &history.first));
  RETURN_IF_ERROR(
      r.Get("history_weight", &history.second, static_cast<int64_t>(history.first.size())));
  auto valid_starts = [](const std::vector<uint64_t>& s, size_t total) {
    if (s.empty() || s.front() != 0 || s.back() != total) return false;
    return std::is_sorted(s.begin(), s.end());
  };
  if (!valid_starts(neighbour_start, products.size()) ||
      !valid_starts(history.start, history.first.size()) || neighbour_start.size() - 1 >= kNoId) {
    return r.Corrupt("inconsistent row starts");
  }
  const size_t num_products = neighbour_start.size() - 1;
  std::vector<Neighbour> neighbours(products.size());
  for (size_t i = 0; i < products.size(); ++i) {
    if (products[i] >= num_products || !std::isfinite(similarities[i])) {
      return r.Corrupt("bad neighbour entry");
    }
    neighbours[i] = {products[i], similarities[i]};
  }
  for (size_t i = 0; i < history.first.size(); ++i) {
    if (history.first[i] >= num_products || !std::isfinite(history.second[i])) {
      return r.Corrupt("bad history entry");
    }
  }
  return std::unique_ptr<ItemKnnModel>(new ItemKnnModelImpl(
      std::move(history), std::move(neighbour_start), std::move(neighbours), params[0]));
}

}  // namespace pantry::models
