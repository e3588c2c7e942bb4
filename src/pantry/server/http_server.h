// HttpServer: the HTTP/1.1 transport (keep-alive, a fixed pool of worker
// threads, a request body limit) in front of an HttpService. The one
// implementation wraps cpp-httplib (httplib_server.cc).
//
// Concurrency model: each worker serves one connection at a time for as long
// as the client keeps it alive, so `threads` bounds the number of
// connections served concurrently; further connections wait in the accept
// queue. Size it at or above the expected number of client connections.
#ifndef PANTRY_SERVER_HTTP_SERVER_H_
#define PANTRY_SERVER_HTTP_SERVER_H_

#include <cstddef>
#include <memory>
#include <string>

#include "pantry/common/status.h"
#include "pantry/server/http_service.h"

namespace pantry::server {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0: any free port (see HttpServer::port())
  int threads = 16;
  size_t max_body_bytes = 8 << 20;  // larger bodies get 413 with a JSON message
  int keep_alive_timeout_seconds = 5;
  size_t keep_alive_max_requests = 100000;  // per connection, then closed
  int read_timeout_seconds = 5;
  int write_timeout_seconds = 5;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;

  // Binds host:port and starts serving `service` (not owned; must outlive the
  // server) on background threads. Returns once the socket accepts
  // connections. Unavailable when the address cannot be bound.
  static StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                     const HttpService* service);

  // The bound port (the chosen one when options.port was 0).
  virtual int port() const = 0;

  // Graceful drain: stops accepting, lets in-flight requests finish and
  // answer, closes idle keep-alive connections (after at most the keep-alive
  // timeout), then joins the workers. Idempotent; the destructor calls it.
  virtual void Shutdown() = 0;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_HTTP_SERVER_H_
