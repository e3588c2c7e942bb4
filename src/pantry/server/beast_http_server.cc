// The HttpServer on Boost.Beast/Asio; the one file that includes Boost.
// Design and limits: http_server.h. Each I/O thread runs its own
// io_context, and a connection lives on one of them (round robin at
// accept), so every socket operation of a connection runs on one thread
// without a strand, and no event wakes another I/O thread. Handlers run on
// the WorkerPool and post their response back to the connection's
// io_context, unless a route's non-blocking fast path answers on the I/O
// thread itself (HttpService::TryHandleOnIoThread).
#include <sys/resource.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "pantry/common/logging.h"
#include "pantry/server/http_server.h"
#include "pantry/server/worker_pool.h"

namespace pantry::server {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Seconds = std::chrono::seconds;

constexpr size_t kReadSize = 16 << 10;
// A lingering close reads and drops what the client still sends for at
// most this long and this much, then closes.
constexpr int kLingerSeconds = 2;
constexpr size_t kLingerMaxBytes = 64 << 20;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsServedMethod(http::verb verb) {
  switch (verb) {
    case http::verb::get:
    case http::verb::head:
    case http::verb::post:
    case http::verb::put:
    case http::verb::delete_:
    case http::verb::patch:
    case http::verb::options:
      return true;
    default:
      return false;
  }
}

// The client went away or a deadline passed: nobody is left to answer.
bool IsDisconnect(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message ||
         ec == net::error::eof || ec == beast::error::timeout ||
         ec == net::error::operation_aborted || ec == net::error::connection_reset ||
         ec == net::error::broken_pipe || ec == net::error::bad_descriptor;
}

class BeastHttpServer;

// One client connection. Lives as long as an asynchronous operation or a
// queued handler holds a reference to it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, BeastHttpServer* server, std::string client_ip);
  ~Session();

  void Start();
  // From any thread: closes the connection now if it is idle or still
  // receiving a request head; otherwise it closes after its next answer.
  void PostDrain();

 private:
  enum class State { kIdle, kReadingHead, kReadingBody, kHandling, kWriting, kClosed };

  void WaitForRequest(bool first);
  void ReadHead();
  void OnHead(beast::error_code ec);
  bool BuildRequest();
  void ReadBody();
  void OnBody(beast::error_code ec);
  void Dispatch();
  void WriteResponse();
  void OnWrite(beast::error_code ec);
  // Answers a request the transport refuses, then closes the connection.
  void Refuse(int status, std::string message);
  void FillFromPartialMessage();
  // Feeds the buffered bytes to the parser. True when that completed what
  // is being read (the head, or the whole message); false with *ec set on
  // a parse error, or false when more bytes must be read.
  bool ParseBuffered(beast::error_code* ec);
  bool RequestLineTooLong() const;
  void LingerThenClose();
  void Discard();
  void Close();

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  BeastHttpServer* server_;
  const HttpServerOptions& options_;
  std::string client_ip_;
  std::string remote_addr_;
  State state_ = State::kIdle;
  size_t requests_ = 0;
  HttpRequest request_;
  HttpResponse response_;
  std::string head_;
  bool request_keep_alive_ = false;
  bool close_after_write_ = false;
  bool linger_ = false;  // the client may still be sending a body we did not read
  bool keep_alive_now_ = false;
  std::unique_ptr<char[]> discard_;
  size_t discarded_ = 0;
};

class BeastHttpServer final : public HttpServer {
 public:
  BeastHttpServer(const HttpServerOptions& options, const HttpService* service, int io_threads)
      : options_(options),
        service_(service),
        io_thread_count_(io_threads),
        contexts_(MakeContexts(io_threads)),
        acceptor_(*contexts_.front()),
        accept_retry_(*contexts_.front()) {}

  ~BeastHttpServer() override { Shutdown(); }

  Status Start();
  int port() const override { return port_; }
  void Shutdown() override;

  const HttpServerOptions& options() const { return options_; }
  const HttpService& service() const { return *service_; }
  bool draining() const { return draining_.load(std::memory_order_acquire); }
  WorkerPool* pool() { return pool_.get(); }
  WorkerPool* compute_pool() { return compute_pool_.get(); }
  void Unregister(Session* session, const std::string& client_ip);

