#include "infra/http/router.hpp"

namespace gm::infra::http {

namespace {

// "/api/orders/{number}" matches "/api/orders/123": a braced segment
// matches any one non-empty segment.
bool PathMatches(std::string_view pattern, std::string_view path) {
  if (pattern.find('{') == std::string_view::npos) return pattern == path;
  while (!pattern.empty() && !path.empty()) {
    const auto pattern_end = pattern.find('/', 1);
    const auto path_end = path.find('/', 1);
    const std::string_view expected = pattern.substr(0, pattern_end);
    const std::string_view actual = path.substr(0, path_end);
    const bool wildcard = expected.size() > 2 && expected[1] == '{';
    if (wildcard ? actual.size() < 2 : expected != actual) return false;
    pattern = pattern_end == std::string_view::npos ? std::string_view{} : pattern.substr(pattern_end);
    path = path_end == std::string_view::npos ? std::string_view{} : path.substr(path_end);
  }
  return pattern.empty() && path.empty();
}

}  // namespace

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  Match match;
  for (const auto& route : routes_) {
    if (!PathMatches(route.path, path)) continue;
    if (route.method == method) {
      match.route = &route;
      return match;
    }
    match.allow += match.allow.empty() ? route.method : ", " + route.method;
  }
  match.status = match.allow.empty() ? 404 : 405;
  return match;
}

}  // namespace gm::infra::http
