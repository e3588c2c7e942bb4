// HttpServer: the HTTP/1.1 transport in front of an HttpService. The one
// implementation runs on Boost.Beast/Asio (beast_http_server.cc, the only
// file that includes Boost).
//
// Concurrency model: `io_threads` event-loop threads, each with its own
// event loop, read and write every socket asynchronously, so an idle or
// slow client costs a little memory and no thread; a connection stays on
// the thread it was given at accept (round robin). Once a request is complete it is
// handed to a pool of `threads` workers that run the handler (which may wait
// on disk); the response goes back to the event loop to be written. A route
// may also have a fast path that never blocks (HttpService::IoHandler, e.g.
// GetRecord answered from memory): the event loop runs it first and hands
// the request to the pool only when the fast path declines, so no handler
// ever waits on disk or the network on an event-loop thread.
// Keep-alive and pipelining work: a connection's requests are answered one
// at a time, in the order they arrived.
//
// Limits, all enforced while reading (the client gets a JSON error, then
// the connection is closed):
//   - request line + headers ≤ max_header_bytes (431; 414 when the request
//     line alone is too long), ≤ max_header_count fields (431), the
//     request-target ≤ max_uri_bytes (414);
//   - the head must arrive within request_head_timeout_seconds of its first
//     byte, the body within request_body_timeout_seconds (slow clients are
//     disconnected);
//   - body bytes are counted as they arrive whatever the framing (a
//     Content-Length over the limit is refused before any body is read, a
//     chunked body when it crosses it): 413 past max_body_bytes;
//   - compressed bodies (Content-Encoding other than identity, or a
//     Transfer-Encoding other than chunked) are refused with 415, never
//     inflated;
//   - at most max_connections connections, max_connections_per_client of
//     them from one IP address (more are answered 503 and closed), and an
//     accept backlog of accept_backlog;
//   - at most max_queued_requests requests wait for a worker (503 beyond).
// A refused request whose body was not read is answered, the sending side
// is shut down, and the rest of the body is read and dropped for a short
// while (a lingering close) so that the client sees the answer rather than
// a reset.
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
  int port = 8080;     // 0: any free port (see HttpServer::port())
  int io_threads = 0;  // event-loop threads; 0: one per core
  int threads = 16;    // handler workers
  // Workers for the routes marked cpu_bound (HttpService::RouteOptions);
  // -1: one per core. Their requests queue for a core instead of
  // time-slicing the cores with the workers above, which only makes each
  // one slower. 0: no compute workers; such a request runs on the event
  // loop that read it, as a fast path does. That saves two thread hand-offs
  // per request and, with one event loop, leaves the server one busy thread:
  // often the lowest latency where the server shares few cores with its
  // clients (docs/server.md), at the price that a long computation delays
  // the other connections of its event loop.
  int compute_threads = -1;
  // Run handlers on the event-loop threads instead of the workers: saves
  // the hand-off, but one slow handler then delays every connection of its
  // thread. Only for deployments whose handlers never wait on disk.
  bool handlers_on_io_threads = false;
  size_t max_queued_requests = 1024;
  size_t max_body_bytes = 8 << 20;
  size_t max_header_bytes = 16 << 10;
  size_t max_header_count = 100;
  size_t max_uri_bytes = 8 << 10;
  int request_head_timeout_seconds = 10;
  int request_body_timeout_seconds = 30;
  int keep_alive_timeout_seconds = 5;       // idle time between requests
  size_t keep_alive_max_requests = 100000;  // per connection, then closed
  int write_timeout_seconds = 10;
  size_t max_connections = 4096;  // lowered to fit RLIMIT_NOFILE
  size_t max_connections_per_client = 256;
  int accept_backlog = 512;
  // How long Shutdown() waits for in-flight requests before it closes what
  // is left.
  int shutdown_timeout_seconds = 30;
};

class HttpServer {
 public:
  virtual ~HttpServer() = default;

  // Binds host:port and starts serving `service` (not owned; must outlive the
  // server) on background threads. Returns once the socket accepts
  // connections. InvalidArgument for bad options; Unavailable when the
  // address cannot be bound (pantry never sets SO_REUSEPORT, so a port in
  // use is an error rather than silently shared).
  static StatusOr<std::unique_ptr<HttpServer>> Start(const HttpServerOptions& options,
                                                     const HttpService* service);

  // The bound port (the chosen one when options.port was 0).
  virtual int port() const = 0;

  // Graceful drain: stops accepting, closes idle keep-alive connections and
  // those still sending a request head, lets requests whose head has arrived
  // finish and answer (with Connection: close), then stops the threads.
  // Idempotent; the destructor calls it.
  virtual void Shutdown() = 0;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_HTTP_SERVER_H_
