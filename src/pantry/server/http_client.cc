#include "pantry/server/http_client.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pantry::server {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

}  // namespace

const std::string* ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return &value;
  }
  return nullptr;
}

HttpClient::HttpClient(std::string host, int port) : host_(std::move(host)), port_(port) {}

HttpClient::~HttpClient() { Close(); }

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
  buffer_pos_ = 0;
}

Status HttpClient::Connect() {
  Close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = ::getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &result);
  if (rc != 0) return UnavailableError("cannot resolve " + host_ + ": " + gai_strerror(rc));
  int last_errno = 0;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_errno = errno;
      continue;
    }
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
      fd_ = fd;
      break;
    }
    last_errno = errno;
    ::close(fd);
  }
  ::freeaddrinfo(result);
  if (fd_ < 0) {
    return UnavailableError("cannot connect to " + host_ + ":" + std::to_string(port_) + ": " +
                            std::strerror(last_errno));
  }
  return Status::Ok();
}

Status HttpClient::WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError("send", errno);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return Status::Ok();
}

Status HttpClient::Fill() {
  if (buffer_pos_ > 0 && buffer_pos_ == buffer_.size()) {
    buffer_.clear();
    buffer_pos_ = 0;
  }
  char chunk[16384];
  while (true) {
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ErrnoError("recv", errno);
    if (n == 0) return IOError("connection closed by the server");
    buffer_.append(chunk, static_cast<size_t>(n));
    return Status::Ok();
  }
}

StatusOr<std::string> HttpClient::ReadLine() {
  while (true) {
    size_t eol = buffer_.find("\r\n", buffer_pos_);
    if (eol != std::string::npos) {
      std::string line = buffer_.substr(buffer_pos_, eol - buffer_pos_);
      buffer_pos_ = eol + 2;
      return line;
    }
    RETURN_IF_ERROR(Fill());
  }
}

Status HttpClient::ReadExactly(size_t n, std::string* out) {
  while (buffer_.size() - buffer_pos_ < n) RETURN_IF_ERROR(Fill());
  out->append(buffer_, buffer_pos_, n);
  buffer_pos_ += n;
  return Status::Ok();
}

StatusOr<ClientResponse> HttpClient::ReadResponse(bool head_request) {
  ClientResponse response;
  ASSIGN_OR_RETURN(std::string status_line, ReadLine());
  // "HTTP/1.1 200 OK"
  size_t space = status_line.find(' ');
  if (!status_line.starts_with("HTTP/1.") || space == std::string::npos) {
    return IOError("malformed status line: " + status_line);
  }
  response.status = std::atoi(status_line.c_str() + space + 1);
  response.connection_close = status_line.starts_with("HTTP/1.0");
  size_t content_length = 0;
  bool chunked = false;
  bool has_length = false;
  while (true) {
    ASSIGN_OR_RETURN(std::string line, ReadLine());
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string name = Lower(Trim(std::string_view(line).substr(0, colon)));
    std::string value(Trim(std::string_view(line).substr(colon + 1)));
    if (name == "content-length") {
      content_length = std::strtoull(value.c_str(), nullptr, 10);
      has_length = true;
    } else if (name == "transfer-encoding" && Lower(value).find("chunked") != std::string::npos) {
      chunked = true;
    } else if (name == "connection" && Lower(value) == "close") {
      response.connection_close = true;
    }
    response.headers.emplace_back(std::move(name), std::move(value));
  }
  if (head_request || response.status == 204 || response.status == 304) return response;
  if (chunked) {
    while (true) {
      ASSIGN_OR_RETURN(std::string size_line, ReadLine());
      size_t size = std::strtoull(size_line.c_str(), nullptr, 16);
      if (size == 0) {
        // Trailers until the empty line.
        while (true) {
          ASSIGN_OR_RETURN(std::string trailer, ReadLine());
          if (trailer.empty()) break;
        }
        break;
      }
      RETURN_IF_ERROR(ReadExactly(size, &response.body));
      ASSIGN_OR_RETURN(std::string crlf, ReadLine());
    }
  } else if (has_length) {
    RETURN_IF_ERROR(ReadExactly(content_length, &response.body));
  } else {
    // Body until the server closes the connection.
    while (Fill().ok()) {
    }
    response.body = buffer_.substr(buffer_pos_);
    buffer_pos_ = buffer_.size();
    response.connection_close = true;
  }
  if (response.connection_close) Close();
  return response;
}

StatusOr<ClientResponse> HttpClient::Send(std::string_view method, std::string_view target,
                                          const HttpFields& headers, std::string_view body) {
  std::string request;
  request.reserve(256 + body.size());
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\n");
  request.append("Host: ").append(host_).append(":").append(std::to_string(port_)).append("\r\n");
  for (const auto& [name, value] : headers)
    request.append(name).append(": ").append(value).append("\r\n");
  if (!body.empty() || method == "POST" || method == "PUT") {
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  request.append("\r\n").append(body);
  bool head = method == "HEAD";
  // A keep-alive connection the server closed while idle fails on first use;
  // retry once on a fresh connection.
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool fresh = fd_ < 0;
    if (fresh) RETURN_IF_ERROR(Connect());
    Status written = WriteAll(request);
    if (written.ok()) {
      StatusOr<ClientResponse> response = ReadResponse(head);
      if (response.ok()) return response;
      written = response.status();
    }
    Close();
    if (fresh) return written;
  }
  return IOError("request failed twice");
}

StatusOr<ClientResponse> HttpClient::SendRaw(std::string_view bytes) {
  Close();
  RETURN_IF_ERROR(Connect());
  RETURN_IF_ERROR(WriteAll(bytes));
  return ReadResponse(false);
}

}  // namespace pantry::server