 private:
  static std::vector<std::unique_ptr<net::io_context>> MakeContexts(int count) {
    std::vector<std::unique_ptr<net::io_context>> contexts;
    // Hint 1: one thread runs each context, so Asio never wakes a second
    // thread for its work.
    for (int i = 0; i < count; ++i) contexts.push_back(std::make_unique<net::io_context>(1));
    return contexts;
  }
  void Accept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Counts the connection against the limits; false when over one of them.
  bool Admit(const std::string& client_ip);
  void Reject(tcp::socket socket, const std::string& remote_addr);

  HttpServerOptions options_;
  const HttpService* service_;
  const int io_thread_count_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<WorkerPool> compute_pool_;  // for cpu_bound routes
  std::atomic<bool> draining_{false};
  std::mutex sessions_mutex_;
  std::condition_variable sessions_done_;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions_;
  std::unordered_map<std::string, size_t> per_client_;
  // Declared after what sessions touch when they die: the io_contexts are
  // destroyed first, together with the handlers (and sessions) they hold.
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  size_t next_context_ = 0;  // round robin of accepted connections
  std::vector<net::executor_work_guard<net::io_context::executor_type>> work_;
  tcp::acceptor acceptor_;
  net::steady_timer accept_retry_;
  std::vector<std::thread> io_threads_;
  int port_ = 0;
  std::mutex shutdown_mutex_;
  bool shut_down_ = false;
};

// ---------------------------------------------------------------- Session

Session::Session(tcp::socket socket, BeastHttpServer* server, std::string client_ip)
    : stream_(std::move(socket)),
      server_(server),
      options_(server->options()),
      client_ip_(std::move(client_ip)) {
  beast::error_code ec;
  tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
  remote_addr_ = ec ? client_ip_ : client_ip_ + ":" + std::to_string(remote.port());
}

Session::~Session() { server_->Unregister(this, client_ip_); }

void Session::Start() {
  net::dispatch(stream_.get_executor(),
                [self = shared_from_this()] { self->WaitForRequest(/*first=*/true); });
}

void Session::PostDrain() {
  net::post(stream_.get_executor(), [self = shared_from_this()] {
    if (self->state_ == State::kIdle || self->state_ == State::kReadingHead) self->Close();
  });
}

void Session::WaitForRequest(bool first) {
  if (server_->draining()) return Close();
  if (buffer_.size() > 0) return ReadHead();  // a pipelined request is already here
  state_ = State::kIdle;
  // The first request gets the head deadline from the connection's start;
  // later ones may idle for the keep-alive timeout before their first byte.
  stream_.expires_after(
      Seconds(first ? options_.request_head_timeout_seconds : options_.keep_alive_timeout_seconds));
  stream_.async_read_some(buffer_.prepare(kReadSize),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (self->state_ == State::kClosed) return;
                            if (ec) return self->Close();
                            self->buffer_.commit(n);
                            self->ReadHead();
                          });
}

void Session::ReadHead() {
  state_ = State::kReadingHead;
  parser_.emplace();
  parser_->header_limit(static_cast<std::uint32_t>(options_.max_header_bytes));
  // The body limit is applied once the head is known (see OnHead), so that
  // a too-large Content-Length is answered with the request's own style.
  parser_->body_limit(boost::none);
  // A head that is already buffered (the usual case: it came in one
  // segment) is parsed here rather than by a composed asynchronous read,
  // which would cost a posted completion and a timer re-armed twice.
  if (beast::error_code ec; ParseBuffered(&ec) || ec) return OnHead(ec);
  stream_.expires_after(Seconds(options_.request_head_timeout_seconds));
  http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHead(ec); });
}

bool Session::ParseBuffered(beast::error_code* ec) {
  // What Beast's read operations do with buffered bytes, without reading:
  // up to the end of the head while reading it, else to the message's end.
  const bool head_only = state_ == State::kReadingHead;
  auto reached = [&] { return head_only ? parser_->is_header_done() : parser_->is_done(); };
  while (!reached() && buffer_.size() > 0) {
    size_t used = parser_->put(buffer_.data(), *ec);
    buffer_.consume(used);
    if (*ec == http::error::need_more) {
      *ec = {};
      return false;
    }
    if (*ec) return false;
    if (used == 0) return false;
  }
  return reached();
}

