// The web UI's routes over real HTTP on the recommender test fixture: pages
// and assets are public while the data endpoints need the token, and each
// endpoint answers from the store as documented in docs/server.md.
#include "pantry/webui/webui.h"

#include <gtest/gtest.h>

#include "pantry/common/json.h"
#include "pantry/server/http_client.h"
#include "pantry/server/server.h"
#include "pantry/testing/recommend_fixture.h"
#include "pantry/webui/assets.h"

namespace pantry::webui {
namespace {

constexpr char kToken[] = "ui-token";

class WebUiTest : public ::testing::Test {
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
    server::ServerOptions server_options;
    server_options.http.port = 0;
    server_options.access_log = false;
    server_options.metrics = &metrics_;
    server_options.token = kToken;
    server::ServerComponents components;
    components.features = &fixture_->store();
    components.extra_routes.push_back([this](server::HttpService* s) {
      WebUiSources sources;
      sources.store = &fixture_->store();
      sources.recommender = recommender_.get();
      sources.home = fixture_->home();
      sources.suggested_shoppers = [](size_t n) {
        return StatusOr<std::vector<std::string>>(std::vector<std::string>{"c3"});
      };
      return RegisterWebUi(s, std::move(sources));
    });
    auto server = server::PantryServer::Start(server_options, std::move(components));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(*server);
    client_ = std::make_unique<server::HttpClient>("127.0.0.1", server_->port());
  }
  void TearDown() override {
    client_.reset();
    if (server_) server_->Shutdown();
  }

  // Status and parsed body of an authenticated call.
  std::pair<int, Json> Call(const std::string& method, const std::string& target,
                            const std::string& body = "") {
    server::HttpFields headers = {{"Authorization", std::string("Bearer ") + kToken}};
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto response = client_->Send(method, target, headers, body);
    EXPECT_TRUE(response.ok()) << response.status().ToString();
    if (!response.ok()) return {0, Json()};
    auto json = ParseJson(response->body, "response");
    EXPECT_TRUE(json.ok()) << response->body;
    return {response->status, json.ok() ? *json : Json()};
  }

  MetricsRegistry metrics_;
  std::unique_ptr<testing::RecommendFixture> fixture_;
  std::unique_ptr<recommend::Recommender> recommender_;
  std::unique_ptr<server::PantryServer> server_;
  std::unique_ptr<server::HttpClient> client_;
};

TEST_F(WebUiTest, PagesArePublicAndDataEndpointsNeedTheToken) {
  for (const Asset& asset : EmbeddedAssets()) {
    auto page = client_->Send("GET", std::string(asset.path));
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->status, 200) << asset.path;
    EXPECT_EQ(page->body, asset.body) << asset.path;
  }
  auto home = client_->Send("GET", "/?customer=c1");
  ASSERT_TRUE(home.ok());
  EXPECT_NE(home->body.find("pantry storefront"), std::string::npos);
  auto config = client_->Send("GET", "/ui/config.json");
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(*ParseJson(config->body, "config"), Json({{"auth_required", true}}));
  for (const char* target : {"/v1/customers", "/v1/products", "/v1/streams/processors",
                             "/v1/feature-groups/customers/records/c1"}) {
    auto refused = client_->Send("GET", target);
    ASSERT_TRUE(refused.ok());
    EXPECT_EQ(refused->status, 401) << target;
  }
  // POST / without X-Amz-Target still reaches the Kinesis error, not the page.
  auto post = client_->Send("POST", "/", {{"Content-Type", "application/json"}}, "{}");
  ASSERT_TRUE(post.ok());
  EXPECT_NE(post->status, 200);
}

TEST_F(WebUiTest, CustomersSearchProfileAndSuggestions) {
  auto [status, body] = Call("GET", "/v1/customers?q=c12");
  ASSERT_EQ(status, 200) << body.dump();
  ASSERT_EQ(body["customers"].size(), 1u);
  EXPECT_EQ(body["customers"][0]["customer_id"], "c12");
  EXPECT_EQ(body["customers"][0]["customer_health_index"], 0.5);
  std::tie(status, body) = Call("GET", "/v1/customers?limit=3");
  EXPECT_EQ(body["customers"].size(), 3u);
  // Quotes and LIKE wildcards are data, not SQL.
  std::tie(status, body) = Call("GET", "/v1/customers?q=%27%25_%5C");
  EXPECT_EQ(status, 200) << body.dump();
  EXPECT_TRUE(body["customers"].empty());
  std::tie(status, body) = Call("GET", "/v1/customers/c4");
  ASSERT_EQ(status, 200);
  EXPECT_EQ(body["customer"]["state"].is_string(), true);
  std::tie(status, body) = Call("GET", "/v1/customers/nobody");
  EXPECT_EQ(status, 404);
  EXPECT_NE(body["message"].get<std::string>().find("not in the customers feature group"),
            std::string::npos);
  std::tie(status, body) = Call("GET", "/v1/shoppers/suggested?n=3");
  ASSERT_EQ(status, 200);
  ASSERT_EQ(body["customers"].size(), 3u);
  EXPECT_EQ(body["customers"][0]["customer_id"], "c3");  // the suggestion first
  EXPECT_NE(body["customers"][1]["customer_id"], "c3");  // then filled, without repeats
}

