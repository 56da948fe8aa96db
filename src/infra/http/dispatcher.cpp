#include "infra/http/dispatcher.hpp"

#include "app/commands.hpp"
#include "infra/observability/log.hpp"
#include "infra/time.hpp"

namespace gm::infra::http {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view CookieValue(std::string_view cookies, std::string_view name) {
  while (!cookies.empty()) {
    const auto end = cookies.find(';');
    std::string_view pair = cookies.substr(0, end);
    cookies = end == std::string_view::npos ? std::string_view{} : cookies.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    const auto equals = pair.find('=');
    if (equals != std::string_view::npos && pair.substr(0, equals) == name) return pair.substr(equals + 1);
  }
  return {};
}

}  // namespace

std::string_view FindToken(const HttpRequest& request) {
  if (auto authorization = request.Header("authorization")) {
    constexpr std::string_view kScheme = "bearer ";
    if (authorization->size() > kScheme.size() &&
        EqualsIgnoringCase(authorization->substr(0, kScheme.size()), kScheme)) {
      return authorization->substr(kScheme.size());
    }
    return {};
  }
  if (auto cookies = request.Header("cookie")) return CookieValue(*cookies, "token");
  return {};
}

HttpResponse Dispatcher::Handle(const HttpRequest& request, const Router::Match& match) const {
  const auto origin = request.Header("origin");
  if (cors_ == nullptr || !origin || !cors_->Allows(*origin)) return HandleRoute(request, match);
  HttpResponse response;
  if (request.method == "OPTIONS" && match.status == 405) {
    // A preflight: say what the browser may send.
    response = HttpResponse::Empty(204);
    response.headers.emplace_back("Access-Control-Allow-Methods", match.allow);
    response.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, Content-Encoding");
    response.headers.emplace_back("Access-Control-Max-Age", "600");
  } else {
    response = HandleRoute(request, match);
    response.headers.emplace_back("Access-Control-Expose-Headers", "Authorization");
  }
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(*origin));
  response.headers.emplace_back("Vary", "Origin");
  return response;
}

HttpResponse Dispatcher::HandleRoute(const HttpRequest& request, const Router::Match& match) const {
  if (match.route == nullptr) {
    if (match.status == 405) {
      auto response = HttpResponse::Error(405, "method not allowed");
      response.headers.emplace_back("Allow", match.allow);
      return response;
    }
    return HttpResponse::Error(404, "not found");
  }
  std::string user_id;
  if (match.route->authenticated) {
    auto verified = tokens_ ? tokens_->Verify(FindToken(request), NowMs()) : std::nullopt;
    if (!verified) return HttpResponse::Error(401, "missing, invalid or expired token");
    user_id = std::move(*verified);
  }
  try {
    return match.route->handler(request, user_id);
  } catch (const app::ContentionError& error) {
    LogLine().Add("path", request.path).Add("error", error.what()).Warn("contention");
    auto response = HttpResponse::Error(503, "too many concurrent changes, retry");
    response.headers.emplace_back("Retry-After", "1");
    return response;
  } catch (const std::exception& error) {
    LogLine().Add("path", request.path).Add("error", error.what()).Error("handler failed");
    return HttpResponse::Error(500, "internal error");
  }
}

}  // namespace gm::infra::http
