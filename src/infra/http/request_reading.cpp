#include "infra/http/request_reading.hpp"

#include <algorithm>
#include <string_view>

#include "infra/http/gzip.hpp"

namespace gm::infra::http {

namespace bhttp = boost::beast::http;

HttpRequest ToRequest(bhttp::request<bhttp::string_body>&& message, const std::string& remote) {
  HttpRequest request;
  request.remote = remote;
  request.method = std::string(message.method_string());
  const std::string_view target = message.target();
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(), LowerAscii);
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  return request;
}

std::optional<HttpResponse> DecodeBody(HttpRequest& request, std::size_t max_decoded_bytes) {
  const auto encoding = request.Header("content-encoding");
  if (!encoding || encoding->empty() || *encoding == "identity") return std::nullopt;
  if (MediaType(*encoding) != "gzip") return HttpResponse::Error(415, "only gzip Content-Encoding is supported");
  auto decoded = Gunzip(request.body, max_decoded_bytes);
  if (!decoded) {
    switch (decoded.Error()) {
      case GunzipError::kCorrupt:
        return HttpResponse::Error(400, "the gzip body is corrupt");
      case GunzipError::kTooLarge:
        return HttpResponse::Error(413, "the decompressed body is too large");
    }
  }
  request.body = std::move(decoded.Value());
  return std::nullopt;
}

}  // namespace gm::infra::http
