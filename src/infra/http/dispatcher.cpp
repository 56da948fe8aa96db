#include "infra/http/dispatcher.hpp"

#include "app/faults.hpp"
#include "infra/observability/log.hpp"
#include "infra/time.hpp"

namespace gm::infra::http {
namespace {

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (LowerAscii(a[i]) != LowerAscii(b[i])) return false;
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

std::optional<std::string_view> Dispatcher::AllowedOrigin(const HttpRequest& request) const {
  const auto origin = request.Header("origin");
  if (cors_ == nullptr || !origin || !cors_->Allows(*origin)) return std::nullopt;
  return origin;
}

bool Dispatcher::IsPreflight(const HttpRequest& request, const Router::Match& match) const {
  return request.method == "OPTIONS" && match.status == 405 && AllowedOrigin(request);
}

Dispatcher::Admission Dispatcher::Admit(const HttpRequest& request, const Router::Match& match) const {
  if (IsPreflight(request, match)) {  // say what the browser may send
    auto response = HttpResponse::Empty(204);
    response.headers.emplace_back("Access-Control-Allow-Methods", match.allow);
    response.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, Content-Encoding");
    response.headers.emplace_back("Access-Control-Max-Age", "600");
    return {std::move(response), {}};
  }
  if (match.route == nullptr) {
    if (match.status == 405) {
      auto response = HttpResponse::Error(405, "method not allowed");
      response.headers.emplace_back("Allow", match.allow);
      return {std::move(response), {}};
    }
    return {HttpResponse::Error(404, "not found"), {}};
  }
  if (!match.route->authenticated) return {};
  auto verified = tokens_ ? tokens_->Verify(FindToken(request), NowMs()) : std::nullopt;
  if (!verified) return {HttpResponse::Error(401, "missing, invalid or expired token"), {}};
  return {std::nullopt, std::move(*verified)};
}

void Dispatcher::Finish(const HttpRequest& request, const Router::Match& match, HttpResponse& response) const {
  const auto origin = AllowedOrigin(request);
  if (!origin) return;
  if (!IsPreflight(request, match)) response.headers.emplace_back("Access-Control-Expose-Headers", "Authorization");
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(*origin));
  response.headers.emplace_back("Vary", "Origin");
}

HttpResponse Dispatcher::Handle(const HttpRequest& request, const Router::Match& match) const {
  auto admission = Admit(request, match);
  HttpResponse response;
  if (admission.answer) {
    response = std::move(*admission.answer);
  } else {
    try {
      response = match.route->handler(request, admission.user_id);
    } catch (...) {
      response = FailureResponse(request, std::current_exception());
    }
  }
  Finish(request, match, response);
  return response;
}

namespace {

// A log line about `request`, with what finds it among the others.
LogLine RequestLine(const HttpRequest& request) {
  LogLine line;
  line.Add("path", request.path).Add("request_id", request.id);
  return line;
}

}  // namespace

HttpResponse FailureResponse(const HttpRequest& request, std::exception_ptr error) {
  const auto retry_later = [](std::string_view message) {
    auto response = HttpResponse::Error(503, message);
    response.headers.emplace_back("Retry-After", "1");
    return response;
  };
  try {
    std::rethrow_exception(std::move(error));
  } catch (const app::ContentionError& failure) {
    RequestLine(request).Add("error", failure.what()).Warn("contention");
    return retry_later("too many concurrent changes, retry");
  } catch (const app::StoreUnavailable& failure) {
    RequestLine(request).Add("error", failure.what()).Warn("database unavailable");
    return retry_later("the database is unavailable, retry");
  } catch (const std::exception& failure) {
    RequestLine(request).Add("error", failure.what()).Error("handler failed");
  } catch (...) {
    RequestLine(request).Error("handler failed");
  }
  return HttpResponse::Error(500, "internal error");
}

}  // namespace gm::infra::http
