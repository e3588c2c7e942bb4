#include "pantry/workshop/rank_context.h"

#include <algorithm>
#include <numeric>
#include <optional>

#include "pantry/common/file_util.h"
#include "pantry/models/model_store.h"
#include "pantry/models/rank_features.h"
#include "pantry/models/retrieval.h"
#include "pantry/recommend/blend_model.h"
#include "pantry/workshop/retrieval_training.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {

StatusOr<models::CategoryAffinity> CategoryAffinityFromEvidence(const RetrievalEvidence& e) {
  const size_t num_categories = e.categories.size();
  std::vector<std::string> customers;
  std::vector<uint32_t> counts;
  for (uint32_t c = 0; c < e.matrix.num_customers() && c < e.customers.size(); ++c) {
    models::InteractionMatrix::Row row = e.matrix.customer(c);
    if (row.items.empty()) continue;
    customers.push_back(e.customers.key(c));
    counts.resize(counts.size() + num_categories, 0);
    uint32_t* out = counts.data() + counts.size() - num_categories;
    for (size_t i = 0; i < row.items.size(); ++i) {
      out[e.product_category[row.items[i]]] += row.counts[i];
    }
  }
  std::vector<std::string> categories(e.categories.keys().begin(), e.categories.keys().end());
  return models::CategoryAffinity::Build(std::move(customers), std::move(categories),
                                         std::move(counts));
}

StatusOr<RankContext> BuildRankContext(RetrievalEvidence evidence,
                                       const models::RetrievalTrainOptions& options) {
  RankContext context;
  ASSIGN_OR_RETURN(models::CategoryAffinity affinity, CategoryAffinityFromEvidence(evidence));
  context.affinity = std::make_shared<const models::CategoryAffinity>(std::move(affinity));
  ASSIGN_OR_RETURN(auto blend,
                   models::TrainBlendedRetriever(evidence.matrix, evidence.product_category,
                                                 evidence.customer_segment, options));
  context.blend = std::move(blend);
  context.customers = std::move(evidence.customers);
  context.products = std::move(evidence.products);
  context.customer_segment = std::move(evidence.customer_segment);
  return context;
}

void AddTwoStageFeatures(const RankContext& context, std::span<models::RankExample> examples) {
  std::vector<size_t> order(examples.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return examples[a].customer_id < examples[b].customer_id;
  });
  std::vector<uint32_t> products;
  std::vector<size_t> rows;
  std::vector<models::RankRetrievalScores> scores;
  for (size_t begin = 0; begin < order.size();) {
    const std::string& customer = examples[order[begin]].customer_id;
    size_t end = begin;
    while (end < order.size() && examples[order[end]].customer_id == customer) ++end;
    // The query the recommender makes for this customer (RetrieveBlend).
    models::RetrievalQuery query;
    if (auto index = context.customers.Find(customer)) {
      query.customer = *index;
      query.segment = context.customer_segment[*index];
    }
    const int64_t affinity_row = context.affinity->FindCustomer(customer);
    products.clear();
    rows.clear();
    for (size_t i = begin; i < end; ++i) {
      models::RankExample& e = examples[order[i]];
      e.customer_category_affinity =
          context.affinity->Value(affinity_row, context.affinity->FindCategory(e.product_category));
      e.retrieval_scores = {};
      if (auto product = context.products.Find(e.product_id)) {
        products.push_back(*product);
        rows.push_back(order[i]);
      }
    }
    scores.resize(products.size());
    models::ScoreForRanking(*context.blend, query, products, scores);
    for (size_t j = 0; j < rows.size(); ++j) examples[rows[j]].retrieval_scores = scores[j];
    begin = end;
  }
}

