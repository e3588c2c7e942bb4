#include "pantry/workshop/evaluation.h"

#include <algorithm>
#include <chrono>

#include "pantry/common/file_util.h"
#include "pantry/common/time_format.h"
#include "pantry/models/fm_retrieval.h"
#include "pantry/models/metrics.h"

namespace pantry::workshop {
namespace {

using SteadyClock = std::chrono::steady_clock;

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

template <typename T>
std::optional<T> SummaryNumber(const Json& summary, const char* key) {
  if (!summary.is_object() || !summary.contains(key) || !summary[key].is_number()) {
    return std::nullopt;
  }
  return summary[key].get<T>();
}

template <typename T>
Json OrNull(const std::optional<T>& value) {
  return value.has_value() ? Json(*value) : Json();
}

}  // namespace

DatasetSummary SummarizeTruth(const datagen::GroundTruth& truth) {
  const Json& s = truth.summary;
  DatasetSummary d;
  d.customers = SummaryNumber<int64_t>(s, "customers");
  d.products = SummaryNumber<int64_t>(s, "products");
  d.click_rows = SummaryNumber<int64_t>(s, "click_rows");
  d.oracle_recall_at_10 = SummaryNumber<double>(s, "oracle_recall_at_10");
  d.oracle_recall_at_100 = SummaryNumber<double>(s, "oracle_recall_at_100");
  d.popularity_recall_at_10 = SummaryNumber<double>(s, "popularity_recall_at_10");
  d.popularity_recall_at_100 = SummaryNumber<double>(s, "popularity_recall_at_100");
  d.oracle_auc = SummaryNumber<double>(s, "oracle_auc");
  d.oracle_auc_without_activity = SummaryNumber<double>(s, "oracle_auc_without_activity");
  return d;
}

StatusOr<RetrievalEvaluation> EvaluateRetrieval(const featurestore::FeatureStore& store,
                                                const datagen::GroundTruth& truth,
                                                const std::string& heldout_from,
                                                CfTrainingRequest request) {
  RetrievalEvaluation out;
  request.clicks = ClickRange::Before(heldout_from);
  const auto train_start = SteadyClock::now();
  ASSIGN_OR_RETURN(models::CfModel cf, TrainCf(store, request, &out.training));
  out.train_seconds = SecondsSince(train_start);

  ASSIGN_OR_RETURN(Catalog catalog, LoadCatalog(store));
  ASSIGN_OR_RETURN(models::FmCatalogIndex index, cf.BuildCatalogIndex(catalog.ids, catalog.names));
  ASSIGN_OR_RETURN(CustomerFeatures customers, LoadCustomerFeatures(store));
  std::vector<uint32_t> indices;
  std::vector<float> values;
  size_t retrievals = 0;
  // Top 100 of the whole catalog; an unknown customer gets the ranking of
  // an empty customer row (biases and product terms only).
  auto rank_customer = [&](const std::string& customer) {
    indices.clear();
    values.clear();
    auto it = customers.find(customer);
    if (it != customers.end()) {
      cf.EncodeCustomer(customer, it->second.first, it->second.second, &indices, &values);
    }
    auto top = index.TopK(models::FmCatalogIndex::EncodeCustomer(cf.fm(), {indices, values}), 100);
    ++retrievals;
    std::vector<std::string> ranked;
    for (const auto& item : top) ranked.push_back(catalog.ids[item.product]);
    return ranked;
  };
  const auto retrieval_start = SteadyClock::now();
  out.recall_at_10 = datagen::MeanRecallAtK(truth, 10, rank_customer);
  out.recall_at_100 = datagen::MeanRecallAtK(truth, 100, rank_customer);
  out.retrieval_ms_per_customer =
      SecondsSince(retrieval_start) * 1000 / static_cast<double>(std::max<size_t>(1, retrievals));
  return out;
}

StatusOr<RankerEvaluation> EvaluateRanker(const featurestore::FeatureStore& store,
                                          const std::string& heldout_from,
                                          RankTrainingRequest request, const RankContext* context,
                                          const std::string& train_from) {
  RankerEvaluation out;
  ASSIGN_OR_RETURN(std::vector<models::RankExample> heldout,
                   LoadRankExamples(store, ClickRange::From(heldout_from), context != nullptr));
  out.heldout_rows = heldout.size();
  std::vector<float> labels;
  labels.reserve(heldout.size());
  for (const auto& e : heldout) labels.push_back(e.bought);
  auto heldout_auc = [&](bool click_features,
                         models::RankTrainingMetrics* metrics) -> StatusOr<double> {
    request.use_click_features = click_features;
    ASSIGN_OR_RETURN(models::RankModel model, TrainRank(store, request, metrics));
    ASSIGN_OR_RETURN(std::vector<float> p, model.Predict(heldout));
    return models::Auc(p, labels);
  };
  const auto start = SteadyClock::now();
  if (context != nullptr) {
    request.clicks = ClickRange::Before(heldout_from);
    request.context = nullptr;
    ASSIGN_OR_RETURN(out.auc_single_stage, heldout_auc(true, nullptr));
    out.two_stage = true;
    out.train_from = train_from;
    AddTwoStageFeatures(*context, heldout);
    request.context = context;
    request.clicks = {train_from, heldout_from};
  } else {
    request.clicks = ClickRange::Before(heldout_from);
  }
  ASSIGN_OR_RETURN(out.auc, heldout_auc(true, &out.training));
  ASSIGN_OR_RETURN(out.auc_without_click_features,
                   heldout_auc(false, &out.training_without_click_features));
  out.train_seconds_both = SecondsSince(start);
  return out;
}

StatusOr<EvalReport> RunEval(const std::filesystem::path& home, Clock* clock,
                             const EvalRequest& request) {
  EvalReport report;
  report.dataset = request.data;
  ASSIGN_OR_RETURN(datagen::GroundTruth truth, datagen::LoadGroundTruth(request.data));
  ASSIGN_OR_RETURN(std::string heldout_from, GetJsonString(truth.summary, "click_heldout_from"));
  report.truth = SummarizeTruth(truth);
  report.eval_customers = truth.eval_customers.size();
  {
    ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/false,
                                               /*sync_writes=*/false, request.backends));
    RETURN_IF_ERROR(
        LoadDataset(*store, request.data, TrainingGroupNames(), request.on_group_loaded));
  }
  ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/true,
                                             /*sync_writes=*/false, request.backends));
  ASSIGN_OR_RETURN(report.cf, EvaluateRetrieval(*store, truth, heldout_from, request.cf));
  ASSIGN_OR_RETURN(report.retrieval, EvaluateBlend(request.data, truth, request.retrieval));
  if (request.rank_context_fraction <= 0) {
    ASSIGN_OR_RETURN(report.rank, EvaluateRanker(*store, heldout_from, request.rank));
    return report;
  }
  // The ranker's context from the evidence of an earlier period than the
  // clicks it trains on (docs/models.md, "Leakage").
  ASSIGN_OR_RETURN(std::string time_start, GetJsonString(truth.summary, "time_start"));
  ASSIGN_OR_RETURN(int64_t start_micros, ParseIso8601Micros(time_start));
  const int64_t span = truth.click_heldout_from_micros - start_micros;
  const int64_t split =
      start_micros + static_cast<int64_t>(std::min(request.rank_context_fraction, 0.95) *
                                          static_cast<double>(span));
  // Whole seconds: the store's times have second resolution.
  const std::string train_from = FormatIso8601Micros(split - split % 1000000);
  ASSIGN_OR_RETURN(int64_t split_micros, ParseIso8601Micros(train_from));
  ASSIGN_OR_RETURN(RetrievalEvidence evidence, LoadDatasetEvidence(request.data, split_micros));
  ASSIGN_OR_RETURN(RankContext context, BuildRankContext(std::move(evidence), request.retrieval));
  ASSIGN_OR_RETURN(report.rank,
                   EvaluateRanker(*store, heldout_from, request.rank, &context, train_from));
  return report;
}

