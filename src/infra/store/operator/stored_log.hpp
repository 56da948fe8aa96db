#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "infra/store/sql/sql.hpp"

// The event log as stored, for the operator's verbs (events, export, import,
// verify, rebuild-projections): rows read in pages under one snapshot, and
// their JSON-lines form.
namespace gm::infra::store {

struct StoredEvent {
  std::int64_t position = 0;
  std::string stream;
  std::int64_t version = 0;
  std::string type;
  std::string data;  // the stored JSON object
  std::int64_t recorded_at = 0;  // Unix ms
};

// Every statement inside sees the database as it stood when the first ran:
// REPEATABLE READ, READ ONLY on PostgreSQL; a deferred transaction on SQLite,
// whose WAL keeps the first read's snapshot. Ends with COMMIT either way.
class SnapshotTransaction {
 public:
  explicit SnapshotTransaction(sql::Connection& connection);
  ~SnapshotTransaction();
  SnapshotTransaction(const SnapshotTransaction&) = delete;
  SnapshotTransaction& operator=(const SnapshotTransaction&) = delete;

 private:
  sql::Connection& connection_;
};

struct LogRange {
  std::string stream;        // empty: the whole log, in position order
  std::int64_t after = 0;    // position (whole log) or version (one stream)
};

// Calls `each` for every event of `range`, oldest first, reading pages of
// `page_size` rows; no statement is open while `each` runs, so it may use
// the connection. Memory stays at one page.
void ForEachStoredEvent(sql::Connection& connection, const LogRange& range,
                        const std::function<void(const StoredEvent&)>& each, std::size_t page_size = 4096);

// Where a reader of the whole log in commit order stands. On PostgreSQL
// events are ordered by (transaction id, position): positions come from a
// sequence and commit out of order, so a reader that trusted them would
// skip an event whose transaction commits late. On SQLite (one writer)
// transaction is always 0.
struct LogCursor {
  std::int64_t transaction = 0;
  std::int64_t position = 0;

  auto operator<=>(const LogCursor&) const = default;  // commit order
};

struct CommittedPage {
  std::vector<StoredEvent> events;
  LogCursor next;  // pass back to read on; unchanged when nothing new is visible
};

// Up to `limit` events after `after` in commit-safe order: every event
// exactly once, never one whose transaction could still commit before an
// event already returned (on PostgreSQL, only transactions older than the
// oldest one still running). The primitive for followers (`events
// --follow`, SqlStore::ReadAll). Outside any transaction of the caller's.
CommittedPage ReadCommitted(sql::Connection& connection, LogCursor after, std::size_t limit);

// Events in the log (all streams).
std::int64_t CountEvents(sql::Connection& connection);

// One event as a line of the export format (docs/operations.md):
// {"position":7,"stream":"account-…","version":3,"type":"points_accrued.v1","data":{…},"time":1764672000123}
std::string FormatEventLine(const StoredEvent& event);

// Reads a line of that format; `position` is ignored (import appends anew).
// Throws std::invalid_argument naming what is wrong.
StoredEvent ParseEventLine(std::string_view line);

}  // namespace gm::infra::store
