#include "pantry/workshop/retrieval_training.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>

#include "pantry/common/file_util.h"
#include "pantry/common/time_format.h"
#include "pantry/models/model_store.h"
#include "pantry/recommend/blend_model.h"
#include "pantry/workshop/training.h"

namespace pantry::workshop {
namespace {

using featurestore::FeatureValue;

bool HasGroup(const featurestore::FeatureStore& store, std::string_view name) {
  for (const auto& group : store.ListFeatureGroups()) {
    if (group.name == name) return true;
  }
  return false;
}

StatusOr<double> Number(const FeatureValue& value, const char* column) {
  auto number = value.AsDouble();
  if (!number.has_value() || !std::isfinite(*number)) {
    return InvalidArgumentError(std::string("retrieval evidence, column ") + column +
                                ": expected a finite number, got '" + value.ToString() + "'");
  }
  return *number;
}

// Adds one (customer, product, time) row of evidence with weight 1.
Status AddEvidence(RetrievalEvidence& d, models::InteractionMatrix::Builder& builder,
                   std::span<const FeatureValue> row) {
  const std::string customer_id = row[0].ToString();
  const std::string product_id = row[1].ToString();
  auto customer = d.customers.Find(customer_id);
  auto product = d.products.Find(product_id);
  if (!customer || !product) {
    return InvalidArgumentError("retrieval evidence names an unknown id: " + customer_id + " / " +
                                product_id);
  }
  int64_t time = 0;
  if (auto parsed = ParseIso8601Micros(row[2].ToString()); parsed.ok()) time = *parsed;
  return builder.Add({*customer, *product, 1.0f, time});
}

}  // namespace

StatusOr<RetrievalEvidence> LoadStoreEvidence(const featurestore::FeatureStore& store,
                                              const ClickRange& clicks,
                                              RetrievalTrainingMetrics* metrics) {
  RetrievalTrainingMetrics local;
  RetrievalTrainingMetrics& m = metrics ? *metrics : local;
  RetrievalEvidence d;
  RETURN_IF_ERROR(store.QueryEach("SELECT product_id, product_category FROM products", nullptr,
                                  [&](std::span<const FeatureValue> row) {
                                    d.products.Intern(row[0].ToString());
                                    d.product_category.push_back(
                                        d.categories.Intern(row[1].ToString()));
                                    return Status::Ok();
                                  }));
  RETURN_IF_ERROR(store.QueryEach(
      "SELECT customer_id, customer_health_index, age FROM customers", nullptr,
      [&](std::span<const FeatureValue> row) -> Status {
        ASSIGN_OR_RETURN(double health, Number(row[1], "customer_health_index"));
        ASSIGN_OR_RETURN(double age, Number(row[2], "age"));
        d.customers.Intern(row[0].ToString());
        d.customer_segment.push_back(models::ProfileSegment(health, static_cast<int>(age)));
        return Status::Ok();
      }));
  models::InteractionMatrix::Builder builder;
  if (HasGroup(store, "orders")) {
    RETURN_IF_ERROR(store.QueryEach("SELECT customer_id, product_id, event_time FROM orders",
                                    nullptr, [&](std::span<const FeatureValue> row) {
                                      ++m.order_rows;
                                      return AddEvidence(d, builder, row);
                                    }));
  }
  // The bounds are validated the same way as the workshop's queries.
  ASSIGN_OR_RETURN(std::string ignored, CfQuery(models::CfTarget::kImplicit, clicks));
  (void)ignored;
  std::string sql =
      "SELECT customer_id, product_id, event_time FROM click_stream_historical WHERE bought = 1";
  if (!clicks.from.empty()) sql += " AND event_time >= '" + clicks.from + "'";
  if (!clicks.before.empty()) sql += " AND event_time < '" + clicks.before + "'";
  RETURN_IF_ERROR(store.QueryEach(sql, nullptr, [&](std::span<const FeatureValue> row) {
    ++m.bought_click_rows;
    return AddEvidence(d, builder, row);
  }));
  d.matrix = std::move(builder).Build(d.customers.size(), d.products.size());
  m.evidence_pairs = d.matrix.nnz();
  m.customers = d.customers.size();
  m.products = d.products.size();
  return d;
}

StatusOr<std::filesystem::path> TrainAndPublishRetrieval(const std::filesystem::path& home,
                                                         Clock* clock,
                                                         const RetrievalTrainingRequest& request,
                                                         RetrievalTrainingMetrics* metrics) {
  RetrievalTrainingMetrics local;
  RetrievalTrainingMetrics& m = metrics ? *metrics : local;
  ASSIGN_OR_RETURN(auto store, OpenHomeStore(home, clock, /*read_only=*/true,
                                             /*sync_writes=*/false, request.backends));
  const auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(RetrievalEvidence d, LoadStoreEvidence(*store, request.clicks, &m));
  if (d.matrix.nnz() == 0) {
    return FailedPreconditionError(
        "no purchase evidence in the store (load orders or click_stream_historical first)");
  }
  ASSIGN_OR_RETURN(auto blend, models::TrainBlendedRetriever(d.matrix, d.product_category,
                                                             d.customer_segment, request.options));
  m.train_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return models::PublishModelVersion(
      home, kRetrievalModelKind, clock ? *clock : *Clock::Real(),
      [&](const std::filesystem::path& dir) -> Status {
        RETURN_IF_ERROR(recommend::SaveBlendModel(dir, *blend, d.customers, d.products));
        return WriteFileAtomic(dir / "metrics.json", DumpJson(RetrievalMetricsJson(m), 2) + "\n");
      });
}

Json RetrievalMetricsJson(const RetrievalTrainingMetrics& m) {
  return {{"kind", kRetrievalModelKind},
          {"method", "blend"},
          {"order_rows", m.order_rows},
          {"bought_click_rows", m.bought_click_rows},
          {"evidence_pairs", m.evidence_pairs},
          {"customers", m.customers},
          {"products", m.products},
          {"train_seconds", m.train_seconds}};
}

}  // namespace pantry::workshop
