#pragma once

#include <functional>
#include <string>

#include "infra/http/router.hpp"
#include "infra/observability/metrics.hpp"

namespace gm::infra::http {

// Operations endpoints (SPEC §6) on the API listener: /healthz (the process
// answers), /readyz (and its database answers; the body shows the queue's
// state too), /metrics (Prometheus text; on the database lane, as some
// gauges read the database).
class OperationsApi {
 public:
  // `queue_status`, when set: a JSON object, the "queue" member of /readyz's body.
  // It never makes the service unready (decision 0012): with the broker
  // gone, uploads and reads still work and the outbox keeps the work.
  OperationsApi(const Metrics& metrics, std::function<bool()> database_answers,
                std::function<std::string()> queue_status = {})
      : metrics_(metrics), database_answers_(std::move(database_answers)), queue_status_(std::move(queue_status)) {}

  void AddRoutes(Router& router) const;

 private:
  const Metrics& metrics_;
  std::function<bool()> database_answers_;
  std::function<std::string()> queue_status_;
};

}  // namespace gm::infra::http
