#include "infra/store/queue_queries.hpp"
#include "infra/store/sql_store.hpp"

namespace gm::infra::store {

std::vector<app::PendingOrder> SqlStore::ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit) {
  auto c = pool_->Acquire();
  sql::WriteTransaction transaction(*c);
  auto statement =
      c->Prepare(c->Kind() == Dialect::kPostgres ? queries::kClaimDuePostgres : queries::kClaimDueSqlite);
  statement.Bind(1, now).Bind(2, lease_until).Bind(3, static_cast<std::int64_t>(limit));
  auto claimed = queries::ReadClaimed(statement);
  transaction.Commit();
  return claimed;
}

void SqlStore::Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) {
  auto c = pool_->Acquire();
  c->Prepare(queries::kReschedule).Bind(1, std::int64_t{attempts}).Bind(2, next_attempt_at).Bind(3, number).Run();
}

void SqlStore::ReleaseLeasesAtStart() {
  if (pool_->Kind() != Dialect::kSqlite) return;
  auto c = pool_->Acquire();
  c->Execute("UPDATE accrual_queue SET lease_until = 0 WHERE lease_until <> 0");
}

}  // namespace gm::infra::store
