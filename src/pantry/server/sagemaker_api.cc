#include "pantry/server/sagemaker_api.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <memory>
#include <optional>

#include "pantry/common/json.h"

namespace pantry::server {
namespace {

using featurestore::FeatureDefinition;
using featurestore::FeatureGroupDefinition;
using featurestore::FeatureStore;

constexpr char kTargetPrefix[] = "SageMaker.";
constexpr int kDefaultMaxResults = 10;
constexpr int kMaxMaxResults = 100;

struct ApiError {
  std::string type;
  std::string message;
};

void Fail(HttpResponse* response, const ApiError& error) {
  SetError(response, ErrorStyle::kAwsJson, 400, error.type, error.message);
}

ApiError Validation(std::string message) { return {"ValidationException", std::move(message)}; }

// SageMaker answers every client error with 400 and its own type names.
ApiError ErrorOf(const Status& status) {
  switch (status.code()) {
    case StatusCode::kNotFound:
      return {"ResourceNotFound", status.message()};
    case StatusCode::kAlreadyExists:
      return {"ResourceInUse", status.message()};
    case StatusCode::kInvalidArgument:
    case StatusCode::kFailedPrecondition:
      return Validation(status.message());
    default:
      return {"InternalFailure", status.message()};
  }
}

void FailStatus(HttpResponse* response, const Status& status) {
  ApiError error = ErrorOf(status);
  if (error.type == "InternalFailure") {
    SetError(response, ErrorStyle::kAwsJson, 500, error.type, error.message);
    return;
  }
  Fail(response, error);
}

StatusOr<std::vector<FeatureDefinition>> ParseDefinitions(const Json& defs, std::string_view what) {
  if (!defs.is_array()) {
    return InvalidArgumentError(std::string(what) +
                                ": expected a list of {FeatureName, FeatureType}");
  }
  std::vector<FeatureDefinition> out;
  for (const Json& item : defs) {
    if (!item.is_object()) return InvalidArgumentError(std::string(what) + ": expected objects");
    FeatureDefinition f;
    ASSIGN_OR_RETURN(f.name, GetJsonString(item, "FeatureName"));
    ASSIGN_OR_RETURN(std::string type, GetJsonString(item, "FeatureType"));
    StatusOr<featurestore::FeatureType> parsed = featurestore::ParseFeatureType(type);
    if (!parsed.ok()) return parsed.status().WithContext(std::string(what) + ": " + f.name);
    if (item.contains("CollectionType") && !item["CollectionType"].is_null()) {
      return InvalidArgumentError(
          std::string(what) + ": " + f.name +
          ": CollectionType (List, Set, Vector) is not supported by pantry");
    }
    f.type = *parsed;
    out.push_back(std::move(f));
  }
  return out;
}

StatusOr<int64_t> TtlOf(const Json& ttl) {
  if (!ttl.is_object()) return InvalidArgumentError("TtlDuration: expected {Unit, Value}");
  ASSIGN_OR_RETURN(std::string unit, GetJsonString(ttl, "Unit"));
  ASSIGN_OR_RETURN(int64_t value, GetJsonInt(ttl, "Value"));
  return featurestore::TtlDurationMicros(unit, value);
}

// The largest unit that states the TTL exactly, as SageMaker echoes what it
// was given and pantry keeps only microseconds.
OrderedJson TtlJson(int64_t micros) {
  static constexpr std::pair<const char*, int64_t> kUnits[] = {
      {"Weeks", 604800}, {"Days", 86400}, {"Hours", 3600}, {"Minutes", 60}, {"Seconds", 1}};
  const int64_t seconds = micros / 1000000;
  for (const auto& [unit, size] : kUnits) {
    if (seconds % size == 0) return {{"Unit", unit}, {"Value", seconds / size}};
  }
  return {{"Unit", "Seconds"}, {"Value", seconds}};
}

// The parts of OnlineStoreConfig pantry acts on: EnableOnlineStore and
// TtlDuration (SecurityConfig and StorageType are accepted and ignored).
Status ApplyOnlineConfig(const Json& body, FeatureGroupDefinition* def) {
  auto it = body.find("OnlineStoreConfig");
  def->online_enabled = false;
  if (it == body.end() || it->is_null()) return Status::Ok();
  if (!it->is_object()) return InvalidArgumentError("OnlineStoreConfig: expected an object");
  if (auto e = it->find("EnableOnlineStore"); e != it->end() && !e->is_null()) {
    ASSIGN_OR_RETURN(def->online_enabled, GetJsonBool(*it, "EnableOnlineStore"));
  }
  if (auto t = it->find("TtlDuration"); t != it->end() && !t->is_null()) {
    StatusOr<int64_t> ttl = TtlOf(*t);
    if (!ttl.ok()) return ttl.status();
    def->ttl_micros = *ttl;
  }
  return Status::Ok();
}

// OfflineStoreConfig: present = enabled (SageMaker has no flag for it); the
// object is recorded as given for DescribeFeatureGroup.
Status ApplyOfflineConfig(const Json& body, FeatureGroupDefinition* def) {
  auto it = body.find("OfflineStoreConfig");
  def->offline_enabled = it != body.end() && !it->is_null();
  if (!def->offline_enabled) return Status::Ok();
  if (!it->is_object()) return InvalidArgumentError("OfflineStoreConfig: expected an object");
  Json recorded = *it;
  recorded.erase("EnableOfflineStore");
  if (!recorded.empty()) def->offline_store_config = DumpJson(recorded);
  return Status::Ok();
}

StatusOr<FeatureGroupDefinition> DefinitionFromRequest(const Json& body) {
  FeatureGroupDefinition def;
  ASSIGN_OR_RETURN(std::string name, GetJsonString(body, "FeatureGroupName"));
  def.name = std::move(name);
  ASSIGN_OR_RETURN(def.record_identifier_name, GetJsonString(body, "RecordIdentifierFeatureName"));
  ASSIGN_OR_RETURN(def.event_time_name, GetJsonString(body, "EventTimeFeatureName"));
  auto defs = body.find("FeatureDefinitions");
  ASSIGN_OR_RETURN(def.features,
                   ParseDefinitions(defs == body.end() ? Json() : *defs, "FeatureDefinitions"));
  RETURN_IF_ERROR(ApplyOnlineConfig(body, &def));
  RETURN_IF_ERROR(ApplyOfflineConfig(body, &def));
  if (!def.online_enabled && !def.offline_enabled) {
    return InvalidArgumentError(
        "at least one of OnlineStoreConfig (with EnableOnlineStore true) and OfflineStoreConfig "
        "is required");
  }
  if (def.ttl_micros && !def.online_enabled) {
    return InvalidArgumentError("OnlineStoreConfig.TtlDuration needs EnableOnlineStore true");
  }
  if (auto d = body.find("Description"); d != body.end() && !d->is_null()) {
    ASSIGN_OR_RETURN(def.description, GetJsonString(body, "Description"));
  }
  if (auto r = body.find("RoleArn"); r != body.end() && !r->is_null()) {
    ASSIGN_OR_RETURN(def.role_arn, GetJsonString(body, "RoleArn"));
  }
  RETURN_IF_ERROR(def.Validate());
  return def;
}

double Seconds(int64_t micros) { return static_cast<double>(micros) / 1e6; }

class SageMakerApi {
 public:
  SageMakerApi(FeatureStore* store, SageMakerApiOptions options)
      : store_(store), options_(std::move(options)) {}

