// SageMaker Runtime InvokeEndpoint and GET /v1/models over HTTP, scoring
// the fixture's trained models: the answers must equal the models' own
// predictions for the same rows.
#include "pantry/server/sagemaker_runtime_api.h"

#include <gtest/gtest.h>

#include <sstream>

#include "pantry/common/json.h"
#include "pantry/server/http_client.h"
#include "pantry/server/server.h"
#include "pantry/testing/recommend_fixture.h"

namespace pantry::server {
namespace {

using pantry::testing::RankRow;

class SageMakerRuntimeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fixture = testing::RecommendFixture::Create({});
    ASSERT_TRUE(fixture.ok()) << fixture.status();
    fixture_ = std::move(*fixture);
    recommend::RecommenderOptions options;
    options.store = &fixture_->store();
    options.clock = &fixture_->clock();
    auto recommender = recommend::Recommender::Open(options);
    ASSERT_TRUE(recommender.ok()) << recommender.status();
    recommender_ = std::move(*recommender);
    SageMakerRuntimeOptions runtime;
    ASSERT_TRUE(AddEndpointAlias("fm-endpoint-2026-11-30", &runtime).code() ==
                StatusCode::kInvalidArgument);
    ASSERT_TRUE(AddEndpointAlias("fm-endpoint-2026-11-30=pantry-cf", &runtime).ok());
    ASSERT_TRUE(AddEndpointAlias("xgb-endpoint=pantry-rank", &runtime).ok());
    ServerOptions server_options;
    server_options.http.port = 0;
    server_options.access_log = false;
    server_options.metrics = &metrics_;
    ServerComponents components;
    components.extra_routes.push_back([this, runtime](HttpService* s) {
      return RegisterSageMakerRuntimeApi(s, recommender_.get(), runtime);
    });
    auto server = PantryServer::Start(server_options, std::move(components));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Shutdown();
  }

  void Install() {
    ASSERT_TRUE(recommender_->Install(fixture_->cf(), "cf-1", fixture_->rank(), "rank-1").ok());
  }

  ClientResponse Invoke(const std::string& endpoint, const std::string& content_type,
                        const std::string& body, const std::string& accept = "") {
    HttpFields headers = {{"Content-Type", content_type}};
    if (!accept.empty()) headers.emplace_back("Accept", accept);
    auto response = client_->Send("POST", "/endpoints/" + endpoint + "/invocations", headers, body);
    EXPECT_TRUE(response.ok()) << response.status();
    return response.ok() ? *response : ClientResponse();
  }

  static std::string ErrorType(const ClientResponse& response) {
    const std::string* type = response.Header("x-amzn-errortype");
    return type == nullptr ? "" : *type;
  }

  // Dense CF rows for (customer, product) pairs and the model's own scores.
  std::pair<Json, std::vector<double>> CfRows(int n) {
    const models::CfModel& cf = *fixture_->cf();
    Json instances = Json::array();
    std::vector<double> expected;
    for (int i = 0; i < n; ++i) {
      std::vector<uint32_t> indices;
      std::vector<float> values;
      cf.EncodeCustomer("c" + std::to_string(i), "Y", "ohio", &indices, &values);
      cf.EncodeProduct("p" + std::to_string(i), "product " + std::to_string(i), &indices, &values);
      std::vector<float> dense(cf.fm().num_features(), 0.0f);
      for (size_t k = 0; k < indices.size(); ++k) dense[indices[k]] = values[k];
      instances.push_back({{"features", dense}});
      expected.push_back(cf.fm().Predict({indices, values}));
    }
    return {Json{{"instances", instances}}, expected};
  }

