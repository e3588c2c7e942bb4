// Authentication on a real socket: with a token every route but /healthz
// and /readyz needs it; with AWS credentials SigV4 signatures are verified
// (forged → 403); credentials are checked before a body is read.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "pantry/common/json.h"
#include "pantry/featurestore/feature_store.h"
#include "pantry/server/crypto.h"
#include "pantry/server/http_client.h"
#include "pantry/server/memory_event_ingest.h"
#include "pantry/server/server.h"
#include "pantry/server/sigv4.h"

namespace pantry::server {
namespace {

constexpr char kSigningTime[] = "20261127T030000Z";
const AwsCredentials kAws = {"AKIDPANTRYTEST", "pantry/secret+key"};

int64_t SigningSeconds() { return *ParseAmzDate(kSigningTime); }

// Every API over memory stores, with authentication as `options` says.
class AuthServer {
 public:
  explicit AuthServer(ServerOptions options)
      : clock_(SigningSeconds() * 1'000'000), ingest_(&clock_, {"click_stream"}, 1) {
    home_ = std::filesystem::temp_directory_path() /
            ("pantry_http_auth_test_" + std::to_string(::getpid()) + "_" +
             std::to_string(reinterpret_cast<uintptr_t>(this)));
    std::filesystem::remove_all(home_);
    featurestore::FeatureStoreOptions store_options;
    store_options.home = home_;
    store_options.online_backend = featurestore::OnlineBackend::kMemory;
    store_options.clock = &clock_;
    auto store = featurestore::FeatureStore::Open(store_options);
    EXPECT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    options.http.port = 0;
    options.access_log = false;
    options.metrics = &metrics_;
    options.clock = &clock_;
    ServerComponents components;
    components.events = &ingest_;
    components.features = store_.get();
    auto server = PantryServer::Start(options, std::move(components));
    EXPECT_TRUE(server.ok()) << server.status();
    server_ = std::move(*server);
  }
  ~AuthServer() {
    server_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(home_, ec);
  }

  int port() const { return server_->port(); }
  HttpClient Client() const { return HttpClient("127.0.0.1", port()); }
  const HttpService& service() const { return server_->service(); }
  FakeClock& clock() { return clock_; }
  MemoryEventIngest& ingest() { return ingest_; }