void AddTwoStageFeatures(const RankContext& context, models::RankExampleTable& examples) {
  const size_t n = examples.size();
  // Each table id looked up once in the context.
  std::vector<int32_t> category(examples.categories.size());
  for (uint32_t c = 0; c < examples.categories.size(); ++c) {
    category[c] = context.affinity->FindCategory(examples.categories.key(c));
  }
  std::vector<std::optional<uint32_t>> product(examples.product_ids.size());
  for (uint32_t p = 0; p < examples.product_ids.size(); ++p) {
    product[p] = context.products.Find(examples.product_ids.key(p));
  }
  // The rows of each customer together (counting sort on the customer
  // index), in their table order as the RankExample version sees them.
  std::vector<size_t> start(examples.customer_ids.size() + 1, 0);
  for (size_t r = 0; r < n; ++r) ++start[examples.customer[r] + 1];
  for (size_t c = 1; c < start.size(); ++c) start[c] += start[c - 1];
  std::vector<size_t> order(n);
  {
    std::vector<size_t> next(start.begin(), start.end() - 1);
    for (size_t r = 0; r < n; ++r) order[next[examples.customer[r]]++] = r;
  }
  examples.customer_category_affinity.assign(n, 0.0f);
  examples.retrieval_scores.assign(n, models::RankRetrievalScores{});
  std::vector<uint32_t> products;
  std::vector<size_t> rows;
  std::vector<models::RankRetrievalScores> scores;
  for (uint32_t c = 0; c + 1 < start.size(); ++c) {
    if (start[c] == start[c + 1]) continue;
    const std::string& customer = examples.customer_ids.key(c);
    models::RetrievalQuery query;
    if (auto index = context.customers.Find(customer)) {
      query.customer = *index;
      query.segment = context.customer_segment[*index];
    }
    const int64_t affinity_row = context.affinity->FindCustomer(customer);
    products.clear();
    rows.clear();
    for (size_t i = start[c]; i < start[c + 1]; ++i) {
      const size_t r = order[i];
      examples.customer_category_affinity[r] =
          context.affinity->Value(affinity_row, category[examples.category[r]]);
      if (const auto& p = product[examples.product[r]]) {
        products.push_back(*p);
        rows.push_back(r);
      }
    }
    scores.resize(products.size());
    models::ScoreForRanking(*context.blend, query, products, scores);
    for (size_t j = 0; j < rows.size(); ++j) examples.retrieval_scores[rows[j]] = scores[j];
  }
  examples.DropIds();
}

StatusOr<std::filesystem::path> TrainAndPublishTwoStageRank(
    const std::filesystem::path& home, Clock* clock, RankTrainingRequest request,
    const std::string& split, const models::RetrievalTrainOptions& retrieval,
    models::RankTrainingMetrics* metrics) {
  if (split.empty()) {
    return InvalidArgumentError(
        "a two-stage ranker needs --split: its features come from the evidence before it, and "
        "it trains on the clicks after");
  }
  ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/true,
                                             /*sync_writes=*/false, request.backends));
  RetrievalTrainingMetrics evidence_metrics;
  ASSIGN_OR_RETURN(RetrievalEvidence evidence,
                   LoadStoreEvidence(*store, ClickRange::Before(split), &evidence_metrics));
  if (evidence.matrix.nnz() == 0) {
    return FailedPreconditionError("no purchase evidence before " + split);
  }
  ASSIGN_OR_RETURN(RankContext context, BuildRankContext(std::move(evidence), retrieval));
  request.context = &context;
  request.clicks.from = split;
  models::RankTrainingMetrics measured;
  ASSIGN_OR_RETURN(models::RankModel model, TrainRank(*store, request, &measured));
  Clock& publish_clock = clock ? *clock : *Clock::Real();
  ASSIGN_OR_RETURN(
      std::filesystem::path blend_dir,
      models::PublishModelVersion(home, kRetrievalModelKind, publish_clock,
                                  [&](const std::filesystem::path& dir) -> Status {
                                    RETURN_IF_ERROR(recommend::SaveBlendModel(
                                        dir, *context.blend, context.customers, context.products));
                                    return WriteFileAtomic(
                                        dir / "metrics.json",
                                        DumpJson(RetrievalMetricsJson(evidence_metrics), 2) + "\n");
                                  }));
  (void)blend_dir;
  ASSIGN_OR_RETURN(std::filesystem::path dir, PublishRank(home, publish_clock, model, measured));
  if (metrics != nullptr) *metrics = std::move(measured);
  return dir;
}

}  // namespace pantry::workshop
