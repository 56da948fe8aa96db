#include "infra/store/sql_store.hpp"

#include <string>

#include "infra/store/event_codec.hpp"
#include "infra/store/operator/replay.hpp"
#include "infra/store/schema.hpp"

namespace gm::infra::store {

SqlStore::SqlStore(const DatabaseLocation& location) : pool_(sql::OpenPool(location)) {
  auto connection = pool_->Acquire();
  sql::Migrate(*connection, GophermartMigrations(pool_->Kind()));
}

bool SqlStore::Ping() { return pool_->Ping(); }

std::string SqlStore::GetOrCreateSetting(const std::string& key, const std::string& candidate) {
  auto c = pool_->Acquire();
  c->Prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING")
      .Bind(1, key)
      .Bind(2, candidate)
      .Run();
  auto statement = c->Prepare("SELECT value FROM settings WHERE key = ?");
  statement.Bind(1, key);
  statement.Step();
  return statement.Text(0);
}

LogPage SqlStore::ReadAll(LogCursor after, std::size_t limit) {
  auto c = pool_->Acquire();
  // Only transactions older than the oldest one still running are complete:
  // anything at or past that horizon waits for the next read.
  auto statement = c->Kind() == Dialect::kPostgres
                       ? c->Prepare(
                             "SELECT transaction_id::text::bigint, position, stream, version, type, data FROM events "
                             "WHERE (transaction_id, position) > (?1::text::xid8, ?2) "
                             "AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) "
                             "ORDER BY transaction_id, position LIMIT ?3")
                       : c->Prepare(
                             "SELECT 0, position, stream, version, type, data FROM events "
                             "WHERE ?1 = ?1 AND position > ?2 ORDER BY position LIMIT ?3");
  statement.Bind(1, after.transaction).Bind(2, after.position).Bind(3, static_cast<std::int64_t>(limit));
  LogPage page;
  page.next = after;
  while (statement.Step()) {
    page.next = {statement.Int64(0), statement.Int64(1)};
    page.events.push_back(
        {statement.Int64(1), statement.Text(2), statement.Int64(3), Decode(statement.Text(4), statement.Text(5))});
  }
  return page;
}

void SqlStore::ReleaseLeasesAtStart() {
  if (pool_->Kind() != Dialect::kSqlite) return;
  auto c = pool_->Acquire();
  c->Execute("UPDATE accrual_queue SET lease_until = 0 WHERE lease_until <> 0");
}

std::int64_t SqlStore::RebuildProjections(const std::function<void(std::int64_t, std::int64_t)>& progress) {
  auto c = pool_->Acquire();
  sql::WriteTransaction transaction(*c);
  // The queue too, before its rows are deleted: a pipelined batch of claims
  // and reschedules (one transaction) could otherwise lock its rows in
  // another order than the rebuild's DELETE, and deadlock with it.
  if (c->Kind() == Dialect::kPostgres) c->Execute("LOCK TABLE events, accrual_queue IN EXCLUSIVE MODE");
  const auto replayed = ReplayIntoReadModels(*c, progress);
  transaction.Commit();
  return replayed;
}

}  // namespace gm::infra::store