TEST_F(WebUiTest, ProductsByHealthAndCategory) {
  auto [status, body] = Call("GET", "/v1/products?min_health=0.7&limit=1000");
  ASSERT_EQ(status, 200) << body.dump();
  int expected = 0;
  for (int i = 0; i < 60; ++i) expected += testing::RecommendFixture::ProductHealth(i, 60) >= 0.7;
  ASSERT_EQ(static_cast<int>(body["products"].size()), expected);
  for (const auto& p : body["products"]) EXPECT_GE(p["product_health_index"].get<double>(), 0.7);
  std::tie(status, body) = Call("GET", "/v1/product-categories");
  ASSERT_EQ(status, 200);
  ASSERT_FALSE(body["categories"].empty());
  const std::string category = body["categories"][0]["category"];
  const int count = body["categories"][0]["products"];
  std::tie(status, body) = Call("GET", "/v1/products?limit=1000&category=" + category);
  EXPECT_EQ(static_cast<int>(body["products"].size()), count);
  std::tie(status, body) = Call("GET", "/v1/products?min_health=x");
  EXPECT_EQ(status, 400);
}

TEST_F(WebUiTest, ReadOnlySqlWithRowCap) {
  auto [status, body] =
      Call("POST", "/v1/query", R"({"sql": "SELECT customer_id FROM customers", "max_rows": 5})");
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["columns"], Json({"customer_id"}));
  EXPECT_EQ(body["rows"].size(), 5u);
  EXPECT_TRUE(body["truncated"].get<bool>());
  std::tie(status, body) = Call("POST", "/v1/query", R"({"sql": "SELECT count(*) FROM products"})");
  EXPECT_EQ(body["rows"][0][0], 60);
  EXPECT_FALSE(body["truncated"].get<bool>());
  std::tie(status, body) = Call("POST", "/v1/query", R"({"sql": "DELETE FROM customers"})");
  EXPECT_EQ(status, 400);
  std::tie(status, body) =
      Call("POST", "/v1/query", R"({"sql": "SELECT count(*) FROM customers"})");
  EXPECT_EQ(body["rows"][0][0], 32);  // nothing was deleted
  std::tie(status, body) = Call("POST", "/v1/query", R"({"query": "SELECT 1"})");
  EXPECT_EQ(status, 400);
}

TEST_F(WebUiTest, RecordOnlineValueAndOfflineHistory) {
  ASSERT_TRUE(fixture_->PutClicks("click_stream_live", "c2", 3, 0.8).ok());
  fixture_->clock().AdvanceMicros(1'000'000);
  ASSERT_TRUE(fixture_->PutClicks("click_stream_live", "c2", 5, 0.6).ok());
  auto [status, body] = Call("GET", "/v1/feature-groups/click_stream_live/records/c2?history=10");
  ASSERT_EQ(status, 200) << body.dump();
  EXPECT_EQ(body["online"]["sum_activity_weight_last_2m"], 5.0);
  ASSERT_EQ(body["history"].size(), 2u);
  EXPECT_EQ(body["history"][0]["sum_activity_weight_last_2m"], 5.0);  // newest first
  EXPECT_EQ(body["history"][1]["sum_activity_weight_last_2m"], 3.0);
  std::tie(status, body) = Call("GET", "/v1/feature-groups/click_stream_live/records/nobody");
  EXPECT_EQ(status, 404);
  std::tie(status, body) = Call("GET", "/v1/feature-groups/missing/records/c2");
  EXPECT_EQ(status, 404);
}

TEST_F(WebUiTest, ModelsNotTrainedAndNoProcessors) {
  auto [status, body] = Call("GET", "/v1/models/training");
  ASSERT_EQ(status, 200);
  EXPECT_FALSE(body["ready"].get<bool>());
  EXPECT_TRUE(body["models"].empty());
  std::tie(status, body) = Call("GET", "/v1/streams/processors");
  ASSERT_EQ(status, 200);
  EXPECT_TRUE(body["processors"].empty());
}

TEST(SqlLiteralTest, EscapesQuotesAndWildcards) {
  EXPECT_EQ(SqlLiteral("it's"), "'it''s'");
  EXPECT_EQ(SqlLiteral("50%_\\", /*like=*/true), "'50\\%\\_\\\\'");
  EXPECT_EQ(SqlLiteral("50%"), "'50%'");
}

}  // namespace
}  // namespace pantry::webui
