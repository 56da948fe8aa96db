#pragma once

#include <exception>
#include <optional>

#include "infra/auth/token_issuer.hpp"
#include "infra/http/cors.hpp"
#include "infra/http/router.hpp"

namespace gm::infra::http {

// Routes a decoded request, checks its token, runs the handler and turns
// faults into 500/503. Handle blocks as the route's handler does: the server
// calls it on the route's lane. Asynchronous routes use Admit, the route's
// async_handler and Finish instead.
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

  // What happens before a handler runs: no route (404/405), a CORS
  // preflight or a missing token answer the request here.
  struct Admission {
    std::optional<HttpResponse> answer;
    std::string user_id;  // the authenticated caller, when the route needs one
  };
  [[nodiscard]] Admission Admit(const HttpRequest& request, const Router::Match& match) const;
  // Adds what every answer needs (CORS headers for an allowed origin).
  void Finish(const HttpRequest& request, const Router::Match& match, HttpResponse& response) const;

 private:
  const Router& router_;
  const TokenIssuer* tokens_;
  const CorsPolicy* cors_;

  [[nodiscard]] bool IsPreflight(const HttpRequest& request, const Router::Match& match) const;
  [[nodiscard]] std::optional<std::string_view> AllowedOrigin(const HttpRequest& request) const;
};

// The answer for a handler that failed: 503 + Retry-After for contention or
// an unreachable database, 500 for anything else (details go to the log).
HttpResponse FailureResponse(const HttpRequest& request, std::exception_ptr error);

// The bearer token from `Authorization: Bearer ...`, else the `token` cookie.
std::string_view FindToken(const HttpRequest& request);

}  // namespace gm::infra::http