bool Session::RequestLineTooLong() const {
  // The parser consumes the request line before the fields, so the limit
  // was hit on the request line itself when no target has been parsed.
  return parser_->get().target().empty();
}

void Session::OnHead(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec == http::error::header_limit) {
    if (RequestLineTooLong()) return Refuse(414, "request line is too long");
    return Refuse(431, "request headers are larger than " +
                           std::to_string(options_.max_header_bytes) + " bytes");
  }
  if (ec && IsDisconnect(ec)) return Close();
  if (ec) return Refuse(400, "malformed HTTP request: " + ec.message());
  if (!BuildRequest()) return;

  HttpResponse refusal;
  if (!server_->service().CheckHead(&request_, &refusal)) {
    response_ = std::move(refusal);
    close_after_write_ = !parser_->is_done();
    linger_ = close_after_write_;
    return WriteResponse();
  }
  if (parser_->is_done()) return Dispatch();
  const std::string* expect = request_.Header("expect");
  if (expect != nullptr && Lower(Trim(*expect)) == "100-continue") {
    stream_.expires_after(Seconds(options_.write_timeout_seconds));
    net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (self->state_ == State::kClosed) return;
                       if (ec) return self->Close();
                       self->ReadBody();
                     });
    return;
  }
  ReadBody();
}

// Converts the parsed head; false when it was refused (and answered).
bool Session::BuildRequest() {
  auto& message = parser_->get();
  request_ = HttpRequest();
  request_.remote_addr = remote_addr_;
  if (message.target().size() > options_.max_uri_bytes) {
    Refuse(414, "request URI is longer than " + std::to_string(options_.max_uri_bytes) + " bytes");
    return false;
  }
  if (!IsServedMethod(message.method())) {
    Refuse(400, "unsupported method");
    return false;
  }
  if (message.version() != 10 && message.version() != 11) {
    Refuse(400, "only HTTP/1.0 and HTTP/1.1 are served");
    return false;
  }
  request_.method = std::string(message.method_string());
  if (Status parsed = ParseRequestTarget(message.target(), &request_); !parsed.ok()) {
    request_.path = std::string(message.target());
    Refuse(400, parsed.message());
    return false;
  }
  size_t count = 0;
  for (const auto& field : message) {
    if (++count > options_.max_header_count) {
      Refuse(431, "more than " + std::to_string(options_.max_header_count) + " header fields");
      return false;
    }
    request_.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  }
  request_keep_alive_ = message.keep_alive();
  if (const std::string* encoding = request_.Header("content-encoding");
      encoding != nullptr && Lower(Trim(*encoding)) != "identity") {
    Refuse(415,
           "compressed request bodies (Content-Encoding) are not accepted; send the body "
           "uncompressed");
    return false;
  }
  if (const std::string* transfer = request_.Header("transfer-encoding");
      transfer != nullptr && Lower(Trim(*transfer)) != "chunked") {
    Refuse(415, "only the chunked Transfer-Encoding is accepted");
    return false;
  }
  if (auto length = parser_->content_length(); length && *length > options_.max_body_bytes) {
    Refuse(413, "request body is larger than the server's limit of " +
                    std::to_string(options_.max_body_bytes) + " bytes (--max-body-bytes)");
    return false;
  }
  return true;
}

void Session::ReadBody() {
  state_ = State::kReadingBody;
  // Counts the bytes of the body as they arrive, chunked bodies included.
  parser_->body_limit(options_.max_body_bytes);
  if (beast::error_code ec; ParseBuffered(&ec) || ec) return OnBody(ec);
  stream_.expires_after(Seconds(options_.request_body_timeout_seconds));
  http::async_read(stream_, buffer_, *parser_,
                   [self = shared_from_this()](beast::error_code ec, size_t) { self->OnBody(ec); });
}