  void Create(const HttpRequest& request, HttpResponse* response) {
    StatusOr<Json> body = Body(request, response);
    if (!body.ok()) return;
    StatusOr<FeatureGroupDefinition> def = DefinitionFromRequest(*body);
    if (!def.ok()) return Fail(response, Validation(def.status().message()));
    const std::string name = def->name;
    Status created = store_->CreateFeatureGroup(std::move(*def));
    if (created.code() == StatusCode::kAlreadyExists) {
      return Fail(response,
                  {"ResourceInUse", "Resource Already Exists: FeatureGroup with name " + name +
                                        " already exists. Choose a different "
                                        "name."});
    }
    if (!created.ok()) return FailStatus(response, created);
    response->SetJson(200, OrderedJson{{"FeatureGroupArn", FeatureGroupArn(options_, name)}});
  }

  void Describe(const HttpRequest& request, HttpResponse* response) {
    StatusOr<FeatureGroupDefinition> def = Lookup(request, response);
    if (!def.ok()) return;
    response->SetJson(200, DescribeJson(*def));
  }

  void List(const HttpRequest& request, HttpResponse* response);

  void Delete(const HttpRequest& request, HttpResponse* response) {
    StatusOr<FeatureGroupDefinition> def = Lookup(request, response);
    if (!def.ok()) return;
    Status deleted = store_->DeleteFeatureGroup(def->name);
    if (!deleted.ok()) return FailStatus(response, deleted);
    response->SetJson(200, OrderedJson::object());
  }

