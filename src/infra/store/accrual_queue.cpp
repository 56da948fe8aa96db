#include "infra/store/sql_store.hpp"

namespace gm::infra::store {

std::vector<app::PendingOrder> SqlStore::ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit) {
  auto c = pool_->Acquire();
  sql::WriteTransaction transaction(*c);
  // On PostgreSQL several instances claim at once: SKIP LOCKED hands each a
  // different set, and the outer condition re-checks a row after its lock.
  auto statement =
      c->Kind() == sql::Dialect::kPostgres
          ? c->Prepare(
                "UPDATE accrual_queue SET lease_until = ?2 WHERE lease_until <= ?1 AND order_number IN ("
                "  SELECT order_number FROM accrual_queue WHERE next_attempt_at <= ?1 AND lease_until <= ?1"
                "  ORDER BY next_attempt_at LIMIT ?3 FOR UPDATE SKIP LOCKED) "
                "RETURNING order_number, attempts")
          : c->Prepare(
                "UPDATE accrual_queue SET lease_until = ?2 WHERE order_number IN ("
                "  SELECT order_number FROM accrual_queue WHERE next_attempt_at <= ?1 AND lease_until <= ?1"
                "  ORDER BY next_attempt_at LIMIT ?3) "
                "RETURNING order_number, attempts");
  statement.Bind(1, now).Bind(2, lease_until).Bind(3, static_cast<std::int64_t>(limit));
  std::vector<app::PendingOrder> claimed;
  while (statement.Step()) claimed.push_back({statement.Text(0), static_cast<int>(statement.Int64(1))});
  transaction.Commit();
  return claimed;
}

void SqlStore::Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) {
  auto c = pool_->Acquire();
  c->Prepare("UPDATE accrual_queue SET attempts = ?, next_attempt_at = ?, lease_until = 0 WHERE order_number = ?")
      .Bind(1, std::int64_t{attempts})
      .Bind(2, next_attempt_at)
      .Bind(3, number)
      .Run();
}

void SqlStore::ReleaseLeasesAtStart() {
  if (pool_->Kind() != sql::Dialect::kSqlite) return;
  auto c = pool_->Acquire();
  c->Execute("UPDATE accrual_queue SET lease_until = 0 WHERE lease_until <> 0");
}

}  // namespace gm::infra::store