 private:
  FakeClock clock_;
  MemoryEventIngest ingest_;
  MetricsRegistry metrics_;
  std::filesystem::path home_;
  std::unique_ptr<featurestore::FeatureStore> store_;
  std::unique_ptr<PantryServer> server_;
};

// A request for each route, as a client would send it (path parameters
// filled in, a JSON body for POST and PUT).
struct Probe {
  std::string method;
  std::string target;
  HttpFields headers;
  std::string body;
};

Probe ProbeFor(const HttpService::RouteInfo& route) {
  Probe probe{route.method, "", {}, ""};
  for (size_t i = 0; i < route.pattern.size(); ++i) {
    if (route.pattern[i] == '{') {
      probe.target += "x";
      i = route.pattern.find('}', i);
    } else {
      probe.target += route.pattern[i];
    }
  }
  if (!route.amz_target.empty()) {
    probe.headers = {{"X-Amz-Target", route.amz_target},
                     {"Content-Type", "application/x-amz-json-1.1"}};
  } else if (route.method == "POST" || route.method == "PUT") {
    probe.headers = {{"Content-Type", "application/json"}};
  }
  if (route.method == "POST" || route.method == "PUT") probe.body = "{}";
  return probe;
}

TEST(HttpAuthTest, TokenProtectsEveryRouteButHealthAndReady) {
  ServerOptions options;
  options.token = "t0ken-t0ken";
  AuthServer server(options);
  HttpClient client = server.Client();
  std::vector<HttpService::RouteInfo> routes = server.service().Routes();
  ASSERT_GE(routes.size(), 15u) << "ops, Kinesis, events and feature store routes";
  for (const auto& route : routes) {
    Probe probe = ProbeFor(route);
    std::string name = route.method + " " + route.pattern + " " + route.amz_target;
    auto anonymous = client.Send(probe.method, probe.target, probe.headers, probe.body);
    ASSERT_TRUE(anonymous.ok()) << name << ": " << anonymous.status();
    bool open = route.pattern == "/healthz" || route.pattern == "/readyz";
    EXPECT_EQ(route.access == RouteAccess::kPublic, open) << name;
    if (open) {
      EXPECT_EQ(anonymous->status, 200) << name;
      continue;
    }
    EXPECT_EQ(anonymous->status, 401) << name << ": " << anonymous->body;
    EXPECT_NE(anonymous->Header("www-authenticate"), nullptr) << name;
    HttpFields wrong = probe.headers;
    wrong.emplace_back("Authorization", "Bearer t0ken-t0keN");
    auto rejected = client.Send(probe.method, probe.target, wrong, probe.body);
    ASSERT_TRUE(rejected.ok());
    EXPECT_EQ(rejected->status, 401) << name;
    HttpFields right = probe.headers;
    right.emplace_back("Authorization", "Bearer t0ken-t0ken");
    auto allowed = client.Send(probe.method, probe.target, right, probe.body);
    ASSERT_TRUE(allowed.ok());
    EXPECT_NE(allowed->status, 401) << name << ": " << allowed->body;
    EXPECT_NE(allowed->status, 403) << name << ": " << allowed->body;
  }
}

TEST(HttpAuthTest, MetricsCanBeMadePublic) {
  ServerOptions options;
  options.token = "tok";
  options.metrics_public = true;
  AuthServer server(options);
  HttpClient client = server.Client();
  auto metrics = client.Send("GET", "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(metrics->status, 200);
  auto groups = client.Send("GET", "/v1/feature-groups");
  ASSERT_TRUE(groups.ok());
  EXPECT_EQ(groups->status, 401);
}

TEST(HttpAuthTest, CredentialsAreCheckedBeforeTheBodyIsRead) {
  ServerOptions options;
  options.token = "tok";
  options.http.max_body_bytes = 512 << 20;
  AuthServer server(options);
  HttpClient client = server.Client();
  // Only the head of a 400 MB upload: the 401 comes without the body.
  auto response = client.SendRaw(
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Content-Length: 400000000\r\n\r\n");
  ASSERT_TRUE(response.ok()) << response.status();
  EXPECT_EQ(response->status, 401);
  EXPECT_TRUE(response->connection_close);
}

// A Kinesis PutRecord signed for `credentials` at kSigningTime, with the
// headers HttpClient sends (it adds Host itself).
HttpFields SignedPutRecord(int port, const AwsCredentials& credentials, const std::string& body) {
  HttpRequest request;
  request.method = "POST";
  EXPECT_TRUE(ParseRequestTarget("/", &request).ok());
  request.headers = {{"content-type", "application/x-amz-json-1.1"},
                     {"host", "127.0.0.1:" + std::to_string(port)},
                     {"x-amz-date", kSigningTime},
                     {"x-amz-target", "Kinesis_20131202.PutRecord"}};
  request.body = body;
  SigV4Fields fields;
  fields.access_key_id = credentials.access_key_id;
  fields.date = std::string(kSigningTime, 8);
  fields.region = "us-east-1";
  fields.service = "kinesis";
  fields.amz_date = kSigningTime;
  fields.signed_headers = "content-type;host;x-amz-date;x-amz-target";
  std::string signature = SigV4Signature(
      credentials.secret_access_key, fields,
      SigV4StringToSign(fields,
                        SigV4CanonicalRequest(request, fields, HexEncode(Sha256(request.body)))));
  return {{"Content-Type", "application/x-amz-json-1.1"},
          {"X-Amz-Date", kSigningTime},
          {"X-Amz-Target", "Kinesis_20131202.PutRecord"},
          {"Authorization", "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" +
                                fields.date + "/us-east-1/kinesis/aws4_request, SignedHeaders=" +
                                fields.signed_headers + ", Signature=" + signature}};
}

std::string TypeOf(const ClientResponse& response) {
  auto body = ParseJson(response.body, "body");
  return body.ok() && body->contains("__type") ? (*body)["__type"].get<std::string>() : "";
}

TEST(HttpAuthTest, SigV4SignaturesAreVerified) {
  ServerOptions options;
  options.aws = kAws;
  AuthServer server(options);
  HttpClient client = server.Client();
  const std::string body = R"({"StreamName":"click_stream","Data":"eA==","PartitionKey":"k"})";

  auto signed_ok = client.Send("POST", "/", SignedPutRecord(server.port(), kAws, body), body);
  ASSERT_TRUE(signed_ok.ok());
  EXPECT_EQ(signed_ok->status, 200) << signed_ok->body;
  EXPECT_EQ(server.ingest().Records("click_stream").size(), 1u);

  // The same signature over another body, a forged signature, and the
  // signature of "00" that used to pass on the access key id alone.
  auto replayed = client.Send("POST", "/", SignedPutRecord(server.port(), kAws, body),
                              R"({"StreamName":"click_stream","Data":"eQ==","PartitionKey":"k"})");
  ASSERT_TRUE(replayed.ok());
  EXPECT_EQ(replayed->status, 403);
  EXPECT_EQ(TypeOf(*replayed), "InvalidSignatureException") << replayed->body;
  HttpFields forged = SignedPutRecord(server.port(), kAws, body);
  std::string& authorization = forged.back().second;
  authorization.back() = authorization.back() == '0' ? '1' : '0';
  auto forged_response = client.Send("POST", "/", forged, body);
  ASSERT_TRUE(forged_response.ok());
  EXPECT_EQ(forged_response->status, 403);
  EXPECT_EQ(TypeOf(*forged_response), "InvalidSignatureException");
  authorization = authorization.substr(0, authorization.rfind('=') + 1) + "00";
  auto zeros = client.Send("POST", "/", forged, body);
  ASSERT_TRUE(zeros.ok());
  EXPECT_EQ(zeros->status, 403);

  AwsCredentials wrong_secret = {kAws.access_key_id, "guessed"};
  auto bad_secret =
      client.Send("POST", "/", SignedPutRecord(server.port(), wrong_secret, body), body);
  ASSERT_TRUE(bad_secret.ok());
  EXPECT_EQ(bad_secret->status, 403);
  EXPECT_EQ(TypeOf(*bad_secret), "InvalidSignatureException");
  AwsCredentials other_key = {"AKIDSOMEONEELSE", kAws.secret_access_key};
  auto unknown = client.Send("POST", "/", SignedPutRecord(server.port(), other_key, body), body);
  ASSERT_TRUE(unknown.ok());
  EXPECT_EQ(unknown->status, 403);
  EXPECT_EQ(TypeOf(*unknown), "UnrecognizedClientException");

  // Outside the ±15 minute window the same correct signature is refused.
  server.clock().AdvanceSeconds(16 * 60);
  auto late = client.Send("POST", "/", SignedPutRecord(server.port(), kAws, body), body);
  ASSERT_TRUE(late.ok());
  EXPECT_EQ(late->status, 403);
  EXPECT_NE(late->body.find("Signature expired"), std::string::npos) << late->body;
  server.clock().AdvanceSeconds(-2 * 60);
  auto in_window = client.Send("POST", "/", SignedPutRecord(server.port(), kAws, body), body);
  ASSERT_TRUE(in_window.ok());
  EXPECT_EQ(in_window->status, 200) << in_window->body;

  // Without a token configured, bearer tokens are not a way in.
  auto bearer = client.Send("POST", "/v1/events",
                            {{"Authorization", "Bearer " + kAws.secret_access_key}}, "[]");
  ASSERT_TRUE(bearer.ok());
  EXPECT_EQ(bearer->status, 401);
  EXPECT_EQ(server.ingest().Records("click_stream").size(), 2u);
}

TEST(HttpAuthTest, WithoutAwsCredentialsTheAccessKeyIdIsTheToken) {
  // The documented compatibility mode (auth.h): no secret to verify with.
  ServerOptions options;
  options.token = "pantry-token";
  AuthServer server(options);
  HttpClient client = server.Client();
  const std::string body = R"({"StreamName":"click_stream","Data":"eA==","PartitionKey":"k"})";
  AwsCredentials token_as_key = {"pantry-token", "anything"};
  auto accepted =
      client.Send("POST", "/", SignedPutRecord(server.port(), token_as_key, body), body);
  ASSERT_TRUE(accepted.ok());
  EXPECT_EQ(accepted->status, 200) << accepted->body;
  AwsCredentials other = {"not-the-token", "anything"};
  auto refused = client.Send("POST", "/", SignedPutRecord(server.port(), other, body), body);
  ASSERT_TRUE(refused.ok());
  EXPECT_EQ(refused->status, 401);
  EXPECT_EQ(TypeOf(*refused), "AccessDeniedException");
}

}  // namespace
}  // namespace pantry::server
