#pragma once

#include <vector>

#include "app/ports.hpp"
#include "infra/store/sql_executor.hpp"

namespace gm::infra::store {

// The accrual queue over either executor: the claim and the reschedule are
// single statements. On the pipeline either may be sent once more after a
// lost connection: a reschedule sets the same values again, and a claim
// whose first sending committed leaves that order leased until its lease
// ends, when it is claimed again. A claim or reschedule undone with a
// failing neighbour of its batch costs one more poll of that order, as the
// result is applied once anyway. Late, never lost.
class SqlAccrualQueue final : public app::AsyncAccrualQueue {
 public:
  explicit SqlAccrualQueue(SqlExecutor& executor) : executor_(executor) {}
  // The queries it runs (what a pipeline must prepare).
  static std::vector<SqlQuery> Queries();

  app::Async<std::vector<app::PendingOrder>> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until,
                                                      std::size_t limit) override;
  app::Async<void> Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) override;
  app::Async<bool> IsPending(const std::string& number) override;

 private:
  SqlExecutor& executor_;
};

}  // namespace gm::infra::store
