#include "infra/http/router.hpp"

namespace gm::infra::http {

Router::Match Router::Find(const std::string& method, const std::string& path) const {
  Match match;
  for (const auto& route : routes_) {
    if (route.path != path) continue;
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
