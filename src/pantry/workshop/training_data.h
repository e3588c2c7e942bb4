// The workshop's training data: the CF and ranking queries over the feature
// store's offline tables (click_stream_historical joined with customers and
// products) and the mapping of their rows to models::CfExample and
// models::RankExample. Also the catalog and customer lookups that retrieval
// evaluation needs. Every function only reads (a read-only store is enough).
#ifndef PANTRY_WORKSHOP_TRAINING_DATA_H_
#define PANTRY_WORKSHOP_TRAINING_DATA_H_

#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pantry/common/status.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/featurestore/record.h"
#include "pantry/models/cf_model.h"
#include "pantry/models/rank_model.h"

namespace pantry::workshop {

// A range of click rows by event_time, both bounds ISO-8601 (e.g.
// "2026-10-01T00:00:00Z"); empty = unbounded.
struct ClickRange {
  std::string from;    // event_time >= from
  std::string before;  // event_time < before

  static ClickRange Before(std::string time) { return {"", std::move(time)}; }
  static ClickRange From(std::string time) { return {std::move(time), ""}; }
};

// The workshop's CF query: purchased (bought = 1) click rows with rating,
// joined with the customer's is_married/state and the product's name.
// For CfTarget::kBought every click row is used and the target column is
// bought. Columns: customer_id, is_married, state, product_id, product_name,
// target. InvalidArgument if a bound is not an ISO-8601 time.
StatusOr<std::string> CfQuery(models::CfTarget target, const ClickRange& range);

// The ranking query (the workshop's, with the live activity as its summed
// weight and mean health instead of their product, from which the feature
// view derives healthy_activity_last_2m). Columns: bought,
// sum_activity_weight_last_2m, avg_product_health_index_last_2m,
// product_health_index, customer_health_index, product_category, and with
// `with_ids` customer_id, product_id (what the two-stage features are keyed
// by; RankExampleFromRow accepts rows with or without them). The default
// query is unchanged so that the single-stage ranker sees its rows in the
// same order as before.
StatusOr<std::string> RankQuery(const ClickRange& range, bool with_ids = false);

// One row of CfQuery / RankQuery as an example. `row_number` is used in
// errors: InvalidArgument when a numeric column is missing or not a finite
// number ("query row 3, column target: expected a finite number, got ''").
StatusOr<models::CfExample> CfExampleFromRow(std::span<const featurestore::FeatureValue> row,
                                             size_t row_number);
StatusOr<models::RankExample> RankExampleFromRow(std::span<const featurestore::FeatureValue> row,
                                                 size_t row_number);

// Runs the query and maps every row (streamed, not materialised twice).
// Errors carry "CF training query: " / "ranking training query: ".
StatusOr<std::vector<models::CfExample>> LoadCfExamples(const featurestore::FeatureStore& store,
                                                        models::CfTarget target,
                                                        const ClickRange& range);
StatusOr<std::vector<models::RankExample>> LoadRankExamples(const featurestore::FeatureStore& store,
                                                            const ClickRange& range,
                                                            bool with_ids = false);

// The same rows interned column by column (models::RankExampleTable, ~1/5
// of the memory at millions of rows); with `with_ids` the table keeps the
// customer and product ids.
StatusOr<models::RankExampleTable> LoadRankExampleTable(const featurestore::FeatureStore& store,
                                                        const ClickRange& range,
                                                        bool with_ids = false);

// The products group as parallel id and name lists, in the table's order
// (the catalog for negative sampling and retrieval).
struct Catalog {
  std::vector<std::string> ids;
  std::vector<std::string> names;
};
StatusOr<Catalog> LoadCatalog(const featurestore::FeatureStore& store);

// Customer-side CF features by customer_id: {is_married, state}.
using CustomerFeatures = std::unordered_map<std::string, std::pair<std::string, std::string>>;
StatusOr<CustomerFeatures> LoadCustomerFeatures(const featurestore::FeatureStore& store);

// The `limit` smallest customer_ids, ascending (the demo picks its default
// shopper among them); FailedPrecondition when the customers group is empty.
StatusOr<std::vector<std::string>> FirstCustomerIds(const featurestore::FeatureStore& store,
                                                    size_t limit);

}  // namespace pantry::workshop

#endif  // PANTRY_WORKSHOP_TRAINING_DATA_H_
