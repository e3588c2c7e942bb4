// The storefront's endpoints: customer search and profiles, suggested
// shoppers, the product catalogue by category and search. They read the
// workshop's customers and products feature groups (offline store for
// search, online store for a profile).
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "pantry/webui/json_rows.h"
#include "pantry/webui/webui.h"

namespace pantry::webui {
namespace {

using featurestore::FeatureStore;
using server::ErrorStyle;
using server::HttpRequest;
using server::HttpResponse;
using server::RouteAccess;

Status NeedGroup(const FeatureStore& store, std::string_view group) {
  if (store.DescribeFeatureGroup(group).ok()) return Status::Ok();
  return NotFoundError("feature group '" + std::string(group) +
                       "' does not exist yet: load a dataset first (pantry demo)");
}

bool HasFeature(const featurestore::FeatureGroupDefinition& group, std::string_view name) {
  for (const auto& f : group.features) {
    if (f.name == name) return true;
  }
  return false;
}

std::string Quoted(std::string_view name) { return "\"" + std::string(name) + "\""; }

// The latest offline row (every feature) per record of `group_name` that
// satisfies `where` ("" = all), in `order`. Feature names are validated by
// the store, so quoting them is enough.
StatusOr<OrderedJson> LatestRows(const FeatureStore& store, std::string_view group_name,
                                 const std::string& where, const std::string& order, int limit) {
  RETURN_IF_ERROR(NeedGroup(store, group_name));
  ASSIGN_OR_RETURN(featurestore::FeatureGroupDefinition group,
                   store.DescribeFeatureGroup(group_name));
  std::string sql = "SELECT ";
  for (const auto& f : group.features) sql += Quoted(f.name) + ", ";
  // With max() SQLite takes the bare columns from the row holding the max.
  sql += "max(" + Quoted(group.event_time_name) + ") FROM " + Quoted(group.name) +
         " WHERE is_deleted = 0" + (where.empty() ? "" : " AND " + where) + " GROUP BY " +
         Quoted(group.record_identifier_name) + " ORDER BY " + order + " LIMIT " +
         std::to_string(limit);
  ASSIGN_OR_RETURN(featurestore::QueryResult result, store.Query(sql));
  result.column_names.pop_back();  // the max() column
  return RowsToObjects(result);
}

// A case-insensitive "contains" test of `column` against q.
std::string Contains(std::string_view column, const std::string& q) {
  return "lower(" + Quoted(column) + ") LIKE lower('%' || " + SqlLiteral(q, /*like=*/true) +
         " || '%') ESCAPE '\\'";
}

// Customers matching `q` as an exact id or as a part of the name
// (case-insensitive); all customers when `q` is empty.
StatusOr<OrderedJson> SearchCustomers(const FeatureStore& store, const std::string& q, int limit) {
  RETURN_IF_ERROR(NeedGroup(store, "customers"));
  ASSIGN_OR_RETURN(auto group, store.DescribeFeatureGroup("customers"));
  std::string where;
  if (!q.empty()) {
    where = "(customer_id = " + SqlLiteral(q) +
            (HasFeature(group, "name") ? " OR " + Contains("name", q) : "") + ")";
  }
  return LatestRows(store, "customers", where, "length(customer_id), customer_id", limit);
}

StatusOr<OrderedJson> CustomerProfile(const FeatureStore& store, const std::string& id) {
  RETURN_IF_ERROR(NeedGroup(store, "customers"));
  ASSIGN_OR_RETURN(std::optional<featurestore::Record> record, store.GetRecord("customers", id));
  if (!record.has_value()) {
    return NotFoundError("customer '" + id + "' is not in the customers feature group");
  }
  return RecordToJson(*record);
}

struct ProductFilter {
  std::string category;  // empty: all
  std::string q;         // id or part of the name; empty: all
  double min_health = 0;
  double max_health = 1;
  int limit = 48;
};

StatusOr<ProductFilter> ParseProductFilter(const HttpRequest& r) {
  ProductFilter f;
  f.category = StringParam(r, "category");
  f.q = StringParam(r, "q");
  ASSIGN_OR_RETURN(f.min_health, DoubleParam(r, "min_health", 0));
  ASSIGN_OR_RETURN(f.max_health, DoubleParam(r, "max_health", 1));
  ASSIGN_OR_RETURN(f.limit, IntParam(r, "limit", 48, 1, 1000));
  return f;
}

StatusOr<OrderedJson> SearchProducts(const FeatureStore& store, const ProductFilter& f) {
  // Health bounds with a little slack, so that 0.7 includes a stored 0.7.
  char bounds[160];
  std::snprintf(bounds, sizeof(bounds),
                "product_health_index >= %.17g AND product_health_index <= %.17g",
                f.min_health - 1e-9, f.max_health + 1e-9);
  std::string where = bounds;
  if (!f.category.empty()) where += " AND product_category = " + SqlLiteral(f.category);
  if (!f.q.empty()) {
    where += " AND (product_id = " + SqlLiteral(f.q) + " OR " + Contains("product_name", f.q) + ")";
  }
  return LatestRows(store, "products", where, "length(product_id), product_id", f.limit);
}

StatusOr<OrderedJson> Categories(const FeatureStore& store) {
  RETURN_IF_ERROR(NeedGroup(store, "products"));
  ASSIGN_OR_RETURN(featurestore::QueryResult result,
                   store.Query("SELECT product_category AS category, count(DISTINCT product_id) "
                               "AS products FROM products WHERE is_deleted = 0 GROUP BY "
                               "product_category ORDER BY product_category"));
  return RowsToObjects(result);
}

// Shoppers worth watching: first those whose top 5 mixes healthy and
// unhealthy products (sources.suggested_shoppers), then those with the lowest
// health index, whose recommendations have the most room to move toward
// healthy products when they browse healthy ones.
StatusOr<OrderedJson> Suggested(const WebUiSources& sources, int n) {
  std::vector<std::string> ids;
  if (sources.suggested_shoppers) {
    ASSIGN_OR_RETURN(ids, sources.suggested_shoppers(static_cast<size_t>(n)));
  }
  OrderedJson out = OrderedJson::array();
  std::set<std::string> seen;
  for (const std::string& id : ids) {
    auto profile = CustomerProfile(*sources.store, id);
    if (profile.ok() && seen.insert(id).second) out.push_back(std::move(*profile));
  }
  if (static_cast<int>(out.size()) >= n) return out;
  ASSIGN_OR_RETURN(OrderedJson low, LatestRows(*sources.store, "customers", "",
                                               "customer_health_index, customer_id", 2 * n));
  for (auto& row : low) {
    if (static_cast<int>(out.size()) >= n) break;
    if (row["customer_id"].is_string() && seen.insert(row["customer_id"]).second) {
      out.push_back(std::move(row));
    }
  }
  return out;
}

// Wraps a JSON-producing call as a handler: 200 {key: value} or the error.
template <typename F>
server::HttpHandler JsonRoute(std::string key, F produce) {
  return [key = std::move(key), produce](const HttpRequest& request, HttpResponse* response) {
    StatusOr<OrderedJson> value = produce(request);
    if (!value.ok()) return server::SetStatusError(response, value.status());
    OrderedJson body = OrderedJson::object();
    body[key] = std::move(*value);
    response->SetJson(200, body);
  };
}

}  // namespace

Status RegisterCatalogApi(server::HttpService* service, const WebUiSources& sources) {
  const FeatureStore* store = sources.store;
  const ErrorStyle native = ErrorStyle::kNative;
  RETURN_IF_ERROR(service->AddRoute(
      "GET", "/v1/customers", RouteAccess::kRead, native,
      JsonRoute("customers", [store](const HttpRequest& r) -> StatusOr<OrderedJson> {
        ASSIGN_OR_RETURN(int limit, IntParam(r, "limit", 20, 1, 1000));
        return SearchCustomers(*store, StringParam(r, "q"), limit);
      })));
  RETURN_IF_ERROR(service->AddRoute("GET", "/v1/customers/{id}", RouteAccess::kRead, native,
                                    JsonRoute("customer", [store](const HttpRequest& r) {
                                      return CustomerProfile(*store, r.PathParam("id"));
                                    })));
  RETURN_IF_ERROR(service->AddRoute(
      "GET", "/v1/shoppers/suggested", RouteAccess::kRead, native,
      JsonRoute("customers", [sources](const HttpRequest& r) -> StatusOr<OrderedJson> {
        ASSIGN_OR_RETURN(int n, IntParam(r, "n", 5, 1, 50));
        return Suggested(sources, n);
      })));
  RETURN_IF_ERROR(service->AddRoute(
      "GET", "/v1/products", RouteAccess::kRead, native,
      JsonRoute("products", [store](const HttpRequest& r) -> StatusOr<OrderedJson> {
        ASSIGN_OR_RETURN(ProductFilter filter, ParseProductFilter(r));
        return SearchProducts(*store, filter);
      })));
  return service->AddRoute(
      "GET", "/v1/product-categories", RouteAccess::kRead, native,
      JsonRoute("categories", [store](const HttpRequest&) { return Categories(*store); }));
}

}  // namespace pantry::webui