  void Update(const HttpRequest& request, HttpResponse* response);

 private:
  // The request body as a JSON object; on failure *response is filled.
  static StatusOr<Json> Body(const HttpRequest& request, HttpResponse* response) {
    StatusOr<Json> body = ParseJson(request.body.empty() ? "{}" : request.body, "request body");
    if (body.ok() && !body->is_object()) body = InvalidArgumentError("request body: not an object");
    if (!body.ok()) {
      SetError(response, ErrorStyle::kAwsJson, 400, "SerializationException",
               body.status().message());
    }
    return body;
  }

  // The group named by the body's FeatureGroupName (a name or an ARN).
  StatusOr<FeatureGroupDefinition> Lookup(const HttpRequest& request, HttpResponse* response) {
    ASSIGN_OR_RETURN(Json body, Body(request, response));
    StatusOr<std::string> name = GetJsonString(body, "FeatureGroupName");
    if (!name.ok()) {
      Fail(response, Validation(name.status().message()));
      return name.status();
    }
    StatusOr<FeatureGroupDefinition> def = store_->DescribeFeatureGroup(FeatureGroupNameOf(*name));
    if (def.status().code() == StatusCode::kNotFound) {
      Fail(response, {"ResourceNotFound",
                      "Resource Not Found: FeatureGroup with name " + *name + " does not exist."});
    } else if (!def.ok()) {
      FailStatus(response, def.status());
    }
    return def;
  }

  OrderedJson DescribeJson(const FeatureGroupDefinition& def) const;
  OrderedJson SummaryJson(const FeatureGroupDefinition& def) const {
    OrderedJson s = OrderedJson::object();
    s["FeatureGroupName"] = def.name;
    s["FeatureGroupArn"] = FeatureGroupArn(options_, def.name);
    s["CreationTime"] = Seconds(def.creation_time_micros);
    s["FeatureGroupStatus"] = "Created";
    if (def.offline_enabled) s["OfflineStoreStatus"] = {{"Status", "Active"}};
    return s;
  }

