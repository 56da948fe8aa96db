#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "domain/events.hpp"
#include "infra/store/operator/stored_log.hpp"  // LogCursor
#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

struct RecordedEvent {
  std::int64_t position = 0;
  std::string stream;
  std::int64_t version = 0;
  domain::Event event;
};

struct LogPage {
  std::vector<RecordedEvent> events;
  LogCursor next;  // pass back to read on; unchanged when nothing new is visible
};

// The database under the event log, its read models and the accrual queue,
// SQLite (embedded, WAL) or PostgreSQL: opened and migrated, with what the
// operator and start-up need (settings, readiness, leases, rebuilding and
// reading the whole log). The service's reads and appends go through the
// executors (store/sql_executor.hpp), over Pool() on SQLite. Safe to call
// from any number of threads; every call blocks, so callers keep it off I/O
// threads.
class SqlStore final {
 public:
  // Opens (creating a SQLite file if needed) and migrates the database.
  explicit SqlStore(const DatabaseLocation& location);

  [[nodiscard]] sql::ConnectionPool& Pool() { return *pool_; }

  // On SQLite, frees every lease: only one process serves an embedded
  // database, so at start-up no lease can belong to anyone alive. On
  // PostgreSQL, other instances may hold leases: they simply expire.
  void ReleaseLeasesAtStart();

  // True when the database answers a trivial query now.
  bool Ping();

  // Returns the stored value for `key`, storing `candidate` first if none.
  std::string GetOrCreateSetting(const std::string& key, const std::string& candidate);

  // Empties the read models and replays the whole log into them, in one
  // transaction. On PostgreSQL it holds appends back meanwhile (an
  // EXCLUSIVE lock on the log: reads go on, and see the old read models
  // until the commit), so no append can update a row the rebuild has
  // emptied; on SQLite its write transaction does the same. Returns the
  // number of events replayed; `progress` hears how far it is.
  std::int64_t RebuildProjections(const std::function<void(std::int64_t done, std::int64_t total)>& progress = {});

  // Reads the log in commit-safe order after `after` (ReadCommitted,
  // operator/stored_log.hpp), decoded: the primitive for subscribers
  // (relays, projections kept elsewhere).
  LogPage ReadAll(LogCursor after, std::size_t limit);

 private:
  std::unique_ptr<sql::ConnectionPool> pool_;
};

}  // namespace gm::infra::store
