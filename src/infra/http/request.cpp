#include "infra/http/request.hpp"

#include <algorithm>

#include "infra/json/json_text.hpp"

namespace gm::infra::http {

std::optional<std::string_view> HttpRequest::Header(std::string_view lower_case_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_case_name) return value;
  }
  return std::nullopt;
}

HttpResponse HttpResponse::Json(unsigned status, std::string body) {
  return {status, "application/json", std::move(body), {}, nullptr};
}

HttpResponse HttpResponse::Error(unsigned status, std::string_view message) {
  return Json(status, R"({"error":)" + JsonString(message) + "}");
}

HttpResponse HttpResponse::Empty(unsigned status) { return {status, "", "", {}, nullptr}; }

HttpResponse HttpResponse::Asset(std::string_view content_type, std::string_view body) {
  HttpResponse response{200, std::string(content_type), std::string(body), {}, nullptr};
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return response;
}

std::string_view LastSegment(std::string_view path) { return path.substr(path.rfind('/') + 1); }

namespace {

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  const char lower = LowerAscii(c);
  if (lower >= 'a' && lower <= 'f') return lower - 'a' + 10;
  return -1;
}

// A '%' not followed by two hex digits stays as it is.
std::string PercentDecoded(std::string_view text) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const int high = text[i] == '%' && i + 2 < text.size() ? HexDigit(text[i + 1]) : -1;
    const int low = high < 0 ? -1 : HexDigit(text[i + 2]);
    if (low < 0) {
      decoded += text[i];
      continue;
    }
    decoded += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return decoded;
}

}  // namespace

std::optional<std::string> QueryParameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const auto end = query.find('&');
    const std::string_view pair = query.substr(0, end);
    query = end == std::string_view::npos ? std::string_view{} : query.substr(end + 1);
    const auto equals = pair.find('=');
    if (pair.substr(0, equals) != name) continue;
    return PercentDecoded(equals == std::string_view::npos ? std::string_view{} : pair.substr(equals + 1));
  }
  return std::nullopt;
}

std::string MediaType(std::string_view content_type) {
  const auto semicolon = content_type.find(';');
  std::string_view type = content_type.substr(0, semicolon);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  std::string lower(type);
  std::transform(lower.begin(), lower.end(), lower.begin(), LowerAscii);
  return lower;
}

}  // namespace gm::infra::http
