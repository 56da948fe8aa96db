#pragma once

#include <string>

#include "app/ports.hpp"
#include "infra/store/sqlite/connection.hpp"

namespace gm::infra::sqlite {

// The embedded store: the event log, its read models and the accrual queue
// in one SQLite file (WAL). Safe to call from any number of threads; every
// call blocks, so callers keep it off I/O threads.
class SqliteStore final : public app::EventStore, public app::ReadModels, public app::AccrualQueue {
 public:
  // Opens (creating if needed) and migrates the database at `path`.
  explicit SqliteStore(const std::string& path);

  app::LoadedStream Load(const std::string& stream) override;
  app::AppendOutcome Append(const std::vector<app::StreamAppend>& appends) override;

  std::optional<app::UserCredentialsView> FindUserByLogin(const std::string& login) override;
  std::vector<app::OrderView> OrdersOf(const std::string& user_id) override;
  app::BalanceView BalanceOf(const std::string& user_id) override;
  std::vector<app::WithdrawalView> WithdrawalsOf(const std::string& user_id) override;

  std::vector<app::PendingOrder> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit) override;
  void Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) override;
  // Frees every lease: only one process serves an embedded database, so at
  // start-up no lease can belong to anyone alive.
  void ReleaseAllLeases();

  // Returns the stored value for `key`, storing `candidate` first if none.
  std::string GetOrCreateSetting(const std::string& key, const std::string& candidate);

  // Empties the read models and replays the whole log into them, in one
  // transaction. Returns the number of events replayed.
  std::int64_t RebuildProjections();

 private:
  ConnectionPool pool_;
};

}  // namespace gm::infra::sqlite