OrderedJson EvalReportJson(const EvalReport& r) {
  const DatasetSummary& t = r.truth;
  OrderedJson report;
  report["dataset"] = r.dataset.string();
  report["customers"] = OrNull(t.customers);
  report["products"] = OrNull(t.products);
  report["click_rows"] = OrNull(t.click_rows);
  report["eval_customers"] = r.eval_customers;
  report["cf"] = {{"recall_at_10", r.cf.recall_at_10},
                  {"recall_at_100", r.cf.recall_at_100},
                  {"oracle_recall_at_10", OrNull(t.oracle_recall_at_10)},
                  {"oracle_recall_at_100", OrNull(t.oracle_recall_at_100)},
                  {"popularity_recall_at_10", OrNull(t.popularity_recall_at_10)},
                  {"popularity_recall_at_100", OrNull(t.popularity_recall_at_100)},
                  {"train_seconds", r.cf.train_seconds},
                  {"retrieval_ms_per_customer", r.cf.retrieval_ms_per_customer},
                  {"training", CfMetricsJson(r.cf.training)}};
  report["retrieval"] = BlendEvaluationJson(r.retrieval);
  report["rank"] = {
      {"two_stage", r.rank.two_stage},
      {"train_from", r.rank.two_stage ? Json(r.rank.train_from) : Json()},
      {"auc_single_stage", OrNull(r.rank.auc_single_stage)},
      {"heldout_rows", r.rank.heldout_rows},
      {"auc", r.rank.auc},
      {"auc_without_click_features", r.rank.auc_without_click_features},
      {"oracle_auc", OrNull(t.oracle_auc)},
      {"oracle_auc_without_activity", OrNull(t.oracle_auc_without_activity)},
      {"train_seconds_both", r.rank.train_seconds_both},
      {"training", RankMetricsJson(r.rank.training)},
      {"training_without_click_features", RankMetricsJson(r.rank.training_without_click_features)}};
  return report;
}

Status WriteEvalReport(const std::filesystem::path& path, const EvalReport& report) {
  return WriteFileAtomic(path, DumpJson(EvalReportJson(report), 2) + "\n");
}

}  // namespace pantry::workshop
