#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// Plain request and response values: handlers see these, never Beast types,
// so they compile fast and are tested without a socket.
namespace gm::infra::http {

class ResponseStream;  // http/response_stream.hpp

struct HttpRequest {
  std::string method;                                        // "GET", "POST", ...
  std::string path;                                          // target without the query string
  std::string query;                                         // what followed the '?', as sent
  std::vector<std::pair<std::string, std::string>> headers;  // names in lower case
  std::string body;                                          // already decoded when it came gzip-compressed
  std::string remote;                                        // the peer\'s IP address
  std::string id;                                            // X-Request-Id (http/request_id.hpp), in every log line

  [[nodiscard]] std::optional<std::string_view> Header(std::string_view lower_case_name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string content_type;  // empty: no Content-Type header
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // When set, the body is this stream's pieces instead of `body`, sent as
  // they come until it ends or the client goes away; the connection then
  // closes (the body is delimited by the close: Server-Sent Events).
  std::shared_ptr<ResponseStream> stream;

  static HttpResponse Json(unsigned status, std::string body);
  // A short JSON error for the client: {"error":"..."}. Details go to the log.
  static HttpResponse Error(unsigned status, std::string_view message);
  static HttpResponse Empty(unsigned status);
  // A file of a page, served as it is: revalidated before reuse, never
  // sniffed as another type.
  static HttpResponse Asset(std::string_view content_type, std::string_view body);
};

// The text after the path's last '/': the {parameter} of "/api/orders/{number}".
std::string_view LastSegment(std::string_view path);

// The value of the first `name=value` pair of a query string,
// percent-decoded ('+' stays '+': these are URLs, not form bodies; a '%'
// without two hex digits stays too); nothing when the name is absent.
std::optional<std::string> QueryParameter(std::string_view query, std::string_view name);

// The media type of a Content-Type value, lower-cased, without parameters.
std::string MediaType(std::string_view content_type);

// ASCII only, as HTTP's names are; no locale call per character.
constexpr char LowerAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace gm::infra::http
