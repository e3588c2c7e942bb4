// A small blocking HTTP/1.1 client over one keep-alive connection, used by
// tests, the load driver in bench/ and CLI commands that talk to a running
// server. Not thread-safe: one connection per thread. Reconnects once when the
// server closed an idle keep-alive connection.
#ifndef PANTRY_SERVER_HTTP_CLIENT_H_
#define PANTRY_SERVER_HTTP_CLIENT_H_

#include <memory>
#include <string>
#include <string_view>

#include "pantry/common/status.h"
#include "pantry/server/http_message.h"

namespace pantry::server {

struct ClientResponse {
  int status = 0;
  HttpFields headers;  // names lower-cased
  std::string body;
  bool connection_close = false;

  const std::string* Header(std::string_view lower_name) const;
};

class HttpClient {
 public:
  HttpClient(std::string host, int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends one request and reads the whole response. `headers` are sent as
  // given (Host, Content-Length and Connection are added). IOError on
  // connection failures; Unavailable when the server cannot be reached.
  StatusOr<ClientResponse> Send(std::string_view method, std::string_view target,
                                const HttpFields& headers = {}, std::string_view body = "");

  // Sends raw bytes (for malformed-request tests) and reads one response.
  StatusOr<ClientResponse> SendRaw(std::string_view bytes);

  void Close();

 private:
  Status Connect();
  Status WriteAll(std::string_view bytes);
  StatusOr<ClientResponse> ReadResponse(bool head_request);
  StatusOr<std::string> ReadLine();
  Status ReadExactly(size_t n, std::string* out);
  Status Fill();

  std::string host_;
  int port_;
  int fd_ = -1;
  std::string buffer_;
  size_t buffer_pos_ = 0;
};

}  // namespace pantry::server

#endif  // PANTRY_SERVER_HTTP_CLIENT_H_
