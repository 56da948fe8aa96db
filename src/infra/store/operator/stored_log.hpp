#pragma once

#include <cstdint>
#include <functional>
#include <string>

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

// Events in the log (all streams).
std::int64_t CountEvents(sql::Connection& connection);

// One event as a line of the export format (docs/operations.md):
// {"position":7,"stream":"account-…","version":3,"type":"points_accrued.v1","data":{…},"time":1764672000123}
std::string FormatEventLine(const StoredEvent& event);

// Reads a line of that format; `position` is ignored (import appends anew).
// Throws std::invalid_argument naming what is wrong.
StoredEvent ParseEventLine(std::string_view line);

}  // namespace gm::infra::store
