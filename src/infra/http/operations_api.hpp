#pragma once

#include <functional>

#include "infra/http/router.hpp"
#include "infra/observability/metrics.hpp"

namespace gm::infra::http {

// Operations endpoints (SPEC §6) on the API listener: /healthz (the process
// answers), /readyz (and its database answers), /metrics (Prometheus text).
class OperationsApi {
 public:
  OperationsApi(const Metrics& metrics, std::function<bool()> database_answers)
      : metrics_(metrics), database_answers_(std::move(database_answers)) {}

  void AddRoutes(Router& router) const;

 private:
  const Metrics& metrics_;
  std::function<bool()> database_answers_;
};

}  // namespace gm::infra::http
