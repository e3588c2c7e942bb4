#include "pantry/server/sagemaker_runtime_api.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <memory>
#include <optional>
#include <vector>

#include "pantry/common/json.h"
#include "pantry/models/sparse.h"
#include "pantry/recommend/model_snapshot.h"

namespace pantry::server {
namespace {

using recommend::ModelSnapshot;

enum class Model { kCf, kRank };

constexpr char kCsv[] = "text/csv";
constexpr char kJson[] = "application/json";

// A problem with the request body as the model container would report it
// (SageMaker wraps those in ModelError with the original status).
struct ModelRejection {
  int original_status = 400;
  std::string message;
};

std::string MediaType(const std::string* header) {
  if (header == nullptr) return "";
  std::string_view v = *header;
  v = v.substr(0, v.find(';'));
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string FormatScore(float value) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), value);
  return ec == std::errc() ? std::string(buf, end) : "nan";
}

StatusOr<float> ParseFloat(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  float value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value)) {
    return InvalidArgumentError("'" + std::string(text.substr(0, 40)) + "' is not a finite number");
  }
  return value;
}

// CSV rows of `cols` numbers each (SageMaker XGBoost: no header, no label).
StatusOr<models::DenseMatrix> ParseCsvRows(std::string_view body, size_t cols) {
  models::DenseMatrix x;
  x.cols = cols;
  size_t line_no = 0;
  while (!body.empty()) {
    size_t eol = body.find('\n');
    std::string_view line = body.substr(0, eol);
    body = eol == std::string_view::npos ? std::string_view() : body.substr(eol + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    size_t count = 0;
    while (true) {
      size_t comma = line.find(',');
      StatusOr<float> v = ParseFloat(line.substr(0, comma));
      if (!v.ok()) return v.status().WithContext("row " + std::to_string(line_no));
      x.values.push_back(*v);
      ++count;
      if (comma == std::string_view::npos) break;
      line = line.substr(comma + 1);
    }
    if (count != cols) {
      return InvalidArgumentError("row " + std::to_string(line_no) + " has " +
                                  std::to_string(count) + " columns; the model takes " +
                                  std::to_string(cols));
    }
    ++x.rows;
  }
  if (x.rows == 0) return InvalidArgumentError("no rows in the CSV body");
  return x;
}

StatusOr<std::vector<float>> DenseFeatures(const Json& features, size_t dim, size_t row) {
  const std::string where = "instance " + std::to_string(row);
  if (!features.is_array()) return InvalidArgumentError(where + ": features must be a list");
  if (features.size() != dim) {
    return InvalidArgumentError(where + " has " + std::to_string(features.size()) +
                                " features; the model takes " + std::to_string(dim));
  }
  std::vector<float> out;
  out.reserve(dim);
  for (const Json& v : features) {
    if (!v.is_number() || !std::isfinite(v.get<double>())) {
      return InvalidArgumentError(where + ": features must be finite numbers");
    }
    out.push_back(v.get<float>());
  }
  return out;
}

// SageMaker FM's sparse instance: {"data": {"features": {"keys", "shape",
// "values"}}}, expanded to a dense row.
StatusOr<std::vector<float>> SparseFeatures(const Json& data, size_t dim, size_t row) {
  const std::string where = "instance " + std::to_string(row);
  const Json* f = data.is_object() && data.contains("features") ? &data["features"] : nullptr;
  if (f == nullptr || !f->is_object() || !f->contains("keys") || !f->contains("values")) {
    return InvalidArgumentError(where + ": data.features needs keys and values");
  }
  const Json& keys = (*f)["keys"];
  const Json& values = (*f)["values"];
  if (!keys.is_array() || !values.is_array() || keys.size() != values.size()) {
    return InvalidArgumentError(where + ": keys and values must be lists of the same length");
  }
  if (auto shape = f->find("shape"); shape != f->end() && shape->is_array() && !shape->empty() &&
                                     (*shape)[0].is_number_integer() &&
                                     (*shape)[0].get<int64_t>() != static_cast<int64_t>(dim)) {
    return InvalidArgumentError(where + ": shape " + shape->dump() + " but the model takes " +
                                std::to_string(dim) + " features");
  }
  std::vector<float> out(dim, 0.0f);
  for (size_t i = 0; i < keys.size(); ++i) {
    if (!keys[i].is_number_integer() || keys[i].get<int64_t>() < 0 ||
        keys[i].get<int64_t>() >= static_cast<int64_t>(dim) || !values[i].is_number()) {
      return InvalidArgumentError(where + ": key " + keys[i].dump() + " is not a feature index < " +
                                  std::to_string(dim));
    }
    out[keys[i].get<size_t>()] = values[i].get<float>();
  }
  return out;
}

// {"instances": [{"features": [...]} | {"data": ...} | [...]]} as rows.
StatusOr<models::DenseMatrix> ParseJsonInstances(std::string_view body, size_t dim) {
  ASSIGN_OR_RETURN(Json parsed, ParseJson(body, "request body"));
  auto it = parsed.is_object() ? parsed.find("instances") : parsed.end();
  if (it == parsed.end() || !it->is_array() || it->empty()) {
    return InvalidArgumentError(
        "expected {\"instances\": [{\"features\": [...]}, ...]} with at least one instance");
  }
  models::DenseMatrix x;
  x.cols = dim;
  for (size_t r = 0; r < it->size(); ++r) {
    const Json& instance = (*it)[r];
    StatusOr<std::vector<float>> row = InvalidArgumentError("");
    if (instance.is_array()) {
      row = DenseFeatures(instance, dim, r);
    } else if (instance.is_object() && instance.contains("features")) {
      row = DenseFeatures(instance["features"], dim, r);
    } else if (instance.is_object() && instance.contains("data")) {
      row = SparseFeatures(instance["data"], dim, r);
    } else {
      row = InvalidArgumentError("instance " + std::to_string(r) +
                                 ": expected {\"features\": [...]} or {\"data\": ...}");
    }
    if (!row.ok()) return row.status();
    x.values.insert(x.values.end(), row->begin(), row->end());
    ++x.rows;
  }
  return x;
}

std::vector<float> ScoreCf(const models::FmModel& fm, const models::DenseMatrix& x) {
  std::vector<float> scores;
  scores.reserve(x.rows);
  std::vector<uint32_t> indices;
  std::vector<float> values;
  for (size_t r = 0; r < x.rows; ++r) {
    indices.clear();
    values.clear();
    std::span<const float> row = x.row(r);
    for (size_t c = 0; c < row.size(); ++c) {
      if (row[c] != 0) {
        indices.push_back(static_cast<uint32_t>(c));
        values.push_back(row[c]);
      }
    }
    scores.push_back(static_cast<float>(fm.Predict({indices, values})));
  }
  return scores;
}

std::vector<std::string> CfFeatureNames(const models::CfModel& cf) {
  std::vector<std::string> names;
  const auto& customers = cf.customer_encoder();
  const auto& products = cf.product_encoder();
  for (uint32_t i = 0; i < customers.output_dim(); ++i) names.push_back(customers.FeatureName(i));
  for (uint32_t i = 0; i < products.output_dim(); ++i) names.push_back(products.FeatureName(i));
  for (const std::string& term : cf.tfidf().vocabulary()) names.push_back("product_name:" + term);
  return names;
}

class RuntimeApi {
 public:
  RuntimeApi(const recommend::Recommender* recommender, SageMakerRuntimeOptions options)
      : recommender_(recommender), options_(std::move(options)) {}

  void Invoke(const HttpRequest& request, HttpResponse* response) const;
  void ListModels(const HttpRequest& request, HttpResponse* response) const;

 private:
  std::optional<Model> Resolve(const std::string& endpoint) const {
    if (endpoint == kCfEndpoint) return Model::kCf;
    if (endpoint == kRankEndpoint) return Model::kRank;
    auto it = options_.aliases.find(endpoint);
    if (it == options_.aliases.end()) return std::nullopt;
    return it->second == kCfEndpoint ? Model::kCf : Model::kRank;
  }
  std::vector<std::string> AliasesOf(std::string_view target) const {
    std::vector<std::string> out;
    for (const auto& [name, to] : options_.aliases) {
      if (to == target) out.push_back(name);
    }
    return out;
  }
  StatusOr<std::vector<float>> Score(const ModelSnapshot& snapshot, Model model,
                                     const std::string& media, std::string_view body,
                                     ModelRejection* rejection) const;

  const recommend::Recommender* recommender_;
  const SageMakerRuntimeOptions options_;
};

void ModelError(HttpResponse* response, const ModelRejection& rejection, std::string_view endpoint,
                std::string_view account) {
  *response = HttpResponse();
  OrderedJson body = OrderedJson::object();
  body["ErrorCode"] = "CLIENT_ERROR_FROM_MODEL";
  body["LogStreamArn"] = "";
  body["OriginalMessage"] = rejection.message;
  body["OriginalStatusCode"] = rejection.original_status;
  body["message"] = "Received client error (" + std::to_string(rejection.original_status) +
                    ") from primary with message \"" + rejection.message + "\". See the pantry " +
                    "server log for endpoint " + std::string(endpoint) + " in account " +
                    std::string(account) + " for more information.";
  response->SetJson(424, body);
  response->AddHeader("X-Amzn-ErrorType", "ModelError");
}

StatusOr<std::vector<float>> RuntimeApi::Score(const ModelSnapshot& snapshot, Model model,
                                               const std::string& media, std::string_view body,
                                               ModelRejection* rejection) const {
  const bool csv = media == kCsv;
  if (model == Model::kCf) {
    if (media != kJson) {
      rejection->original_status = 415;
      return InvalidArgumentError("pantry-cf takes application/json, not '" + media + "'");
    }
    const models::FmModel& fm = snapshot.cf->fm();
    ASSIGN_OR_RETURN(models::DenseMatrix x, ParseJsonInstances(body, fm.num_features()));
    return ScoreCf(fm, x);
  }
  const models::Ranker& ranker = snapshot.rank->ranker();
  if (!csv && media != kJson) {
    rejection->original_status = 415;
    return InvalidArgumentError("pantry-rank takes text/csv or application/json, not '" + media +
                                "'");
  }
  ASSIGN_OR_RETURN(models::DenseMatrix x, csv ? ParseCsvRows(body, ranker.num_features())
                                              : ParseJsonInstances(body, ranker.num_features()));
  return ranker.Predict(x);
}

void RuntimeApi::Invoke(const HttpRequest& request, HttpResponse* response) const {
  const std::string endpoint = request.PathParam("endpoint");
  std::optional<Model> model = Resolve(endpoint);
  if (!model) {
    return SetError(response, ErrorStyle::kAwsRestJson, 400, "ValidationError",
                    "Endpoint " + endpoint + " of account " + options_.account_id + " not found.");
  }
  std::shared_ptr<const ModelSnapshot> snapshot = recommender_->snapshot();
  if (snapshot == nullptr) {
    return SetError(
        response, ErrorStyle::kAwsRestJson, 503, "ServiceUnavailable",
        "endpoint " + endpoint + " has no model yet: " + recommender_->Ready().message());
  }
  if (*model == Model::kCf && snapshot->cf == nullptr) {
    // The recommender serves the blended retrieval and no FM was trained.
    return SetError(response, ErrorStyle::kAwsRestJson, 503, "ServiceUnavailable",
                    "endpoint " + endpoint +
                        " serves the factorization machine, and none has been trained: run "
                        "`pantry train cf --method fm` (the recommender uses the blend)");
  }
  // SageMaker defaults a missing Content-Type to application/octet-stream,
  // which no model here takes; pantry assumes the model's first format.
  std::string media = MediaType(request.Header("content-type"));
  if (media.empty()) media = *model == Model::kCf ? kJson : kCsv;
  ModelRejection rejection;
  StatusOr<std::vector<float>> scores = Score(*snapshot, *model, media, request.body, &rejection);
  if (!scores.ok()) {
    rejection.message = scores.status().message();
    return ModelError(response, rejection, endpoint, options_.account_id);
  }
  std::string accept = MediaType(request.Header("accept"));
  if (accept.empty() || accept == "*/*") accept = media;
  response->status = 200;
  if (*model == Model::kRank && accept == kCsv) {
    response->content_type = kCsv;
    for (size_t i = 0; i < scores->size(); ++i) {
      if (i > 0) response->body += '\n';
      response->body += FormatScore((*scores)[i]);
    }
  } else {
    const bool classifier = *model == Model::kCf && snapshot->cf->fm().predictor_type() ==
                                                        models::PredictorType::kBinaryClassifier;
    OrderedJson predictions = OrderedJson::array();
    for (float s : *scores) {
      OrderedJson p = {{"score", s}};
      if (classifier) p["predicted_label"] = s >= 0.5f ? 1.0 : 0.0;
      predictions.push_back(std::move(p));
    }
    response->SetJson(200, OrderedJson{{"predictions", std::move(predictions)}});
  }
  response->AddHeader("x-Amzn-Invoked-Production-Variant", "AllTraffic");
  response->AddHeader("X-Pantry-Model-Version",
                      *model == Model::kCf ? snapshot->cf_version : snapshot->rank_version);
}

void RuntimeApi::ListModels(const HttpRequest&, HttpResponse* response) const {
  std::shared_ptr<const ModelSnapshot> snapshot = recommender_->snapshot();
  OrderedJson models = OrderedJson::array();
  if (snapshot != nullptr && snapshot->cf != nullptr) {
    OrderedJson cf = OrderedJson::object();
    cf["name"] = "cf";
    cf["endpoint"] = kCfEndpoint;
    cf["aliases"] = AliasesOf(kCfEndpoint);
    cf["version"] = snapshot->cf_version;
    cf["algorithm"] = "factorization-machines";
    cf["predictor_type"] = models::PredictorTypeName(snapshot->cf->fm().predictor_type());
    cf["content_types"] = OrderedJson::array({kJson});
    cf["dimension"] = snapshot->cf->fm().num_features();
    cf["feature_names"] = CfFeatureNames(*snapshot->cf);
    models.push_back(std::move(cf));
  }
  if (snapshot != nullptr && snapshot->blend != nullptr) {
    // The candidate model of GET /v1/recommendations; no endpoint of its own.
    OrderedJson retrieval = OrderedJson::object();
    retrieval["name"] = "retrieval";
    retrieval["version"] = snapshot->blend_version;
    retrieval["algorithm"] = "blend (als + item_knn + category popularity)";
    retrieval["served_by"] = "GET /v1/recommendations";
    models.push_back(std::move(retrieval));
  }
  if (snapshot != nullptr) {
    const models::Ranker& ranker = snapshot->rank->ranker();
    OrderedJson rank = OrderedJson::object();
    rank["name"] = "rank";
    rank["endpoint"] = kRankEndpoint;
    rank["aliases"] = AliasesOf(kRankEndpoint);
    rank["version"] = snapshot->rank_version;
    rank["algorithm"] = "xgboost";
    rank["content_types"] = OrderedJson::array({kCsv, kJson});
    rank["dimension"] = ranker.num_features();
    rank["feature_names"] = ranker.feature_names();
    models.push_back(std::move(rank));
  }
  OrderedJson out = OrderedJson::object();
  out["ready"] = snapshot != nullptr;
  if (snapshot == nullptr) out["message"] = recommender_->Ready().message();
  out["models"] = std::move(models);
  response->SetJson(200, out);
}

}  // namespace

