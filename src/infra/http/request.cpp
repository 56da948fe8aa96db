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
  return {status, "application/json", std::move(body), {}};
}

HttpResponse HttpResponse::Error(unsigned status, std::string_view message) {
  return Json(status, R"({"error":)" + JsonString(message) + "}");
}

HttpResponse HttpResponse::Empty(unsigned status) { return {status, "", "", {}}; }

std::string_view LastSegment(std::string_view path) { return path.substr(path.rfind('/') + 1); }

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
