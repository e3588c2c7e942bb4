// The one file that includes cpp-httplib. Debian's libcpp-httplib is built as
// a shared library with OpenSSL, zlib and Brotli support; those switches
// change the layout of httplib::Request and friends, so they must match the
// library's build (see its cpp-httplib.pc Cflags) or the ABI breaks.
#define CPPHTTPLIB_OPENSSL_SUPPORT
#define CPPHTTPLIB_ZLIB_SUPPORT
#define CPPHTTPLIB_BROTLI_SUPPORT
#include <httplib.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <mutex>
#include <thread>

#include "pantry/common/logging.h"
#include "pantry/server/http_server.h"

namespace pantry::server {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

HttpRequest Convert(const httplib::Request& in, bool with_body) {
  HttpRequest out;
  out.method = in.method;
  out.path = in.path;
  out.query.reserve(in.params.size());
  for (const auto& [key, value] : in.params) out.query.emplace_back(key, value);
  out.headers.reserve(in.headers.size());
  for (const auto& [key, value] : in.headers) out.headers.emplace_back(Lower(key), value);
  if (with_body) out.body = in.body;
  out.remote_addr = in.remote_addr + ":" + std::to_string(in.remote_port);
  return out;
}

void Apply(HttpResponse&& in, httplib::Response* out) {
  out->status = in.status;
  for (auto& [key, value] : in.headers) out->set_header(key.c_str(), value);
  out->set_content(std::move(in.body), in.content_type.c_str());
}

class HttplibServer final : public HttpServer {
 public:
  HttplibServer(const HttpServerOptions& options, const HttpService* service)
      : options_(options), service_(service) {}

  ~HttplibServer() override { Shutdown(); }

  Status Start() {
    ConfigureTransport();
    InstallHandlers();
    RETURN_IF_ERROR(Bind());
    return StartListener();
  }

  int port() const override { return port_; }

  void Shutdown() override {
    std::lock_guard<std::mutex> lock(shutdown_mutex_);
    if (!listener_.joinable()) return;
    server_.stop();
    listener_.join();  // the pool finishes queued connections before joining
  }

 private:
  void ConfigureTransport() {
    int threads = options_.threads > 0 ? options_.threads : 16;
    server_.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server_.set_keep_alive_timeout(options_.keep_alive_timeout_seconds);
    server_.set_keep_alive_max_count(options_.keep_alive_max_requests);
    server_.set_read_timeout(options_.read_timeout_seconds, 0);
    server_.set_write_timeout(options_.write_timeout_seconds, 0);
    server_.set_payload_max_length(options_.max_body_bytes);
    server_.set_tcp_nodelay(true);
    // httplib's default also sets SO_REUSEPORT, which would let a second
    // pantry bind the same port and silently split the traffic.
    server_.set_socket_options([](int sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, reinterpret_cast<const void*>(&yes), sizeof(yes));
    });
  }

  void InstallHandlers() {
    auto handler = [this](const httplib::Request& request, httplib::Response& response) {
      HttpRequest converted = Convert(request, /*with_body=*/true);
      HttpResponse result;
      service_->Handle(&converted, &result);
      Apply(std::move(result), &response);
    };
    // One catch-all per method: pantry's HttpService does the routing.
    const std::string any = ".*";
    server_.Get(any, handler);
    server_.Post(any, handler);
    server_.Put(any, handler);
    server_.Patch(any, handler);
    server_.Delete(any, handler);
    server_.Options(any, handler);
    // Called for every response with status >= 400 before it is written. Ours
    // always carry a JSON body; an empty body means httplib answered by
    // itself (413 body too large, 400 malformed request, 414 URI too long).
    server_.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& request, httplib::Response& response) {
          if (!response.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
          HttpRequest converted = Convert(request, /*with_body=*/false);
          HttpResponse result;
          result.status = response.status;
          service_->HandleTransportError(converted, &result);
          Apply(std::move(result), &response);
          return httplib::Server::HandlerResponse::Handled;
        }));
    server_.set_exception_handler(
        [](const httplib::Request& request, httplib::Response& response, std::exception_ptr ep) {
          std::string what = "unknown exception";
          try {
            if (ep) std::rethrow_exception(ep);
          } catch (const std::exception& e) {
            what = e.what();
          } catch (...) {
          }
          PANTRY_LOG_ERROR("HTTP transport error on {} {}: {}", request.method, request.path, what);
          response.status = 500;
          response.set_content(R"({"error":"Internal","message":"internal server error"})",
                               "application/json");
        });
  }

  // Binds options_.port, or any free port if it is 0; sets port_.
  Status Bind() {
    if (options_.port == 0) {
      port_ = server_.bind_to_any_port(options_.host);
      if (port_ <= 0) {
        return UnavailableError("cannot bind " + options_.host + " on any port");
      }
      return Status::Ok();
    }
    if (!server_.bind_to_port(options_.host, options_.port)) {
      return UnavailableError("cannot bind " + options_.host + ":" + std::to_string(options_.port) +
                              " (address in use, or not a local address?)");
    }
    port_ = options_.port;
    return Status::Ok();
  }

  Status StartListener() {
    listener_ = std::thread([this] {
      if (!server_.listen_after_bind()) {
        PANTRY_LOG_ERROR("HTTP listener on {}:{} stopped with an error", options_.host, port_);
      }
      listener_done_.store(true);
    });
    // stop() is a no-op until the listener runs, so wait for it before
    // returning: a Shutdown() right after Start() must not be lost.
    while (!server_.is_running() && !listener_done_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    if (listener_done_.load()) {
      listener_.join();
      return UnavailableError("HTTP listener on " + options_.host + " failed to start");
    }
    return Status::Ok();
  }

  HttpServerOptions options_;
  const HttpService* service_;
  httplib::Server server_;
  int port_ = 0;
  std::thread listener_;
  std::atomic<bool> listener_done_{false};
  std::mutex shutdown_mutex_;
};

}  // namespace

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                        const HttpService* service) {
  if (options.threads < 0) return InvalidArgumentError("--threads must be positive");
  if (options.max_body_bytes == 0) return InvalidArgumentError("--max-body-bytes must be > 0");
  auto server = std::make_unique<HttplibServer>(options, service);
  RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace pantry::server