  // Ranker rows as CSV text and the model's own probabilities.
  std::pair<std::string, std::vector<float>> RankRows() {
    std::vector<models::RankExample> examples = {RankRow(0.0f, 1.0f, 0.2f, 0.9f, "produce"),
                                                 RankRow(3.0f, 1.0f, 0.9f, 0.8f, "snacks"),
                                                 RankRow(1.0f, 1.0f, 0.5f, 0.1f, "")};
    models::DenseMatrix x = fixture_->rank()->Encode(examples);
    std::ostringstream csv;
    for (size_t r = 0; r < x.rows; ++r) {
      for (size_t c = 0; c < x.cols; ++c) csv << (c ? "," : "") << x.row(r)[c];
      csv << "\n";
    }
    auto expected = fixture_->rank()->Predict(examples);
    EXPECT_TRUE(expected.ok());
    return {csv.str(), expected.ok() ? *expected : std::vector<float>()};
  }

  MetricsRegistry metrics_;
  std::unique_ptr<testing::RecommendFixture> fixture_;
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<PantryServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(SageMakerRuntimeApiTest, CfEndpointScoresDenseAndSparseInstances) {
  Install();
  auto [request, expected] = CfRows(4);
  for (const std::string endpoint : {"pantry-cf", "fm-endpoint-2026-11-30"}) {
    ClientResponse response = Invoke(endpoint, "application/json", DumpJson(request));
    ASSERT_EQ(response.status, 200) << response.body;
    EXPECT_EQ(*response.Header("content-type"), "application/json");
    Json body = *ParseJson(response.body, "response");
    ASSERT_EQ(body["predictions"].size(), expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_NEAR(body["predictions"][i]["score"].get<double>(), expected[i], 1e-5);
    }
    EXPECT_EQ(*response.Header("x-amzn-invoked-production-variant"), "AllTraffic");
  }
  // The same first row in SageMaker FM's sparse form.
  const Json& dense = request["instances"][0]["features"];
  Json keys = Json::array(), values = Json::array();
  for (size_t k = 0; k < dense.size(); ++k) {
    if (dense[k].get<double>() != 0) {
      keys.push_back(k);
      values.push_back(dense[k]);
    }
  }
  Json sparse = {{"instances", Json::array({{{"data",
                                              {{"features",
                                                {{"keys", keys},
                                                 {"shape", Json::array({dense.size()})},
                                                 {"values", values}}}}}}})}};
  ClientResponse response = Invoke("pantry-cf", "application/json", DumpJson(sparse));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NEAR((*ParseJson(response.body, "r"))["predictions"][0]["score"].get<double>(),
              expected[0], 1e-5);
}

TEST_F(SageMakerRuntimeApiTest, RankEndpointAnswersCsvAndJson) {
  Install();
  auto [csv, expected] = RankRows();
  ClientResponse response = Invoke("xgb-endpoint", "text/csv", csv);
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ(*response.Header("content-type"), "text/csv");
  std::vector<std::string> lines;
  std::istringstream in(response.body);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), expected.size()) << response.body;
  for (size_t i = 0; i < lines.size(); ++i) {
    EXPECT_NEAR(std::stod(lines[i]), expected[i], 1e-6);
    EXPECT_GT(std::stod(lines[i]), 0.0);
    EXPECT_LT(std::stod(lines[i]), 1.0);
  }
  // JSON in, JSON out; and CSV in with Accept: application/json.
  Json instances = Json::array();
  models::DenseMatrix x = fixture_->rank()->Encode(
      std::vector<models::RankExample>{RankRow(0.0f, 1.0f, 0.2f, 0.9f, "produce")});
  instances.push_back({{"features", std::vector<float>(x.values)}});
  response = Invoke("pantry-rank", "application/json", DumpJson(Json{{"instances", instances}}));
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_NEAR((*ParseJson(response.body, "r"))["predictions"][0]["score"].get<double>(),
              expected[0], 1e-6);
  response = Invoke("pantry-rank", "text/csv; charset=utf-8", csv, "application/json");
  ASSERT_EQ(response.status, 200) << response.body;
  EXPECT_EQ((*ParseJson(response.body, "r"))["predictions"].size(), expected.size());
}