  FeatureStore* store_;
  const SageMakerApiOptions options_;
};

OrderedJson SageMakerApi::DescribeJson(const FeatureGroupDefinition& def) const {
  OrderedJson out = OrderedJson::object();
  out["FeatureGroupArn"] = FeatureGroupArn(options_, def.name);
  out["FeatureGroupName"] = def.name;
  out["RecordIdentifierFeatureName"] = def.record_identifier_name;
  out["EventTimeFeatureName"] = def.event_time_name;
  OrderedJson features = OrderedJson::array();
  for (const FeatureDefinition& f : def.features) {
    features.push_back(
        {{"FeatureName", f.name}, {"FeatureType", std::string(FeatureTypeName(f.type))}});
  }
  out["FeatureDefinitions"] = std::move(features);
  out["CreationTime"] = Seconds(def.creation_time_micros);
  if (def.online_enabled) {
    OrderedJson online = {{"EnableOnlineStore", true}};
    if (def.ttl_micros) online["TtlDuration"] = TtlJson(*def.ttl_micros);
    out["OnlineStoreConfig"] = std::move(online);
  }
  if (def.offline_enabled) {
    OrderedJson offline = OrderedJson::object();
    if (!def.offline_store_config.empty()) {
      StatusOr<Json> recorded = ParseJson(def.offline_store_config, "OfflineStoreConfig");
      if (recorded.ok() && recorded->is_object()) offline = OrderedJson(*recorded);
    }
    out["OfflineStoreConfig"] = std::move(offline);
    out["OfflineStoreStatus"] = {{"Status", "Active"}};
  }
  if (!def.role_arn.empty()) out["RoleArn"] = def.role_arn;
  out["FeatureGroupStatus"] = "Created";
  if (!def.description.empty()) out["Description"] = def.description;
  out["NextToken"] = "";
  return out;
}

struct ListRequest {
  std::string name_contains;
  std::string status_equals;
  std::optional<double> created_after;
  std::optional<double> created_before;
  std::string sort_by = "CreationTime";
  bool descending = true;
  int max_results = kDefaultMaxResults;
  size_t offset = 0;
};

StatusOr<std::optional<double>> OptionalTime(const Json& body, std::string_view key) {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return std::optional<double>();
  ASSIGN_OR_RETURN(double seconds, GetJsonNumber(body, key));
  return std::optional<double>(seconds);
}

StatusOr<std::string> OptionalString(const Json& body, std::string_view key,
                                     std::string fallback = "") {
  auto it = body.find(key);
  if (it == body.end() || it->is_null()) return fallback;
  return GetJsonString(body, key);
}

StatusOr<ListRequest> ParseListRequest(const Json& body) {
  ListRequest r;
  ASSIGN_OR_RETURN(r.name_contains, OptionalString(body, "NameContains"));
  ASSIGN_OR_RETURN(r.status_equals, OptionalString(body, "FeatureGroupStatusEquals"));
  ASSIGN_OR_RETURN(r.created_after, OptionalTime(body, "CreationTimeAfter"));
  ASSIGN_OR_RETURN(r.created_before, OptionalTime(body, "CreationTimeBefore"));
  ASSIGN_OR_RETURN(r.sort_by, OptionalString(body, "SortBy", "CreationTime"));
  if (r.sort_by != "Name" && r.sort_by != "CreationTime" && r.sort_by != "FeatureGroupStatus" &&
      r.sort_by != "OfflineStoreStatus") {
    return InvalidArgumentError("SortBy '" + r.sort_by +
                                "' is not Name, FeatureGroupStatus, OfflineStoreStatus or "
                                "CreationTime");
  }
  ASSIGN_OR_RETURN(std::string order, OptionalString(body, "SortOrder", "Descending"));
  if (order != "Ascending" && order != "Descending") {
    return InvalidArgumentError("SortOrder '" + order + "' is not Ascending or Descending");
  }
  r.descending = order == "Descending";
  if (auto it = body.find("MaxResults"); it != body.end() && !it->is_null()) {
    ASSIGN_OR_RETURN(int64_t max, GetJsonInt(body, "MaxResults"));
    if (max < 1 || max > kMaxMaxResults) {
      return InvalidArgumentError("MaxResults must be between 1 and 100");
    }
    r.max_results = static_cast<int>(max);
  }
  ASSIGN_OR_RETURN(std::string token, OptionalString(body, "NextToken"));
  if (!token.empty()) {
    // pantry's tokens are the offset into the sorted, filtered list.
    auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), r.offset);
    if (ec != std::errc() || end != token.data() + token.size()) {
      return InvalidArgumentError("NextToken '" + token + "' is not a token pantry issued");
    }
  }
  return r;
}

bool ContainsIgnoringCase(std::string_view text, std::string_view part) {
  auto lower = [](unsigned char c) { return static_cast<char>(std::tolower(c)); };
  return std::search(text.begin(), text.end(), part.begin(), part.end(),
                     [&](char a, char b) { return lower(a) == lower(b); }) != text.end();
}

void SageMakerApi::List(const HttpRequest& request, HttpResponse* response) {
  StatusOr<Json> body = Body(request, response);
  if (!body.ok()) return;
  StatusOr<ListRequest> r = ParseListRequest(*body);
  if (!r.ok()) return Fail(response, Validation(r.status().message()));
  std::vector<FeatureGroupDefinition> groups;
  for (FeatureGroupDefinition& def : store_->ListFeatureGroups()) {
    const double created = Seconds(def.creation_time_micros);
    if (!r->name_contains.empty() && !ContainsIgnoringCase(def.name, r->name_contains)) continue;
    if (!r->status_equals.empty() && r->status_equals != "Created") continue;
    if (r->created_after && created <= *r->created_after) continue;
    if (r->created_before && created >= *r->created_before) continue;
    groups.push_back(std::move(def));
  }
  // Every group is Created and Active, so those sorts fall back to the name.
  const bool by_time = r->sort_by == "CreationTime";
  std::stable_sort(groups.begin(), groups.end(), [&](const auto& a, const auto& b) {
    if (by_time && a.creation_time_micros != b.creation_time_micros) {
      return r->descending ? a.creation_time_micros > b.creation_time_micros
                           : a.creation_time_micros < b.creation_time_micros;
    }
    return r->descending ? a.name > b.name : a.name < b.name;
  });
  OrderedJson summaries = OrderedJson::array();
  size_t i = std::min(r->offset, groups.size());
  const size_t end = std::min(groups.size(), i + static_cast<size_t>(r->max_results));
  for (; i < end; ++i) summaries.push_back(SummaryJson(groups[i]));
  OrderedJson out = OrderedJson::object();
  out["FeatureGroupSummaries"] = std::move(summaries);
  if (end < groups.size()) out["NextToken"] = std::to_string(end);
  response->SetJson(200, out);
}

