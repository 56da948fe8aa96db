#include "infra/http/request_reading.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <string_view>

#include "infra/http/gzip.hpp"

namespace gm::infra::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

namespace {

// Beast 1.81's parser fails an assertion (where assertions are compiled in:
// the Debug presets, so the service tests' server) when an empty chunked
// body's last chunk arrives as "0\r\n" and then a single byte: it assumes
// at least 5 bytes on the next call (boostorg/beast#2861, fixed upstream
// in 2024; found by tests/fuzz/http_request). These 4 bytes cannot end the
// message ("0\r\n\r\n" is 5), so they wait for more instead, as the
// parser would have them do.
bool FinalChunkNeedsMore(const RequestParser& parser, const beast::flat_buffer& buffer) {
  if (!parser.is_header_done() || !parser.chunked() || buffer.size() != 4) return false;
  return std::string_view(static_cast<const char*>(buffer.data().data()), 3) == "0\r\n";
}

}  // namespace

bool NeedsMoreBytes(RequestParser& parser, beast::flat_buffer& buffer, bool whole, beast::error_code& error) {
  while (!(whole ? parser.is_done() : parser.is_header_done())) {
    if (buffer.size() == 0 || FinalChunkNeedsMore(parser, buffer)) return true;
    const std::size_t used = parser.put(buffer.data(), error);
    buffer.consume(used);
    if (error == bhttp::error::need_more) {
      error = {};
      return true;
    }
    if (error) return false;
    if (used == 0) return true;
  }
  return false;
}

void TakeRead(RequestParser& parser, beast::flat_buffer& buffer, beast::error_code read_error, std::size_t bytes,
              bool deadline_expired, beast::error_code& error) {
  if (read_error == asio::error::eof) {
    if (!parser.got_some()) {
      error = bhttp::error::end_of_stream;
      return;
    }
    parser.put_eof(error);
    return;
  }
  if (read_error) {
    error = deadline_expired ? beast::error::timeout : read_error;
    return;
  }
  buffer.commit(bytes);
}

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
