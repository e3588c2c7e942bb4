#include "pantry/workshop/retrieval_evaluation.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <functional>
#include <string>

#include "pantry/common/csv_columns.h"
#include "pantry/datagen/purchase_evidence.h"

namespace pantry::workshop {
namespace {

namespace fs = std::filesystem;

StatusOr<double> ParseDouble(const fs::path& file, std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) {
    return InvalidArgumentError(file.string() + ": not a number: " + std::string(text));
  }
  return value;
}

// `profile_only`: each customer queried as if new (profile segment only,
// no history), the cold-start path for customers the generator gives
// history to.
RecallAtK Recall(const datagen::GroundTruth& truth, const RetrievalEvidence& d,
                 const models::CandidateSource& source, bool profile_only = false) {
  auto rank = [&](const std::string& customer_id, size_t k) {
    std::vector<std::string> ranked;
    auto c = d.customers.Find(customer_id);
    if (!c) return ranked;  // not in customers.csv: nothing to query with
    models::RetrievalQuery q;
    if (profile_only) {
      q.segment = d.customer_segment[*c];
    } else {
      q.customer = *c;
    }
    for (const models::Candidate& x : source.Retrieve(q, k)) {
      ranked.push_back(d.products.key(x.product));
    }
    return ranked;
  };
  RecallAtK r;
  r.at_10 = datagen::MeanRecallAtK(truth, 10, [&](const std::string& c) { return rank(c, 10); });
  r.at_100 = datagen::MeanRecallAtK(truth, 100, [&](const std::string& c) { return rank(c, 100); });
  return r;
}

OrderedJson RecallJson(const RecallAtK& r) {
  OrderedJson j;
  j["recall_at_10"] = r.at_10;
  j["recall_at_100"] = r.at_100;
  return j;
}

}  // namespace

StatusOr<RetrievalEvidence> LoadDatasetEvidence(const fs::path& dir, int64_t clicks_before_micros) {
  RetrievalEvidence d;
  RETURN_IF_ERROR(ForEachCsvRow(dir / "products.csv", {"product_id", "product_category"},
                                [&](const std::vector<std::string_view>& f) -> Status {
                                  d.products.Intern(f[0]);
                                  d.product_category.push_back(d.categories.Intern(f[1]));
                                  return Status::Ok();
                                }));
  const fs::path customers_csv = dir / "customers.csv";
  RETURN_IF_ERROR(ForEachCsvRow(customers_csv, {"customer_id", "customer_health_index", "age"},
                                [&](const std::vector<std::string_view>& f) -> Status {
                                  ASSIGN_OR_RETURN(double health, ParseDouble(customers_csv, f[1]));
                                  ASSIGN_OR_RETURN(double age, ParseDouble(customers_csv, f[2]));
                                  d.customers.Intern(f[0]);
                                  d.customer_segment.push_back(
                                      models::ProfileSegment(health, static_cast<int>(age)));
                                  return Status::Ok();
                                }));
  models::InteractionMatrix::Builder builder;
  datagen::EvidenceOptions options;
  options.clicks_before_micros = clicks_before_micros;
  RETURN_IF_ERROR(
      datagen::ForEachEvidenceRow(dir, options, [&](const datagen::EvidenceRow& row) -> Status {
        auto customer = d.customers.Find(row.customer_id);
        auto product = d.products.Find(row.product_id);
        if (!customer || !product) {
          return InvalidArgumentError(
              "evidence names an unknown id: " + std::string(row.customer_id) + " / " +
              std::string(row.product_id));
        }
        return builder.Add({*customer, *product, row.weight, row.time_micros});
      }));
  d.matrix = std::move(builder).Build(d.customers.size(), d.products.size());
  return d;
}

StatusOr<BlendEvaluation> EvaluateBlend(const fs::path& dir, const datagen::GroundTruth& truth,
                                        const models::RetrievalTrainOptions& options) {
  BlendEvaluation out;
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(RetrievalEvidence d, LoadDatasetEvidence(dir, truth.click_heldout_from_micros));
  ASSIGN_OR_RETURN(auto blend, models::TrainBlendedRetriever(d.matrix, d.product_category,
                                                             d.customer_segment, options));
  out.train_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  out.evidence_pairs = d.matrix.nnz();
  out.blend = Recall(truth, d, *blend);
  if (const auto* als = blend->Find("als")) out.als = Recall(truth, d, *als);
  if (const auto* knn = blend->Find("item_knn")) out.item_knn = Recall(truth, d, *knn);

  // Cold and warm subsets: MeanRecallAtK averages over eval_customers, so
  // each subset is scored on a copy of the truth restricted to it.
  datagen::GroundTruth cold = truth, warm = truth;
  cold.eval_customers.clear();
  warm.eval_customers.clear();
  for (const std::string& id : truth.eval_customers) {
    auto c = d.customers.Find(id);
    const bool has_evidence = c && !d.matrix.customer(*c).items.empty();
    (has_evidence ? warm : cold).eval_customers.push_back(id);
  }
  out.cold_customers = cold.eval_customers.size();
  out.blend_cold = Recall(cold, d, *blend);
  out.blend_warm = Recall(warm, d, *blend);
  out.blend_profile_only = Recall(truth, d, *blend, /*profile_only=*/true);
  return out;
}

OrderedJson BlendEvaluationJson(const BlendEvaluation& e) {
  OrderedJson j;
  j["method"] = "blend (als + item_knn + category popularity)";
  j["blend"] = RecallJson(e.blend);
  j["als"] = RecallJson(e.als);
  j["item_knn"] = RecallJson(e.item_knn);
  j["cold_customers"] = e.cold_customers;
  j["blend_cold_start"] = RecallJson(e.blend_cold);
  j["blend_warm"] = RecallJson(e.blend_warm);
  j["blend_profile_only"] = RecallJson(e.blend_profile_only);
  j["evidence_pairs"] = e.evidence_pairs;
  j["train_seconds"] = e.train_seconds;
  return j;
}

}  // namespace pantry::workshop
