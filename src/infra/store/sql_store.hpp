#pragma once

#include <memory>
#include <string>

#include "app/ports.hpp"
#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// The event log, its read models and the accrual queue in one database,
// SQLite (embedded, WAL) or PostgreSQL. Safe to call from any number of
// threads; every call blocks, so callers keep it off I/O threads.
class SqlStore final : public app::EventStore, public app::ReadModels, public app::AccrualQueue {
 public:
  // Opens (creating a SQLite file if needed) and migrates the database.
  explicit SqlStore(const sql::DatabaseLocation& location);

  app::LoadedStream Load(const std::string& stream) override;
  app::AppendOutcome Append(const std::vector<app::StreamAppend>& appends) override;

  std::optional<app::UserCredentialsView> FindUserByLogin(const std::string& login) override;
  std::vector<app::OrderView> OrdersOf(const std::string& user_id) override;
  app::BalanceView BalanceOf(const std::string& user_id) override;
  std::vector<app::WithdrawalView> WithdrawalsOf(const std::string& user_id) override;

  std::vector<app::PendingOrder> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit) override;
  void Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) override;
  // On SQLite, frees every lease: only one process serves an embedded
  // database, so at start-up no lease can belong to anyone alive. On
  // PostgreSQL, other instances may hold leases: they simply expire.
  void ReleaseLeasesAtStart();

  // Returns the stored value for `key`, storing `candidate` first if none.
  std::string GetOrCreateSetting(const std::string& key, const std::string& candidate);

  // Empties the read models and replays the whole log into them, in one
  // transaction. Returns the number of events replayed.
  std::int64_t RebuildProjections();

 private:
  app::AppendOutcome AppendOnce(const std::vector<app::StreamAppend>& appends);

  std::unique_ptr<sql::ConnectionPool> pool_;
};

}  // namespace gm::infra::store
