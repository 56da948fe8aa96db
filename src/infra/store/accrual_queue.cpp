#include "infra/store/accrual_queue.hpp"

namespace gm::infra::store {
namespace {

// ?1 now, ?2 the lease's end, ?3 at most this many; answers order_number,
// attempts. On PostgreSQL several instances claim at once: SKIP LOCKED
// hands each a different set, and the outer condition re-checks a row after
// its lock. The claimed numbers are collected first, as an array, and the
// update finds them by key: planned once for any limit (`IN (subquery)`
// made a generic plan hash-join against a scan of the whole queue). SQLite
// has one writer.
constexpr SqlQuery kClaimDue{
    "claim_due",
    "UPDATE accrual_queue SET lease_until = ?2 WHERE lease_until <= ?1 AND order_number = ANY(ARRAY("
    "  SELECT order_number FROM accrual_queue WHERE next_attempt_at <= ?1 AND lease_until <= ?1"
    "  ORDER BY next_attempt_at LIMIT ?3 FOR UPDATE SKIP LOCKED)) "
    "RETURNING order_number, attempts",
    "UPDATE accrual_queue SET lease_until = ?2 WHERE order_number IN ("
    "  SELECT order_number FROM accrual_queue WHERE next_attempt_at <= ?1 AND lease_until <= ?1"
    "  ORDER BY next_attempt_at LIMIT ?3) "
    "RETURNING order_number, attempts"};

constexpr SqlQuery kReschedule{
    "reschedule", "UPDATE accrual_queue SET attempts = ?, next_attempt_at = ?, lease_until = 0 WHERE order_number = ?"};

constexpr SqlQuery kIsPending{"is_pending", "SELECT 1 FROM accrual_queue WHERE order_number = ?"};

bool ReadAny(const SqlRows& rows) { return rows.Size() > 0; }

std::vector<app::PendingOrder> ReadClaimed(const SqlRows& rows) {
  std::vector<app::PendingOrder> claimed;
  claimed.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) {
    claimed.push_back({rows.Text(row, 0), static_cast<int>(rows.Int64(row, 1))});
  }
  return claimed;
}

}  // namespace

std::vector<SqlQuery> SqlAccrualQueue::Queries() { return {kClaimDue, kReschedule, kIsPending}; }

app::Async<std::vector<app::PendingOrder>> SqlAccrualQueue::ClaimDue(domain::TimeMs now, domain::TimeMs lease_until,
                                                                     std::size_t limit) {
  return RunAndRead(executor_, kClaimDue,
                    Params(std::to_string(now), std::to_string(lease_until), std::to_string(limit)), ReadClaimed);
}

app::Async<void> SqlAccrualQueue::Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) {
  auto params = Params(std::to_string(attempts), std::to_string(next_attempt_at), number);
  co_await executor_.Run(kReschedule, std::move(params));
}

}  // namespace gm::infra::store

namespace gm::infra::store {

app::Async<bool> SqlAccrualQueue::IsPending(const std::string& number) {
  return RunAndRead(executor_, kIsPending, Params(number), ReadAny);
}

}  // namespace gm::infra::store