TEST_F(SageMakerRuntimeApiTest, ErrorsAsSageMakerReturnsThem) {
  ClientResponse not_ready = Invoke("pantry-rank", "text/csv", "1,2,3");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(ErrorType(not_ready), "ServiceUnavailable");
  Install();
  ClientResponse unknown = Invoke("nope", "text/csv", "1");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(ErrorType(unknown), "ValidationError");
  EXPECT_EQ((*ParseJson(unknown.body, "r"))["message"],
            "Endpoint nope of account 000000000000 not found.");

  const size_t rank_dim = fixture_->rank()->ranker().num_features();
  for (const std::string& body :
       {std::string("1,2"), std::string("a,b,c"), std::string(""), std::string(rank_dim, ',')}) {
    ClientResponse bad = Invoke("pantry-rank", "text/csv", body);
    EXPECT_EQ(bad.status, 424) << body;
    EXPECT_EQ(ErrorType(bad), "ModelError") << body;
    Json error = *ParseJson(bad.body, "r");
    EXPECT_EQ(error["OriginalStatusCode"], 400);
    EXPECT_FALSE(error["OriginalMessage"].get<std::string>().empty());
  }
  ClientResponse wrong_dim =
      Invoke("pantry-cf", "application/json", R"({"instances": [{"features": [1, 2]}]})");
  EXPECT_EQ(wrong_dim.status, 424);
  EXPECT_NE(wrong_dim.body.find("the model takes"), std::string::npos) << wrong_dim.body;
  ClientResponse csv_to_cf = Invoke("pantry-cf", "text/csv", "1,2");
  EXPECT_EQ(csv_to_cf.status, 424);
  EXPECT_EQ((*ParseJson(csv_to_cf.body, "r"))["OriginalStatusCode"], 415);
  // Other media types are refused before any model sees them.
  EXPECT_EQ(Invoke("pantry-rank", "application/x-recordio-protobuf", "xx").status, 415);
}

TEST_F(SageMakerRuntimeApiTest, ModelsListsVersionsAndInputs) {
  auto get = [&] {
    auto response = client_->Send("GET", "/v1/models");
    EXPECT_TRUE(response.ok());
    EXPECT_EQ(response->status, 200);
    return *ParseJson(response->body, "models");
  };
  Json empty = get();
  EXPECT_EQ(empty["ready"], false);
  EXPECT_TRUE(empty["models"].empty());
  Install();
  Json listed = get();
  ASSERT_EQ(listed["models"].size(), 2u);
  const Json& cf = listed["models"][0];
  EXPECT_EQ(cf["endpoint"], "pantry-cf");
  EXPECT_EQ(cf["version"], "cf-1");
  EXPECT_EQ(cf["aliases"], Json::array({"fm-endpoint-2026-11-30"}));
  EXPECT_EQ(cf["dimension"], fixture_->cf()->fm().num_features());
  EXPECT_EQ(cf["feature_names"].size(), fixture_->cf()->fm().num_features());
  EXPECT_EQ(cf["feature_names"][0].get<std::string>().rfind("customer_id=", 0), 0u);
  const Json& rank = listed["models"][1];
  EXPECT_EQ(rank["endpoint"], "pantry-rank");
  EXPECT_EQ(rank["version"], "rank-1");
  EXPECT_EQ(rank["feature_names"], fixture_->rank()->ranker().feature_names());
  EXPECT_EQ(rank["content_types"], Json::array({"text/csv", "application/json"}));
}

TEST(EndpointAliasTest, ParsesAndRejects) {
  SageMakerRuntimeOptions options;
  EXPECT_TRUE(AddEndpointAlias("a=pantry-rank", &options).ok());
  EXPECT_EQ(options.aliases["a"], "pantry-rank");
  EXPECT_FALSE(AddEndpointAlias("=pantry-cf", &options).ok());
  EXPECT_FALSE(AddEndpointAlias("b=other", &options).ok());
  EXPECT_FALSE(AddEndpointAlias("pantry-cf=pantry-rank", &options).ok());
}

}  // namespace
}  // namespace pantry::server