void Session::OnBody(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec == http::error::body_limit) {
    return Refuse(413, "request body is larger than the server's limit of " +
                           std::to_string(options_.max_body_bytes) + " bytes (--max-body-bytes)");
  }
  if (ec && IsDisconnect(ec)) return Close();
  if (ec) return Refuse(400, "malformed request body: " + ec.message());
  request_.body = std::move(parser_->get().body());
  Dispatch();
}

void Session::Dispatch() {
  state_ = State::kHandling;
  stream_.expires_never();
  response_ = HttpResponse();
  if (options_.handlers_on_io_threads) {
    server_->service().Handle(&request_, &response_);
    return WriteResponse();
  }
  // Routes with a non-blocking fast path (GetRecord from memory) answer
  // here: the hand-off to a worker and back costs more than such a request.
  bool cpu_bound = false;
  if (server_->service().TryHandleOnIoThread(&request_, &response_, &cpu_bound)) {
    return WriteResponse();
  }
  // A declined fast path left response_ as reset above.
  if (cpu_bound && server_->compute_pool() == nullptr) {  // compute_threads == 0
    server_->service().Handle(&request_, &response_);
    return WriteResponse();
  }
  WorkerPool* pool = cpu_bound ? server_->compute_pool() : server_->pool();
  // The I/O thread starts nothing on this session until the worker posts back,
  // so request_ and response_ belong to the worker meanwhile.
  bool queued = pool->TrySubmit([self = shared_from_this()] {
    self->response_ = HttpResponse();
    self->server_->service().Handle(&self->request_, &self->response_);
    net::post(self->stream_.get_executor(), [self] { self->WriteResponse(); });
  });
  if (!queued) {
    response_ = HttpResponse();
    server_->service().HandleTransportError(request_, 503, "the server is busy; retry shortly",
                                            &response_);
    response_.AddHeader("Retry-After", "1");
    WriteResponse();
  }
}

void Session::WriteResponse() {
  if (state_ == State::kClosed) return;
  state_ = State::kWriting;
  ++requests_;
  keep_alive_now_ = request_keep_alive_ && !close_after_write_ && !server_->draining() &&
                    requests_ < options_.keep_alive_max_requests;
  head_.clear();
  AppendResponseHead(response_, keep_alive_now_, &head_);
  std::array<net::const_buffer, 2> buffers = {net::buffer(head_), net::const_buffer()};
  if (request_.method != "HEAD") buffers[1] = net::buffer(response_.body);
  stream_.expires_after(Seconds(options_.write_timeout_seconds));
  net::async_write(stream_, buffers, [self = shared_from_this()](beast::error_code ec, size_t) {
    self->OnWrite(ec);
  });
}

void Session::OnWrite(beast::error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec) return Close();
  if (!keep_alive_now_) {
    if (linger_) return LingerThenClose();
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    return Close();
  }
  parser_.reset();
  request_ = HttpRequest();
  response_ = HttpResponse();
  WaitForRequest(/*first=*/false);
}

void Session::FillFromPartialMessage() {
  if (!parser_ || !request_.method.empty()) return;
  // Whatever of the head was parsed, so that the error has the client's
  // style (an X-Amz-Target gets an AWS JSON error) and the log says what.
  const auto& message = parser_->get();
  request_.remote_addr = remote_addr_;
  request_.method = std::string(message.method_string());
  if (!ParseRequestTarget(message.target(), &request_).ok()) request_.path.clear();
  for (const auto& field : message) {
    request_.headers.emplace_back(Lower(field.name_string()), std::string(field.value()));
  }
}

void Session::Refuse(int status, std::string message) {
  if (request_.method.empty()) FillFromPartialMessage();
  request_.remote_addr = remote_addr_;
  response_ = HttpResponse();
  server_->service().HandleTransportError(request_, status, message, &response_);
  close_after_write_ = true;
  linger_ = true;
  WriteResponse();
}

void Session::LingerThenClose() {
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  buffer_.consume(buffer_.size());
  discard_ = std::make_unique<char[]>(kReadSize);
  stream_.expires_after(Seconds(kLingerSeconds));
  Discard();
}

