#include "infra/store/sql_store.hpp"

#include <string>

#include "infra/store/event_codec.hpp"
#include "infra/store/operator/replay.hpp"
#include "infra/store/operator/stored_log.hpp"
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
  auto committed = ReadCommitted(*c, after, limit);
  LogPage page;
  page.next = committed.next;
  page.events.reserve(committed.events.size());
  for (const auto& event : committed.events) {
    page.events.push_back({event.position, event.stream, event.version, Decode(event.type, event.data)});
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
  RefreshPlannerStatistics(*c);
  return replayed;
}

}  // namespace gm::infra::store
