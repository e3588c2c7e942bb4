// The HTTP transport on a real socket: limits enforced while reading,
// compressed and chunked bodies, slow clients, keep-alive and pipelining,
// connection caps, the bounded handler queue and the access log.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <functional>
#include <mutex>
#include <set>
#include <thread>

#include "pantry/common/json.h"
#include "pantry/server/base64.h"
#include "pantry/server/http_client.h"
#include "pantry/server/memory_event_ingest.h"
#include "pantry/server/server.h"

namespace pantry::server {
namespace {

using Clock = std::chrono::steady_clock;

// A PantryServer with the Kinesis and event APIs over a MemoryEventIngest,
// its own metrics and a captured access log.
class Server {
 public:
  Server() : Server(ServerOptions()) {}
  explicit Server(ServerOptions options) : Server(std::move(options), ServerComponents()) {}
  Server(ServerOptions options, ServerComponents components)
      : clock_(1'764'000'000'000'000), ingest_(&clock_, {"click_stream"}, 2) {
    options.http.port = 0;
    options.metrics = &metrics_;
    options.access_log_writer = [this](std::string_view line) {
      std::lock_guard<std::mutex> lock(mutex_);
      log_.emplace_back(line);
    };
    components.events = &ingest_;
    auto server = PantryServer::Start(options, std::move(components));
    EXPECT_TRUE(server.ok()) << server.status();
    if (server.ok()) server_ = std::move(*server);
  }

  int port() const { return server_->port(); }
  HttpClient Client() const { return HttpClient("127.0.0.1", port()); }
  MemoryEventIngest& ingest() { return ingest_; }
  PantryServer& server() { return *server_; }
  std::vector<std::string> log() {
    std::lock_guard<std::mutex> lock(mutex_);
    return log_;
  }

 private:
  FakeClock clock_;
  MemoryEventIngest ingest_;
  MetricsRegistry metrics_;
  std::mutex mutex_;
  std::vector<std::string> log_;
  std::unique_ptr<PantryServer> server_;
};

// A plain TCP connection for what HttpClient will not send.
class Raw {
 public:
  explicit Raw(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~Raw() { Close(); }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  bool connected() const { return connected_; }

  bool Send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads until `done(received)` holds, the peer closes, or the timeout.
  // Returns what arrived; *closed tells whether the peer closed.
  std::string ReadUntil(const std::function<bool(const std::string&)>& done, int timeout_ms,
                        bool* closed = nullptr) {
    std::string received;
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    if (closed) *closed = false;
    while (!done(received)) {
      int left = static_cast<int>(
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count());
      if (left <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, left) <= 0) continue;
      char buffer[16384];
      ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      received.append(buffer, static_cast<size_t>(n));
    }
    return received;
  }

  // One whole response (head and Content-Length body).
  std::string ReadResponse(int timeout_ms = 5000) {
    return ReadUntil([](const std::string& r) { return ResponseComplete(r); }, timeout_ms);
  }