void Session::Discard() {
  stream_.async_read_some(net::buffer(discard_.get(), kReadSize),
                          [self = shared_from_this()](beast::error_code ec, size_t n) {
                            if (self->state_ == State::kClosed) return;
                            self->discarded_ += n;
                            if (ec || self->discarded_ > kLingerMaxBytes) return self->Close();
                            self->Discard();
                          });
}

void Session::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  beast::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  stream_.close();
}

// ------------------------------------------------------------ the server

Status BeastHttpServer::Start() {
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur != RLIM_INFINITY) {
    // Keep descriptors for the stores and logs the process also opens.
    size_t usable = files.rlim_cur > 512 ? files.rlim_cur - 256 : files.rlim_cur / 2;
    options_.max_connections = std::max<size_t>(1, std::min(options_.max_connections, usable));
  }
  beast::error_code ec;
  tcp::resolver resolver(*contexts_.front());
  auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port),
                                    tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || endpoints.empty()) {
    return UnavailableError("cannot bind " + options_.host + ": cannot resolve it (" +
                            ec.message() + ")");
  }
  tcp::endpoint endpoint = endpoints.begin()->endpoint();
  const std::string where = options_.host + ":" + std::to_string(options_.port);
  if (acceptor_.open(endpoint.protocol(), ec); ec) {
    return UnavailableError("cannot bind " + where + ": " + ec.message());
  }
  // SO_REUSEADDR only (restart while old connections linger in TIME_WAIT);
  // never SO_REUSEPORT, which would let a second pantry share the port.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (acceptor_.bind(endpoint, ec); ec) {
    return UnavailableError("cannot bind " + where + " (" + ec.message() +
                            "; address in use, or not a local address?)");
  }
  if (acceptor_.listen(options_.accept_backlog, ec); ec) {
    return UnavailableError("cannot listen on " + where + ": " + ec.message());
  }
  port_ = acceptor_.local_endpoint().port();
  if (!options_.handlers_on_io_threads) {
    pool_ = std::make_unique<WorkerPool>(options_.threads, options_.max_queued_requests);
    const int compute_threads =
        options_.compute_threads >= 0
            ? options_.compute_threads
            : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
    if (compute_threads > 0) {
      compute_pool_ = std::make_unique<WorkerPool>(compute_threads, options_.max_queued_requests);
    }
  }
  for (auto& context : contexts_) work_.push_back(net::make_work_guard(*context));
  Accept();
  for (int i = 0; i < io_thread_count_; ++i) {
    io_threads_.emplace_back([this, context = contexts_[i].get()] {
      while (true) {
        try {
          context->run();
          return;
        } catch (const std::exception& e) {
          PANTRY_LOG_ERROR("HTTP event loop: {}", e.what());
        }
      }
    });
  }
  return Status::Ok();
}

void BeastHttpServer::Accept() {
  // The acceptor's own context runs OnAccept; the new socket belongs to
  // the next context in turn.
  net::io_context& context = *contexts_[next_context_];
  next_context_ = (next_context_ + 1) % contexts_.size();
  acceptor_.async_accept(context, beast::bind_front_handler(&BeastHttpServer::OnAccept, this));
}

void BeastHttpServer::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open() || ec == net::error::operation_aborted) return;
  if (ec) {
    // Out of descriptors or memory: try again shortly rather than spin.
    PANTRY_LOG_WARN("HTTP accept failed: {}", ec.message());
    accept_retry_.expires_after(std::chrono::milliseconds(50));
    accept_retry_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && acceptor_.is_open()) Accept();
    });
    return;
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  tcp::endpoint remote = socket.remote_endpoint(ignored);
  std::string client_ip = remote.address().to_string();
  if (Admit(client_ip)) {
    auto session = std::make_shared<Session>(std::move(socket), this, client_ip);
    {
      std::lock_guard<std::mutex> lock(sessions_mutex_);
      sessions_.emplace(session.get(), session);
    }
    session->Start();
  } else {
    Reject(std::move(socket), client_ip + ":" + std::to_string(remote.port()));
  }
  Accept();
}

