#include "pantry/server/recommend_result_json.h"

namespace pantry::server {

using recommend::FeatureContribution;
using recommend::RecommendedItem;

OrderedJson RecommendResultToJson(const recommend::RecommendResult& result) {
  OrderedJson items = OrderedJson::array();
  for (const RecommendedItem& item : result.items) {
    OrderedJson j;
    j["product_id"] = item.product_id;
    j["product_name"] = item.product_name;
    j["product_category"] = item.product_category;
    j["product_health_index"] = item.product_health_index;
    j["cf_score"] = item.cf_score;
    j["propensity_to_buy"] = item.propensity_to_buy;
    if (!item.contributions.empty()) {
      OrderedJson contributions = OrderedJson::array();
      for (const FeatureContribution& c : item.contributions) {
        contributions.push_back(
            {{"feature", c.feature}, {"value", c.value}, {"contribution", c.contribution}});
      }
      j["explanation"] = {{"contributions", std::move(contributions)},
                          {"bias", item.bias_contribution}};
    }
    if (!result.feature_names.empty()) {
      OrderedJson features = OrderedJson::object();
      for (size_t f = 0; f < result.feature_names.size() && f < item.features.size(); ++f) {
        features[result.feature_names[f]] = item.features[f];
      }
      j["features"] = std::move(features);
    }
    items.push_back(std::move(j));
  }
  OrderedJson live;
  live["source"] = result.live.source;
  live["sum_activity_weight_last_2m"] = result.live.sum_activity_weight_last_2m;
  live["avg_product_health_index_last_2m"] = result.live.avg_product_health_index_last_2m;
  live["healthy_activity_last_2m"] = result.live.healthy_activity_last_2m;
  if (result.live.event_time_micros.has_value()) {
    live["event_time"] = static_cast<double>(*result.live.event_time_micros) / 1e6;
  }
  live["stale"] = result.live.stale;
  OrderedJson out;
  out["customer_id"] = result.customer_id;
  out["items"] = std::move(items);
  out["live_features"] = std::move(live);
  out["customer_health_index"] = result.customer_health_index;
  out["known_to_cf"] = result.known_to_cf;
  out["model_versions"] = {{"cf", result.cf_version}, {"rank", result.rank_version}};
  out["retrieval"] = result.retrieval;
  out["candidates"] = result.candidates;
  out["catalog_size"] = result.catalog_size;
  out["took_ms"] = result.took_ms;
  return out;
}

}  // namespace pantry::server
