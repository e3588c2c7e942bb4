#include "pantry/server/recommend_result_json.h"

#include "pantry/common/json_text.h"

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

namespace {

// "key": (after a comma unless first).
void Key(std::string_view key, bool first, std::string* out) {
  if (!first) out->push_back(',');
  AppendJsonString(key, out);
  out->push_back(':');
}

void NumberMember(std::string_view key, double value, std::string* out, bool first = false) {
  Key(key, first, out);
  AppendJsonNumber(value, out);
}

void StringMember(std::string_view key, std::string_view value, std::string* out,
                  bool first = false) {
  Key(key, first, out);
  AppendJsonString(value, out);
}

void AppendItem(const RecommendedItem& item, const std::vector<std::string>& feature_names,
                std::string* out) {
  out->push_back('{');
  StringMember("product_id", item.product_id, out, /*first=*/true);
  StringMember("product_name", item.product_name, out);
  StringMember("product_category", item.product_category, out);
  NumberMember("product_health_index", item.product_health_index, out);
  NumberMember("cf_score", item.cf_score, out);
  NumberMember("propensity_to_buy", item.propensity_to_buy, out);
  if (!item.contributions.empty()) {
    out->append(",\"explanation\":{\"contributions\":[");
    for (size_t i = 0; i < item.contributions.size(); ++i) {
      const FeatureContribution& c = item.contributions[i];
      if (i > 0) out->push_back(',');
      out->push_back('{');
      StringMember("feature", c.feature, out, /*first=*/true);
      NumberMember("value", c.value, out);
      NumberMember("contribution", c.contribution, out);
      out->push_back('}');
    }
    out->push_back(']');
    NumberMember("bias", item.bias_contribution, out);
    out->push_back('}');
  }
  if (!feature_names.empty()) {
    // As an object, a repeated name keeps its first position and its last
    // value.
    Key("features", false, out);
    OrderedJson features = OrderedJson::object();
    for (size_t f = 0; f < feature_names.size() && f < item.features.size(); ++f) {
      features[feature_names[f]] = item.features[f];
    }
    out->append(DumpJson(features));
  }
  out->push_back('}');
}

}  // namespace

void AppendRecommendResultJson(const recommend::RecommendResult& result, std::string* out) {
  out->reserve(out->size() + 512 + 384 * result.items.size());
  out->push_back('{');
  StringMember("customer_id", result.customer_id, out, /*first=*/true);
  Key("items", false, out);
  out->push_back('[');
  for (size_t i = 0; i < result.items.size(); ++i) {
    if (i > 0) out->push_back(',');
    AppendItem(result.items[i], result.feature_names, out);
  }
  out->push_back(']');
  Key("live_features", false, out);
  const recommend::LiveFeatures& live = result.live;
  out->push_back('{');
  StringMember("source", live.source, out, /*first=*/true);
  NumberMember("sum_activity_weight_last_2m", live.sum_activity_weight_last_2m, out);
  NumberMember("avg_product_health_index_last_2m", live.avg_product_health_index_last_2m, out);
  NumberMember("healthy_activity_last_2m", live.healthy_activity_last_2m, out);
  if (live.event_time_micros.has_value()) {
    NumberMember("event_time", static_cast<double>(*live.event_time_micros) / 1e6, out);
  }
  Key("stale", false, out);
  out->append(live.stale ? "true" : "false");
  out->push_back('}');
  NumberMember("customer_health_index", result.customer_health_index, out);
  Key("known_to_cf", false, out);
  out->append(result.known_to_cf ? "true" : "false");
  Key("model_versions", false, out);
  out->push_back('{');
  StringMember("cf", result.cf_version, out, /*first=*/true);
  StringMember("rank", result.rank_version, out);
  out->push_back('}');
  StringMember("retrieval", result.retrieval, out);
  Key("candidates", false, out);
  AppendJsonNumber(static_cast<int64_t>(result.candidates), out);
  Key("catalog_size", false, out);
  AppendJsonNumber(static_cast<int64_t>(result.catalog_size), out);
  NumberMember("took_ms", result.took_ms, out);
  out->push_back('}');
}

}  // namespace pantry::server