void SageMakerApi::Update(const HttpRequest& request, HttpResponse* response) {
  StatusOr<FeatureGroupDefinition> def = Lookup(request, response);
  if (!def.ok()) return;
  const Json body = *ParseJson(request.body, "request body");  // Lookup parsed it
  std::vector<FeatureDefinition> additions;
  if (auto it = body.find("FeatureAdditions"); it != body.end() && !it->is_null()) {
    StatusOr<std::vector<FeatureDefinition>> parsed = ParseDefinitions(*it, "FeatureAdditions");
    if (!parsed.ok()) return Fail(response, Validation(parsed.status().message()));
    if (parsed->empty() || parsed->size() > 100) {
      return Fail(response, Validation("FeatureAdditions must hold 1 to 100 features"));
    }
    additions = std::move(*parsed);
  }
  std::optional<int64_t> ttl;
  bool set_ttl = false;
  if (auto it = body.find("OnlineStoreConfig"); it != body.end() && !it->is_null()) {
    if (!it->is_object())
      return Fail(response, Validation("OnlineStoreConfig: expected an object"));
    if (auto t = it->find("TtlDuration"); t != it->end() && !t->is_null()) {
      StatusOr<int64_t> micros = TtlOf(*t);
      if (!micros.ok()) return Fail(response, Validation(micros.status().message()));
      ttl = *micros;
      set_ttl = true;
    }
  }
  if (set_ttl && !def->online_enabled) {
    return Fail(response, Validation("feature group " + def->name +
                                     " has no online store; TtlDuration does not apply"));
  }
  // Validate the additions against the group before changing anything.
  if (!additions.empty()) {
    FeatureGroupDefinition grown = *def;
    grown.features.insert(grown.features.end(), additions.begin(), additions.end());
    if (Status valid = grown.Validate(); !valid.ok()) {
      return Fail(response, Validation(valid.message()));
    }
    Status added = store_->AddFeatures(def->name, std::move(additions));
    if (!added.ok()) return FailStatus(response, added);
  }
  if (set_ttl) {
    Status updated = store_->SetOnlineTtl(def->name, ttl);
    if (!updated.ok()) return FailStatus(response, updated);
  }
  response->SetJson(200, OrderedJson{{"FeatureGroupArn", FeatureGroupArn(options_, def->name)}});
}

}  // namespace

std::string FeatureGroupArn(const SageMakerApiOptions& options, std::string_view name) {
  return "arn:aws:sagemaker:" + options.region + ":" + options.account_id + ":feature-group/" +
         std::string(name);
}

std::string FeatureGroupNameOf(std::string_view name_or_arn) {
  constexpr std::string_view kMarker = ":feature-group/";
  if (!name_or_arn.starts_with("arn:")) return std::string(name_or_arn);
  size_t pos = name_or_arn.find(kMarker);
  if (pos == std::string_view::npos) return std::string(name_or_arn);
  return std::string(name_or_arn.substr(pos + kMarker.size()));
}

Status RegisterSageMakerApi(HttpService* service, FeatureStore* store,
                            const SageMakerApiOptions& options) {
  auto api = std::make_shared<SageMakerApi>(store, options);
  using Method = void (SageMakerApi::*)(const HttpRequest&, HttpResponse*);
  const std::pair<const char*, Method> operations[] = {
      {"CreateFeatureGroup", &SageMakerApi::Create},
      {"DescribeFeatureGroup", &SageMakerApi::Describe},
      {"ListFeatureGroups", &SageMakerApi::List},
      {"DeleteFeatureGroup", &SageMakerApi::Delete},
      {"UpdateFeatureGroup", &SageMakerApi::Update},
  };
  for (const auto& [name, method] : operations) {
    const bool reads = std::string_view(name).starts_with("Describe") ||
                       std::string_view(name).starts_with("List");
    RETURN_IF_ERROR(service->AddAmzTarget(
        std::string(kTargetPrefix) + name, reads ? RouteAccess::kRead : RouteAccess::kWrite,
        [api, m = method](const HttpRequest& req, HttpResponse* res) {
          (api.get()->*m)(req, res);
        }));
  }
  return Status::Ok();
}

}  // namespace pantry::server
