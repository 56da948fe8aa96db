#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <vector>

#include "app/ports.hpp"
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

  app::Async<std::vector<app::PendingOrder>> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until,
                                                      std::size_t limit) override;
  app::Async<void> Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) override;

 private:
  postgres::PgPipelinePool& pool_;
};

// Any blocking queue (SQLite): each call runs on `lane`, a thread pool's
// executor, whose threads may block.
class DeferredAccrualQueue final : public app::AsyncAccrualQueue {
 public:
  DeferredAccrualQueue(app::AccrualQueue& queue, boost::asio::any_io_executor lane)
      : queue_(queue), lane_(std::move(lane)) {}

  app::Async<std::vector<app::PendingOrder>> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until,
                                                      std::size_t limit) override;
  app::Async<void> Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) override;

 private:
  app::AccrualQueue& queue_;
  boost::asio::any_io_executor lane_;
};

}  // namespace gm::infra::store