  static bool ResponseComplete(const std::string& r) {
    size_t end = r.find("\r\n\r\n");
    if (end == std::string::npos) return false;
    size_t at = r.find("Content-Length: ");
    size_t length = at == std::string::npos || at > end ? 0 : std::stoul(r.substr(at + 16));
    return r.size() >= end + 4 + length;
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

int StatusOf(const std::string& response) {
  return response.size() > 12 ? std::atoi(response.c_str() + 9) : 0;
}

Json BodyOf(const std::string& response) {
  size_t end = response.find("\r\n\r\n");
  auto json = ParseJson(end == std::string::npos ? "" : response.substr(end + 4), "body");
  return json.ok() ? *json : Json();
}

const std::string kEvent = R"([{"customer_id":"C1","product_id":"P1"}])";

void ExpectHealthy(const Server& server) {
  HttpClient client = server.Client();
  auto health = client.Send("GET", "/healthz");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(health->status, 200);
}

// Holds handlers that call Enter() until Open(). Declare it before the
// Server whose routes use it, and a Gate::OpenOnExit after, so that a
// failed assertion opens it before the server waits for those handlers.
class Gate {
 public:
  struct OpenOnExit {
    Gate* gate;
    ~OpenOnExit() { gate->Open(); }
  };

  void Enter() {
    std::unique_lock<std::mutex> lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
  }
  // True once `count` handlers have entered (false after 10 s).
  bool WaitForEntered(int count) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(10), [&] { return entered_ >= count; });
  }
  void Open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int entered_ = 0;
  bool open_ = false;
};

// GET /blocking: a handler that waits at `gate`, holding an ordinary worker.
void AddBlockingRoute(ServerComponents* components, Gate* gate) {
  components->extra_routes.push_back([gate](HttpService* service) {
    return service->AddRoute("GET", "/blocking", RouteAccess::kRead, ErrorStyle::kNative,
                             [gate](const HttpRequest&, HttpResponse* response) {
                               gate->Enter();
                               response->SetJson(200, Json{{"blocking", true}});
                             });
  });
}

TEST(HttpTransportTest, ChunkedBodyIsCountedAsItArrives) {
  ServerOptions options;
  options.http.max_body_bytes = 1024;
  Server server(options);
  const std::string head =
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  // Under the limit, a chunked body is served like any other.
  Raw ok(server.port());
  char rest[16];
  std::snprintf(rest, sizeof(rest), "%zx", kEvent.size() - 16);
  ASSERT_TRUE(ok.Send(head + "10\r\n" + kEvent.substr(0, 16) + "\r\n" + rest + "\r\n" +
                      kEvent.substr(16) + "\r\n0\r\n\r\n"));
  std::string response = ok.ReadResponse();
  EXPECT_EQ(StatusOf(response), 200) << response;
  // 8 chunks of 512 bytes: refused when the third crosses 1 KiB.
  Raw big(server.port());
  std::string body;
  for (int i = 0; i < 8; ++i) body += "200\r\n" + std::string(512, ' ') + "\r\n";
  ASSERT_TRUE(big.Send(head + body + "0\r\n\r\n"));
  response = big.ReadResponse();
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_EQ(BodyOf(response)["error"], "PayloadTooLarge");
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_EQ(server.ingest().Records("click_stream").size(), 1u);
  ExpectHealthy(server);
}

TEST(HttpTransportTest, ContentLengthOverTheLimitIsRefusedBeforeTheBody) {
  ServerOptions options;
  options.http.max_body_bytes = 1 << 20;
  Server server(options);
  Raw raw(server.port());
  // Only the head is sent: the answer must not wait for 100 MB.
  ASSERT_TRUE(
      raw.Send("POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-amz-json-1.1\r\n"
               "X-Amz-Target: Kinesis_20131202.PutRecords\r\nContent-Length: 100000000\r\n\r\n"));
  std::string response = raw.ReadResponse(2000);
  EXPECT_EQ(StatusOf(response), 413) << response;
  EXPECT_EQ(BodyOf(response)["__type"], "ValidationException");
}

TEST(HttpTransportTest, CompressedBodiesAreRefusedUnread) {
  Server server;
  for (std::string encoding : {"gzip", "br", "deflate", "x-gzip"}) {
    Raw raw(server.port());
    // A gzip header and garbage: it is never inflated, nor even read.
    ASSERT_TRUE(
        raw.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                 "\r\nContent-Encoding: " +
                 encoding + "\r\nContent-Length: 12\r\n\r\n\x1f\x8b\x08\x00garbage!"));
    std::string response = raw.ReadResponse();
    EXPECT_EQ(StatusOf(response), 415) << encoding << ": " << response;
    EXPECT_EQ(BodyOf(response)["error"], "UnsupportedMediaType") << encoding;
  }
  Raw transfer(server.port());
  ASSERT_TRUE(transfer.Send(
      "POST /v1/events HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"));
  EXPECT_EQ(StatusOf(transfer.ReadResponse()), 415);
  EXPECT_TRUE(server.ingest().Records("click_stream").empty());
  ExpectHealthy(server);
}

TEST(HttpTransportTest, DeeplyNestedJsonIs400AndTheServerKeepsServing) {
  Server server;
  HttpClient client = server.Client();
  const std::string nested = std::string(10000, '[') + std::string(10000, ']');
  auto events = client.Send("POST", "/v1/events", {{"Content-Type", "application/json"}}, nested);
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_EQ(events->status, 400) << events->body;
  EXPECT_NE(events->body.find("nested deeper"), std::string::npos) << events->body;
  // Nesting inside an otherwise valid Kinesis call.
  auto kinesis = client.Send(
      "POST", "/",
      {{"Content-Type", "application/x-amz-json-1.1"},
       {"X-Amz-Target", "Kinesis_20131202.PutRecords"}},
      R"({"StreamName":"click_stream","Records":[{"Data":"eA==","PartitionKey":"k","x":)" +
          std::string(5000, '{') + std::string(5000, '}') + "}]}");
  ASSERT_TRUE(kinesis.ok());
  EXPECT_EQ(kinesis->status, 400) << kinesis->body;
  EXPECT_NE(kinesis->body.find("SerializationException"), std::string::npos);
  auto good = client.Send("POST", "/v1/events", {{"Content-Type", "application/json"}}, kEvent);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(good->status, 200) << good->body;
  ExpectHealthy(server);
}

TEST(HttpTransportTest, SlowClientsDoNotStopHealthzAndAreDisconnected) {
  ServerOptions options;
  options.http.threads = 4;
  options.http.request_head_timeout_seconds = 3;
  Server server(options);
  std::vector<std::unique_ptr<Raw>> slow;
  for (int i = 0; i < 32; ++i) {
    slow.push_back(std::make_unique<Raw>(server.port()));
    ASSERT_TRUE(slow.back()->connected());
    ASSERT_TRUE(slow.back()->Send("GET /healthz HTTP/1.1\r\nHost: x\r\n"));
  }
  auto start = Clock::now();
  std::vector<double> probes_ms;
  for (int round = 0; round < 4; ++round) {
    for (auto& raw : slow) raw->Send("X-Slow-" + std::to_string(round) + ": 1\r\n");
    for (int probe = 0; probe < 3; ++probe) {
      auto before = Clock::now();
      HttpClient client = server.Client();
      auto health = client.Send("GET", "/healthz");
      probes_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
      ASSERT_TRUE(health.ok()) << health.status();
      EXPECT_EQ(health->status, 200);
      std::this_thread::sleep_for(std::chrono::milliseconds(150));
    }
  }
  for (double ms : probes_ms) EXPECT_LT(ms, 100.0) << "a /healthz probe took " << ms << " ms";
  // None of them finished its head within 3 s of starting it: each is
  // disconnected, without an answer.
  int closed_count = 0;
  for (auto& raw : slow) {
    bool closed = false;
    std::string got = raw->ReadUntil([](const std::string&) { return false; }, 5000, &closed);
    if (closed && got.empty()) ++closed_count;
  }
  EXPECT_EQ(closed_count, 32);
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  EXPECT_LT(elapsed, 8.0);
}

TEST(HttpTransportTest, HeaderLimits) {
  ServerOptions options;
  options.http.max_header_count = 50;
  options.http.max_header_bytes = 8192;
  Server server(options);
  std::string many = "GET /healthz HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 60; ++i) many += "X-H" + std::to_string(i) + ": v\r\n";
  Raw a(server.port());
  ASSERT_TRUE(a.Send(many + "\r\n"));
  std::string response = a.ReadResponse();
  EXPECT_EQ(StatusOf(response), 431) << response;
  Raw b(server.port());
  ASSERT_TRUE(
      b.Send("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'b') + "\r\n\r\n"));
  response = b.ReadResponse();
  EXPECT_EQ(StatusOf(response), 431) << response;
  EXPECT_FALSE(BodyOf(response)["message"].get<std::string>().empty());
  Raw c(server.port());
  ASSERT_TRUE(c.Send("GET /" + std::string(9000, 'u') + " HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(c.ReadResponse()), 414);
  ExpectHealthy(server);
}

TEST(HttpTransportTest, PipelinedRequestsAreAnsweredInOrder) {
  Server server;
  Raw raw(server.port());
  ASSERT_TRUE(
      raw.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
               "POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: " +
               std::to_string(kEvent.size()) + "\r\n\r\n" + kEvent +
               "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"
               "HEAD /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
  bool closed = false;
  std::string all = raw.ReadUntil([](const std::string&) { return false; }, 5000, &closed);
  EXPECT_TRUE(closed) << "Connection: close is honoured";
  std::vector<int> statuses;
  for (size_t at = all.find("HTTP/1.1 "); at != std::string::npos;
       at = all.find("HTTP/1.1 ", at + 1)) {
    statuses.push_back(std::atoi(all.c_str() + at + 9));
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 404, 200})) << all;
  EXPECT_NE(all.find("\"accepted\":1"), std::string::npos);
  // HEAD: the GET's Content-Length, no body, so the stream ends with the head.
  EXPECT_TRUE(all.ends_with("Connection: close\r\n\r\n")) << all;
}

TEST(HttpTransportTest, ExpectContinue) {
  Server server;
  Raw raw(server.port());
  ASSERT_TRUE(
      raw.Send("POST /v1/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Expect: 100-continue\r\nContent-Length: " +
               std::to_string(kEvent.size()) + "\r\n\r\n"));
  std::string interim = raw.ReadUntil(
      [](const std::string& r) { return r.find("\r\n\r\n") != std::string::npos; }, 5000);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  ASSERT_TRUE(raw.Send(kEvent));
  EXPECT_EQ(StatusOf(raw.ReadResponse()), 200);
}

TEST(HttpTransportTest, ConnectionsPerClientAreCapped) {
  ServerOptions options;
  options.http.max_connections_per_client = 4;
  Server server(options);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(std::make_unique<HttpClient>("127.0.0.1", server.port()));
    auto response = held.back()->Send("GET", "/healthz");  // keeps its connection
    ASSERT_TRUE(response.ok());
    ASSERT_EQ(response->status, 200);
  }
  HttpClient fifth = server.Client();
  auto refused = fifth.Send("GET", "/healthz");
  ASSERT_TRUE(refused.ok()) << refused.status();
  EXPECT_EQ(refused->status, 503);
  EXPECT_NE(refused->Header("retry-after"), nullptr);
  held.pop_back();  // one leaves; the server notices and admits another
  bool admitted = false;
  for (int attempt = 0; attempt < 100 && !admitted; ++attempt) {
    HttpClient next = server.Client();
    auto response = next.Send("GET", "/healthz");
    admitted = response.ok() && response->status == 200;
    if (!admitted) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(admitted);
}

TEST(HttpTransportTest, FullHandlerQueueAnswers503AndIoGoesOn) {
  Gate gate;
  ServerOptions options;
  options.http.threads = 2;
  options.http.max_queued_requests = 1;
  ServerComponents components;
  components.extra_routes.push_back([&](HttpService* service) {
    return service->AddRoute("GET", "/slow", RouteAccess::kRead, ErrorStyle::kNative,
                             [&](const HttpRequest&, HttpResponse* response) {
                               gate.Enter();
                               response->SetJson(200, Json{{"slow", true}});
                             });
  });
  Server server(options, std::move(components));
  Gate::OpenOnExit open_on_exit{&gate};
  // Two slow handlers occupy both workers (one at a time: with a queue of
  // one, a second request sent before a worker took the first is refused).
  std::vector<std::unique_ptr<Raw>> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(std::make_unique<Raw>(server.port()));
    ASSERT_TRUE(slow.back()->Send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
    ASSERT_TRUE(gate.WaitForEntered(i + 1));
  }
  // The next request waits in the queue (one place), the one after is told
  // to retry: the event loop answers while every worker is blocked.
  Raw queued(server.port());
  ASSERT_TRUE(queued.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(queued.ReadResponse(300), "") << "no worker is free";
  Raw refused(server.port());
  ASSERT_TRUE(refused.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  std::string response = refused.ReadResponse();
  EXPECT_EQ(StatusOf(response), 503) << response;
  EXPECT_NE(response.find("Retry-After: 1"), std::string::npos);
  gate.Open();
  for (auto& raw : slow) EXPECT_EQ(StatusOf(raw->ReadResponse()), 200);
  EXPECT_EQ(StatusOf(queued.ReadResponse()), 200);
  ExpectHealthy(server);
}

// Routes marked cpu_bound run on the compute workers: a blocking handler
// that holds every ordinary worker does not hold them up, and no more of
// them run at once than there are compute workers.
TEST(HttpTransportTest, CpuBoundRoutesRunOnTheComputeWorkers) {
  Gate gate;
  std::atomic<int> computing{0}, most_at_once{0};
  ServerOptions options;
  options.http.threads = 1;
  options.http.compute_threads = 1;
  ServerComponents components;
  AddBlockingRoute(&components, &gate);
  components.extra_routes.push_back([&](HttpService* service) {
    HttpService::RouteOptions cpu;
    cpu.cpu_bound = true;
    return service->AddRoute(
        "GET", "/compute", RouteAccess::kRead, ErrorStyle::kNative,
        [&](const HttpRequest&, HttpResponse* response) {
          const int now = ++computing;
          int most = most_at_once.load();
          while (now > most && !most_at_once.compare_exchange_weak(most, now)) {
          }
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
          --computing;
          response->SetJson(200, Json{{"computed", true}});
        },
        std::move(cpu));
  });
  Server server(options, std::move(components));
  Gate::OpenOnExit open_on_exit{&gate};
  Raw blocking(server.port());
  ASSERT_TRUE(blocking.Send("GET /blocking HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(gate.WaitForEntered(1));
  std::vector<std::unique_ptr<Raw>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<Raw>(server.port()));
    ASSERT_TRUE(clients.back()->Send("GET /compute HTTP/1.1\r\nHost: x\r\n\r\n"));
  }
  for (auto& client : clients) EXPECT_EQ(StatusOf(client->ReadResponse()), 200);
  EXPECT_EQ(most_at_once.load(), 1);
  gate.Open();
  EXPECT_EQ(StatusOf(blocking.ReadResponse()), 200);
}

// --compute-threads 0: a cpu_bound route runs on the event loop that read
// the request, the thread that runs fast paths, and still does not wait for
// the ordinary workers, all held here by a blocking handler.
TEST(HttpTransportTest, CpuBoundRoutesRunOnTheEventLoopWithoutComputeWorkers) {
  Gate gate;
  std::mutex mutex;
  std::set<std::thread::id> fast_path_threads, compute_threads;
  ServerOptions options;
  options.http.threads = 1;
  options.http.io_threads = 1;
  options.http.compute_threads = 0;
  ServerComponents components;
  AddBlockingRoute(&components, &gate);
  components.extra_routes.push_back([&](HttpService* service) {
    HttpService::RouteOptions fast;
    fast.io_handler = [&](const HttpRequest&, HttpResponse* response) {
      std::lock_guard lock(mutex);
      fast_path_threads.insert(std::this_thread::get_id());
      response->SetJson(200, Json{{"fast", true}});
      return true;
    };
    return service->AddRoute(
        "GET", "/fast", RouteAccess::kRead, ErrorStyle::kNative,
        [](const HttpRequest&, HttpResponse* response) { response->SetJson(500, Json{}); },
        std::move(fast));
  });
  components.extra_routes.push_back([&](HttpService* service) {
    HttpService::RouteOptions cpu;
    cpu.cpu_bound = true;
    return service->AddRoute(
        "GET", "/compute", RouteAccess::kRead, ErrorStyle::kNative,
        [&](const HttpRequest&, HttpResponse* response) {
          std::lock_guard lock(mutex);
          compute_threads.insert(std::this_thread::get_id());
          response->SetJson(200, Json{{"computed", true}});
        },
        std::move(cpu));
  });
  Server server(options, std::move(components));
  Gate::OpenOnExit open_on_exit{&gate};
  Raw blocking(server.port());
  ASSERT_TRUE(blocking.Send("GET /blocking HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(gate.WaitForEntered(1));
  for (int i = 0; i < 3; ++i) {
    Raw compute(server.port());
    ASSERT_TRUE(compute.Send("GET /compute HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(StatusOf(compute.ReadResponse()), 200);
    Raw fast(server.port());
    ASSERT_TRUE(fast.Send("GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"));
    EXPECT_EQ(StatusOf(fast.ReadResponse()), 200);
  }
  gate.Open();
  EXPECT_EQ(StatusOf(blocking.ReadResponse()), 200);
  std::lock_guard lock(mutex);
  ASSERT_EQ(fast_path_threads.size(), 1u);
  EXPECT_EQ(compute_threads, fast_path_threads);
}

TEST(HttpTransportTest, HandlersCanRunOnTheIoThreads) {
  ServerOptions options;
  options.http.handlers_on_io_threads = true;
  options.http.io_threads = 1;
  Server server(options);
  HttpClient client = server.Client();
  for (int i = 0; i < 3; ++i) {
    auto response =
        client.Send("POST", "/v1/events", {{"Content-Type", "application/json"}}, kEvent);
    ASSERT_TRUE(response.ok()) << response.status();
    EXPECT_EQ(response->status, 200) << response->body;
    EXPECT_FALSE(response->connection_close);
  }
  EXPECT_EQ(server.ingest().Records("click_stream").size(), 3u);
}

TEST(HttpTransportTest, AccessLogLinesCannotBeForged) {
  Server server;
  Raw raw(server.port());
  ASSERT_TRUE(
      raw.Send("GET /v1/x%0d%0a127.0.0.1:1%20%22GET%20/admin%22%20200%200%200.1ms HTTP/1.1\r\n"
               "Host: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(raw.ReadResponse()), 404);
  std::vector<std::string> log = server.log();
  ASSERT_EQ(log.size(), 1u);
  const std::string& line = log[0];
  EXPECT_EQ(line.find_first_of("\r\n"), std::string::npos) << line;
  EXPECT_NE(line.find("/v1/x\\x0d\\x0a127.0.0.1:1 \\x22GET /admin\\x22 200"), std::string::npos)
      << line;
  EXPECT_NE(line.find("\" 404 "), std::string::npos) << line;
}

TEST(HttpTransportTest, JsonRoutesNeedAJsonContentType) {
  Server server;
  HttpClient client = server.Client();
  auto text = client.Send("POST", "/v1/events", {{"Content-Type", "text/plain"}}, kEvent);
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(text->status, 415) << text->body;
  EXPECT_NE(text->body.find("UnsupportedMediaType"), std::string::npos);
  auto form = client.Send("POST", "/v1/events",
                          {{"Content-Type", "application/x-www-form-urlencoded"}}, kEvent);
  ASSERT_TRUE(form.ok());
  EXPECT_EQ(form->status, 415);
  // A web page's typeless body (a Blob) carries Origin.
  auto typeless = client.Send("POST", "/v1/events", {{"Origin", "https://evil.example"}}, kEvent);
  ASSERT_TRUE(typeless.ok());
  EXPECT_EQ(typeless->status, 415);
  auto kinesis_text = client.Send(
      "POST", "/", {{"Content-Type", "text/plain"}, {"X-Amz-Target", "Kinesis_20131202.PutRecord"}},
      R"({"StreamName":"click_stream","Data":"eA==","PartitionKey":"k"})");
  ASSERT_TRUE(kinesis_text.ok());
  EXPECT_EQ(kinesis_text->status, 415);
  EXPECT_TRUE(server.ingest().Records("click_stream").empty());
  auto json = client.Send("POST", "/v1/events",
                          {{"Content-Type", "Application/JSON; charset=utf-8"}}, kEvent);
  ASSERT_TRUE(json.ok());
  EXPECT_EQ(json->status, 200) << json->body;
  auto none = client.Send("POST", "/v1/events", {}, kEvent);  // curl, scripts
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, 200) << none->body;
}

}  // namespace
}  // namespace pantry::server
