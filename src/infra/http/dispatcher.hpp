#pragma once

#include "infra/auth/token_issuer.hpp"
#include "infra/http/router.hpp"

namespace gm::infra::http {

// Routes a decoded request, checks its token, runs the handler and turns
// faults into 500/503. Blocking: the server calls Handle on the route's lane.
class Dispatcher {
 public:
  // Without a token issuer every authenticated route answers 401.
  Dispatcher(const Router& router, const TokenIssuer* tokens) : router_(router), tokens_(tokens) {}

  [[nodiscard]] Router::Match Find(const HttpRequest& request) const {
    return router_.Find(request.method, request.path);
  }
  HttpResponse Handle(const HttpRequest& request, const Router::Match& match) const;

 private:
  const Router& router_;
  const TokenIssuer* tokens_;
};

// The bearer token from `Authorization: Bearer ...`, else the `token` cookie.
std::string_view FindToken(const HttpRequest& request);

}  // namespace gm::infra::http
