#include "infra/store/async_accrual_queue.hpp"

#include "infra/async.hpp"
#include "infra/store/queue_queries.hpp"

namespace gm::infra::store {
namespace {

constexpr const char* kClaimDue = "claim_due";
constexpr const char* kReschedule = "reschedule";

}  // namespace

std::vector<postgres::PgStatementText> PipelinedAccrualQueue::Statements() {
  return {{kClaimDue, queries::kClaimDuePostgres}, {kReschedule, queries::kReschedule}};
}

app::Async<std::vector<app::PendingOrder>> PipelinedAccrualQueue::ClaimDue(domain::TimeMs now,
                                                                           domain::TimeMs lease_until,
                                                                           std::size_t limit) {
  // Parameters built before the co_await (see app/ports.hpp on temporaries).
  auto params = postgres::Params(std::to_string(now), std::to_string(lease_until), std::to_string(limit));
  const auto rows = co_await pool_.Ask(kClaimDue, std::move(params));
  postgres::PgRowCursor cursor(rows);
  co_return queries::ReadClaimed(cursor);
}

app::Async<void> PipelinedAccrualQueue::Reschedule(const std::string& number, int attempts,
                                                   domain::TimeMs next_attempt_at) {
  auto params = postgres::Params(std::to_string(attempts), std::to_string(next_attempt_at), number);
  co_await pool_.Ask(kReschedule, std::move(params));
}

app::Async<std::vector<app::PendingOrder>> DeferredAccrualQueue::ClaimDue(domain::TimeMs now,
                                                                          domain::TimeMs lease_until,
                                                                          std::size_t limit) {
  co_return co_await RunOn(lane_, [&] { return queue_.ClaimDue(now, lease_until, limit); });
}

app::Async<void> DeferredAccrualQueue::Reschedule(const std::string& number, int attempts,
                                                  domain::TimeMs next_attempt_at) {
  co_await RunOn(lane_, [&] {
    queue_.Reschedule(number, attempts, next_attempt_at);
    return true;
  });
}

}  // namespace gm::infra::store
