#include "pantry/workshop/training_data.h"

#include <cmath>

#include "pantry/common/time_format.h"

namespace pantry::workshop {
namespace {

using featurestore::FeatureValue;

constexpr const char* kClickJoins =
    " FROM click_stream_historical cs "
    "JOIN customers c ON c.customer_id = cs.customer_id "
    "JOIN products p ON p.product_id = cs.product_id";

// The bounds are inlined into the SQL, so they must be times and nothing
// else (which also rules out quotes).
Status CheckTime(const std::string& value, const char* bound) {
  if (value.empty() || ParseIso8601Micros(value).ok()) return Status::Ok();
  return InvalidArgumentError(std::string(bound) + ": '" + value + "' is not an ISO-8601 time");
}

// " AND ..." conditions for `range` (empty when unbounded).
StatusOr<std::string> RangeConditions(const ClickRange& range) {
  RETURN_IF_ERROR(CheckTime(range.from, "from"));
  RETURN_IF_ERROR(CheckTime(range.before, "before"));
  std::string sql;
  if (!range.from.empty()) sql += " AND cs.event_time >= '" + range.from + "'";
  if (!range.before.empty()) sql += " AND cs.event_time < '" + range.before + "'";
  return sql;
}

StatusOr<double> AsNumber(const FeatureValue& value, const char* column, size_t row) {
  auto number = value.AsDouble();
  if (!number.has_value() || !std::isfinite(*number)) {
    return InvalidArgumentError("query row " + std::to_string(row) + ", column " + column +
                                ": expected a finite number, got '" + value.ToString() + "'");
  }
  return *number;
}

Status CheckWidth(std::span<const FeatureValue> row, size_t width, size_t row_number) {
  if (row.size() == width) return Status::Ok();
  return InvalidArgumentError("query row " + std::to_string(row_number) + ": expected " +
                              std::to_string(width) + " columns, got " +
                              std::to_string(row.size()));
}

}  // namespace

StatusOr<std::string> CfQuery(models::CfTarget target, const ClickRange& range) {
  ASSIGN_OR_RETURN(std::string conditions, RangeConditions(range));
  const bool bought = target == models::CfTarget::kBought;
  return "SELECT cs.customer_id, c.is_married, c.state, cs.product_id, p.product_name, " +
         std::string(bought ? "cs.bought" : "cs.rating") + kClickJoins + " WHERE " +
         std::string(bought ? "1 = 1" : "cs.bought = 1") + conditions;
}

StatusOr<std::string> RankQuery(const ClickRange& range, bool with_ids) {
  ASSIGN_OR_RETURN(std::string conditions, RangeConditions(range));
  std::string sql =
      "SELECT cs.bought, cs.sum_activity_weight_last_2m, cs.avg_product_health_index_last_2m, "
      "p.product_health_index, c.customer_health_index, p.product_category" +
      std::string(with_ids ? ", cs.customer_id, cs.product_id" : "") + std::string(kClickJoins);
  if (!conditions.empty()) sql += " WHERE" + conditions.substr(4);  // drop the first " AND"
  return sql;
}

StatusOr<models::CfExample> CfExampleFromRow(std::span<const FeatureValue> row, size_t row_number) {
  RETURN_IF_ERROR(CheckWidth(row, 6, row_number));
  models::CfExample e;
  e.customer_id = row[0].ToString();
  e.is_married = row[1].ToString();
  e.state = row[2].ToString();
  e.product_id = row[3].ToString();
  e.product_name = row[4].ToString();
  ASSIGN_OR_RETURN(double target, AsNumber(row[5], "target", row_number));
  e.rating = static_cast<float>(target);
  return e;
}

StatusOr<models::RankExample> RankExampleFromRow(std::span<const FeatureValue> row,
                                                 size_t row_number) {
  if (row.size() != 8) RETURN_IF_ERROR(CheckWidth(row, 6, row_number));
  static constexpr const char* kNames[] = {"bought", "sum_activity_weight_last_2m",
                                           "avg_product_health_index_last_2m",
                                           "product_health_index", "customer_health_index"};
  double values[5];
  for (int c = 0; c < 5; ++c) {
    ASSIGN_OR_RETURN(values[c], AsNumber(row[c], kNames[c], row_number));
  }
  models::RankExample e;
  e.bought = static_cast<float>(values[0]);
  e.sum_activity_weight_last_2m = static_cast<float>(values[1]);
  e.avg_product_health_index_last_2m = static_cast<float>(values[2]);
  e.product_health_index = static_cast<float>(values[3]);
  e.customer_health_index = static_cast<float>(values[4]);
  e.product_category = row[5].ToString();
  if (row.size() == 8) {
    e.customer_id = row[6].ToString();
    e.product_id = row[7].ToString();
  }
  return e;
}

StatusOr<std::vector<models::CfExample>> LoadCfExamples(const featurestore::FeatureStore& store,
                                                        models::CfTarget target,
                                                        const ClickRange& range) {
  ASSIGN_OR_RETURN(std::string sql, CfQuery(target, range));
  std::vector<models::CfExample> examples;
  Status status = store.QueryEach(sql, nullptr, [&](std::span<const FeatureValue> row) {
    ASSIGN_OR_RETURN(models::CfExample e, CfExampleFromRow(row, examples.size()));
    examples.push_back(std::move(e));
    return Status::Ok();
  });
  if (!status.ok()) return status.WithContext("CF training query");
  return examples;
}

StatusOr<std::vector<models::RankExample>> LoadRankExamples(const featurestore::FeatureStore& store,
                                                            const ClickRange& range,
                                                            bool with_ids) {
  ASSIGN_OR_RETURN(std::string sql, RankQuery(range, with_ids));
  std::vector<models::RankExample> examples;
  Status status = store.QueryEach(sql, nullptr, [&](std::span<const FeatureValue> row) {
    ASSIGN_OR_RETURN(models::RankExample e, RankExampleFromRow(row, examples.size()));
    examples.push_back(std::move(e));
    return Status::Ok();
  });
  if (!status.ok()) return status.WithContext("ranking training query");
  return examples;
}

StatusOr<models::RankExampleTable> LoadRankExampleTable(const featurestore::FeatureStore& store,
                                                        const ClickRange& range, bool with_ids) {
  ASSIGN_OR_RETURN(std::string sql, RankQuery(range, with_ids));
  models::RankExampleTable table;
  Status status = store.QueryEach(sql, nullptr, [&](std::span<const FeatureValue> row) {
    ASSIGN_OR_RETURN(models::RankExample e, RankExampleFromRow(row, table.size()));
    table.Add(e, with_ids);
    return Status::Ok();
  });
  if (!status.ok()) return status.WithContext("ranking training query");
  return table;
}

StatusOr<Catalog> LoadCatalog(const featurestore::FeatureStore& store) {
  Catalog catalog;
  RETURN_IF_ERROR(store.QueryEach("SELECT product_id, product_name FROM products", nullptr,
                                  [&](std::span<const FeatureValue> row) {
                                    catalog.ids.push_back(row[0].ToString());
                                    catalog.names.push_back(row[1].ToString());
                                    return Status::Ok();
                                  }));
  return catalog;
}

StatusOr<CustomerFeatures> LoadCustomerFeatures(const featurestore::FeatureStore& store) {
  CustomerFeatures customers;
  RETURN_IF_ERROR(
      store.QueryEach("SELECT customer_id, is_married, state FROM customers", nullptr,
                      [&](std::span<const FeatureValue> row) {
                        customers[row[0].ToString()] = {row[1].ToString(), row[2].ToString()};
                        return Status::Ok();
                      }));
  return customers;
}

StatusOr<std::vector<std::string>> FirstCustomerIds(const featurestore::FeatureStore& store,
                                                    size_t limit) {
  ASSIGN_OR_RETURN(featurestore::QueryResult rows,
                   store.Query("SELECT customer_id FROM customers ORDER BY customer_id LIMIT " +
                               std::to_string(limit)));
  if (rows.rows.empty()) return FailedPreconditionError("the customers group is empty");
  std::vector<std::string> ids;
  ids.reserve(rows.rows.size());
  for (const auto& row : rows.rows) ids.push_back(row[0].ToString());
  return ids;
}

}  // namespace pantry::workshop
