#pragma once

#include "infra/auth/token_issuer.hpp"
#include "infra/http/cors.hpp"
#include "infra/http/router.hpp"

namespace gm::infra::http {

// Routes a decoded request, checks its token, runs the handler and turns
// faults into 500/503. Blocking: the server calls Handle on the route's lane.
class Dispatcher {
 public:
  // Without a token issuer every authenticated route answers 401; without a
  // CORS policy no browser origin other than the API's own may call it.
  Dispatcher(const Router& router, const TokenIssuer* tokens, const CorsPolicy* cors = nullptr)
      : router_(router), tokens_(tokens), cors_(cors) {}

  [[nodiscard]] Router::Match Find(const HttpRequest& request) const {
    return router_.Find(request.method, request.path);
  }
  HttpResponse Handle(const HttpRequest& request, const Router::Match& match) const;

 private:
  const Router& router_;
  const TokenIssuer* tokens_;
  const CorsPolicy* cors_;

  HttpResponse HandleRoute(const HttpRequest& request, const Router::Match& match) const;
};

// The bearer token from `Authorization: Bearer ...`, else the `token` cookie.
std::string_view FindToken(const HttpRequest& request);

}  // namespace gm::infra::http
