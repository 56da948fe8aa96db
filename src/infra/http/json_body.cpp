#include "infra/http/json_body.hpp"

#include <boost/json.hpp>

namespace gm::infra::http {
namespace {

namespace json = boost::json;

constexpr std::size_t kMaxJsonDepth = 8;

}  // namespace

std::optional<HttpResponse> RequireMediaType(const HttpRequest& request, std::string_view expected) {
  const auto content_type = request.Header("content-type");
  if (content_type && MediaType(*content_type) != expected) {
    return HttpResponse::Error(415, "Content-Type must be " + std::string(expected));
  }
  return std::nullopt;
}

domain::Result<json::object, HttpResponse> ParseJsonObject(const HttpRequest& request) {
  if (auto refused = RequireMediaType(request, "application/json")) return *refused;
  json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code error;
  json::value value = json::parse(request.body, error, {}, options);
  if (error) return HttpResponse::Error(400, "malformed JSON: " + error.message());
  if (!value.is_object()) return HttpResponse::Error(400, "expected a JSON object");
  return std::move(value.as_object());
}

const json::string* StringField(const json::object& object, std::string_view key) {
  const auto* field = object.if_contains(key);
  return field ? field->if_string() : nullptr;
}

}  // namespace gm::infra::http
