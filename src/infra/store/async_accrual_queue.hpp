#pragma once

#include <vector>

#include "app/ports.hpp"
#include "infra/store/deferred.hpp"
#include "infra/store/postgres/pipeline.hpp"

namespace gm::infra::store {

// PostgreSQL: the claim and the reschedule are prepared statements on the
// event-loop pipeline. Either may be sent once more after a lost connection
// (the pipeline's rule for queries): a reschedule sets the same values
// again, and a claim whose first sending committed leaves that order leased
// until its lease ends, when it is claimed again. A claim or reschedule
// undone with a failing neighbour of its batch costs one more poll of that
// order, as the result is applied once anyway. Late, never lost.
class PipelinedAccrualQueue final : public app::AsyncAccrualQueue {
 public:
  explicit PipelinedAccrualQueue(postgres::PgPipelinePool& pool) : pool_(pool) {}
  // What the pool must prepare on each connection.
  static std::vector<postgres::PgStatementText> Statements();

  void ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit,
                app::Answer<std::vector<app::PendingOrder>> answer) override;
  void Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at,
                  app::Answer<bool> answer) override;

 private:
  postgres::PgPipelinePool& pool_;
};

// Any blocking queue (SQLite): each call runs through `run`, which hands it
// to a thread that may block.
class DeferredAccrualQueue final : public app::AsyncAccrualQueue {
 public:
  DeferredAccrualQueue(app::AccrualQueue& queue, Runner run) : queue_(queue), run_(std::move(run)) {}

  void ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit,
                app::Answer<std::vector<app::PendingOrder>> answer) override;
  void Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at,
                  app::Answer<bool> answer) override;

 private:
  app::AccrualQueue& queue_;
  Runner run_;
};

}  // namespace gm::infra::store