bool BeastHttpServer::Admit(const std::string& client_ip) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  size_t& mine = per_client_[client_ip];
  if (sessions_.size() >= options_.max_connections || mine >= options_.max_connections_per_client) {
    if (mine == 0) per_client_.erase(client_ip);
    return false;
  }
  ++mine;
  return true;
}

void BeastHttpServer::Reject(tcp::socket socket, const std::string& remote_addr) {
  HttpRequest request;
  request.remote_addr = remote_addr;
  HttpResponse response;
  service_->HandleTransportError(request, 503, "too many connections; retry shortly", &response);
  response.AddHeader("Retry-After", "1");
  auto bytes = std::make_shared<std::string>();
  AppendResponseHead(response, /*keep_alive=*/false, bytes.get());
  bytes->append(response.body);
  auto held = std::make_shared<tcp::socket>(std::move(socket));
  net::async_write(*held, net::buffer(*bytes), [held, bytes](beast::error_code, size_t) {
    beast::error_code ignored;
    held->shutdown(tcp::socket::shutdown_both, ignored);
    held->close(ignored);
  });
}

void BeastHttpServer::Unregister(Session* session, const std::string& client_ip) {
  std::lock_guard<std::mutex> lock(sessions_mutex_);
  sessions_.erase(session);
  auto it = per_client_.find(client_ip);
  if (it != per_client_.end() && --it->second == 0) per_client_.erase(it);
  if (sessions_.empty()) sessions_done_.notify_all();
}

void BeastHttpServer::Shutdown() {
  std::lock_guard<std::mutex> shutdown_lock(shutdown_mutex_);
  if (shut_down_) return;
  shut_down_ = true;
  draining_.store(true, std::memory_order_release);
  if (io_threads_.empty()) {  // Start() failed before serving
    beast::error_code ignored;
    acceptor_.close(ignored);
    return;
  }
  // Stop accepting before returning, so that nothing listens afterwards.
  std::promise<void> closed;
  net::dispatch(acceptor_.get_executor(), [this, &closed] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(sessions_mutex_);
    for (auto& [raw, weak] : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->PostDrain();
  live.clear();  // outside the lock: the last reference may destroy a session
  {
    std::unique_lock<std::mutex> lock(sessions_mutex_);
    if (!sessions_done_.wait_for(lock, Seconds(options_.shutdown_timeout_seconds),
                                 [this] { return sessions_.empty(); })) {
      PANTRY_LOG_WARN("HTTP shutdown: {} connections still busy after {} s; closing them",
                      sessions_.size(), options_.shutdown_timeout_seconds);
    }
  }
  work_.clear();
  for (auto& context : contexts_) context->stop();
  for (std::thread& thread : io_threads_) thread.join();
  if (pool_) pool_->Stop();
  if (compute_pool_) compute_pool_->Stop();
}

}  // namespace

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(const HttpServerOptions& options,
                                                        const HttpService* service) {
  if (options.threads < 1 && !options.handlers_on_io_threads) {
    return InvalidArgumentError("--threads must be positive");
  }
  if (options.io_threads < 0) return InvalidArgumentError("--io-threads must not be negative");
  if (options.compute_threads < -1) {
    return InvalidArgumentError("--compute-threads must not be negative");
  }
  if (options.max_body_bytes == 0) return InvalidArgumentError("--max-body-bytes must be > 0");
  if (options.max_header_bytes < 256 || options.max_header_bytes > (1u << 30)) {
    return InvalidArgumentError("max_header_bytes must be between 256 bytes and 1 GiB");
  }
  if (options.request_head_timeout_seconds < 1 || options.request_body_timeout_seconds < 1 ||
      options.keep_alive_timeout_seconds < 1 || options.write_timeout_seconds < 1) {
    return InvalidArgumentError("HTTP timeouts must be at least 1 second");
  }
  if (options.max_connections == 0 || options.max_connections_per_client == 0 ||
      options.accept_backlog < 1 || options.max_queued_requests == 0) {
    return InvalidArgumentError("HTTP connection and queue limits must be positive");
  }
  int io_threads = options.io_threads > 0
                       ? options.io_threads
                       : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  auto server = std::make_unique<BeastHttpServer>(options, service, io_threads);
  RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<HttpServer>(std::move(server));
}

}  // namespace pantry::server