Status AddEndpointAlias(std::string_view spec, SageMakerRuntimeOptions* options) {
  size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgumentError("endpoint alias '" + std::string(spec) +
                                "': expected NAME=pantry-cf or NAME=pantry-rank");
  }
  std::string name(spec.substr(0, eq));
  std::string target(spec.substr(eq + 1));
  if (target != kCfEndpoint && target != kRankEndpoint) {
    return InvalidArgumentError("endpoint alias '" + std::string(spec) + "': target '" + target +
                                "' is not pantry-cf or pantry-rank");
  }
  if (name == kCfEndpoint || name == kRankEndpoint || name.find('/') != std::string::npos) {
    return InvalidArgumentError("endpoint alias '" + std::string(spec) + "': '" + name +
                                "' cannot be an alias name");
  }
  options->aliases[name] = target;
  return Status::Ok();
}

Status RegisterSageMakerRuntimeApi(HttpService* service, const recommend::Recommender* recommender,
                                   const SageMakerRuntimeOptions& options) {
  auto api = std::make_shared<RuntimeApi>(recommender, options);
  HttpService::RouteOptions route_options;
  route_options.body_media_types = {kCsv};
  RETURN_IF_ERROR(service->AddRoute(
      "POST", "/endpoints/{endpoint}/invocations", RouteAccess::kRead, ErrorStyle::kAwsRestJson,
      [api](const HttpRequest& req, HttpResponse* res) { api->Invoke(req, res); }, route_options));
  return service->AddRoute(
      "GET", "/v1/models", RouteAccess::kRead, ErrorStyle::kNative,
      [api](const HttpRequest& req, HttpResponse* res) { api->ListModels(req, res); });
}

}  // namespace pantry::server
