#include "pantry/server/recommendations_api.h"

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/server/http_client.h"
#include "pantry/server/server.h"
#include "pantry/testing/recommend_fixture.h"

namespace pantry::server {
namespace {

class RecommendationsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fixture = testing::RecommendFixture::Create({});
    ASSERT_TRUE(fixture.ok()) << fixture.status().ToString();
    fixture_ = std::move(*fixture);
    recommend::RecommenderOptions options;
    options.store = &fixture_->store();
    options.clock = &fixture_->clock();
    auto recommender = recommend::Recommender::Open(options);
    ASSERT_TRUE(recommender.ok());
    recommender_ = std::move(*recommender);
    ServerOptions server_options;
    server_options.http.port = 0;
    server_options.access_log = false;
    server_options.metrics = &metrics_;
    ServerComponents components;
    components.features = &fixture_->store();
    components.extra_routes.push_back(
        [this](HttpService* s) { return RegisterRecommendationsApi(s, recommender_.get()); });
    auto server = PantryServer::Start(server_options, std::move(components));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Shutdown();
    server_.reset();
  }

  void Install() {
    ASSERT_TRUE(recommender_->Install(fixture_->cf(), "cf-1", fixture_->rank(), "rank-1").ok());
  }

  std::pair<int, Json> Get(const std::string& target) {
    auto response = client_->Send("GET", target);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return {0, Json()};
    auto json = ParseJson(response->body, "response");
    EXPECT_TRUE(json.ok()) << response->body;
    return {response->status, json.ok() ? *json : Json()};
  }

  MetricsRegistry metrics_;
  std::unique_ptr<testing::RecommendFixture> fixture_;
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<PantryServer> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(RecommendationsApiTest, NoModelsIs503ThenServes) {
  auto [status, body] = Get("/v1/recommendations/c1");
  EXPECT_EQ(status, 503);
  EXPECT_NE(body["message"].get<std::string>().find("pantry train"), std::string::npos);
  Install();
  std::tie(status, body) = Get("/v1/recommendations/c1?k=4&candidates=30&explain=true");
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(body["items"].size(), 4u);
  for (const auto& item : body["items"]) {
    for (const char* field : {"product_id", "product_name", "product_category",
                              "product_health_index", "cf_score", "propensity_to_buy"}) {
      EXPECT_TRUE(item.contains(field)) << field;
    }
    EXPECT_FALSE(item["explanation"]["contributions"].empty());
  }
  EXPECT_EQ(body["model_versions"]["cf"], "cf-1");
  EXPECT_EQ(body["model_versions"]["rank"], "rank-1");
  EXPECT_EQ(body["live_features"]["source"], "none");
  EXPECT_EQ(body["candidates"], 30);
  EXPECT_TRUE(body["took_ms"].is_number());
}

TEST_F(RecommendationsApiTest, LiveClicksChangeTheResponse) {
  Install();
  ASSERT_TRUE(fixture_->PutClicks("click_stream_live", "c2", 6, 0.9).ok());
  auto [status, body] = Get("/v1/recommendations/c2?k=5");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body["live_features"]["source"], "click_stream_live");
  EXPECT_NEAR(body["live_features"]["healthy_activity_last_2m"].get<double>(), 5.4, 1e-9);
}

TEST_F(RecommendationsApiTest, BadRequestsGetJsonErrors) {
  Install();
  auto [status, body] = Get("/v1/recommendations/nobody");
  EXPECT_EQ(status, 404);
  EXPECT_NE(body["message"].get<std::string>().find("nobody"), std::string::npos);
  for (const char* query :
       {"?k=abc", "?k=0", "?k=101", "?k=5x", "?k=", "?k=-3", "?candidates=99999", "?candidates=1.5",
        "?explain=maybe", "?k=99999999999999999999"}) {
    std::tie(status, body) = Get(std::string("/v1/recommendations/c1") + query);
    EXPECT_EQ(status, 400) << query;
    EXPECT_TRUE(body.contains("message")) << query;
  }
  // The server keeps serving.
  std::tie(status, body) = Get("/v1/recommendations/c1");
  EXPECT_EQ(status, 200);
  EXPECT_EQ(body["items"].size(), 10u);
}

}  // namespace
}  // namespace pantry::server
