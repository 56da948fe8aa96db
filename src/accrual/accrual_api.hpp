#pragma once

#include <functional>
#include <memory>

#include "accrual/accrual_store.hpp"
#include "accrual/rate_limiter.hpp"
#include "infra/http/router.hpp"

namespace gm::accrual {

// The accrual system's HTTP API (SPEC §4): reward rules, order
// registration, and the one call the loyalty service makes.
class AccrualApi {
 public:
  // `rate_limiter` may be null: no limit. `on_order_registered` wakes the calculator.
  AccrualApi(AccrualStore& store, RateLimiter* rate_limiter, std::function<void()> on_order_registered)
      : store_(store), rate_limiter_(rate_limiter), on_order_registered_(std::move(on_order_registered)) {}

  void AddRoutes(infra::http::Router& router);

  infra::http::HttpResponse AddRule(const infra::http::HttpRequest& request);
  infra::http::HttpResponse RegisterOrder(const infra::http::HttpRequest& request);
  infra::http::HttpResponse GetOrder(const infra::http::HttpRequest& request);

 private:
  AccrualStore& store_;
  RateLimiter* rate_limiter_;
  std::function<void()> on_order_registered_;
};

}  // namespace gm::accrual
