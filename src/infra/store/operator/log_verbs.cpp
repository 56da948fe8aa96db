#include "infra/store/operator/log_verbs.hpp"

#include <functional>
#include <istream>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "infra/store/event_codec.hpp"
#include "infra/store/operator/bulk_insert.hpp"
#include "infra/store/operator/read_model_fold.hpp"
#include "infra/store/operator/replay.hpp"

namespace gm::infra::store {
namespace {

// A statement per verified table, built once: Prepare() caches by address.
const std::vector<std::string>& TableQueries() {
  static const std::vector<std::string> queries = [] {
    std::vector<std::string> texts;
    for (const auto& table : VerifiedTables()) {
      std::string text = "SELECT " + std::string(table.key);
      for (const char* column : table.columns) text += std::string(", ") + column;
      texts.push_back(text + " FROM " + table.name);
    }
    return texts;
  }();
  return queries;
}

TableRows ReadTable(sql::Connection& c, const char* query) {
  TableRows rows;
  auto statement = c.Prepare(query);
  while (statement.Step()) {
    std::vector<std::string> columns;
    for (int i = 1; i < statement.Columns(); ++i) columns.push_back(statement.IsNull(i) ? "" : statement.Text(i));
    rows.emplace(statement.Text(0), std::move(columns));
  }
  return rows;
}

}  // namespace

std::int64_t WriteEvents(sql::ConnectionPool& pool, const LogRange& range, std::ostream& out) {
  auto c = pool.Acquire();
  const SnapshotTransaction snapshot(*c);
  std::int64_t written = 0;
  ForEachStoredEvent(*c, range, [&](const StoredEvent& event) {
    out << FormatEventLine(event) << '\n';
    ++written;
  });
  out.flush();
  return written;
}

void FollowEvents(sql::ConnectionPool& pool, const LogRange& range, std::ostream& out,
                  std::chrono::milliseconds poll) {
  constexpr std::size_t kPage = 4096;
  auto c = pool.Acquire();
  // From the start of the log, filtered here: a cursor is a place in commit
  // order, which positions and versions do not give.
  LogCursor cursor;
  while (out) {
    const auto page = ReadCommitted(*c, cursor, kPage);
    cursor = page.next;
    for (const auto& event : page.events) {
      const bool wanted = range.stream.empty() ? event.position > range.after
                                               : event.stream == range.stream && event.version > range.after;
      if (wanted) out << FormatEventLine(event) << '\n';
    }
    out.flush();
    if (page.events.size() < kPage) std::this_thread::sleep_for(poll);
  }
}

std::int64_t ImportEvents(sql::ConnectionPool& pool, std::istream& in) {
  static const BulkTarget events{"events",
                                 {{"stream", false},
                                  {"version", true},
                                  {"type", false},
                                  {"data", false},
                                  {"recorded_at", true}}};
  auto c = pool.Acquire();
  sql::WriteTransaction transaction(*c);
  if (c->Kind() == Dialect::kPostgres) c->Execute("LOCK TABLE events, accrual_queue IN EXCLUSIVE MODE");
  if (CountEvents(*c) != 0) {
    throw ImportError("the store already holds events: import goes into an empty store only");
  }
  // Batches keep memory flat however long the log; a batch runs when it
  // fills (PostgreSQL) or each row at once (SQLite): either may find a
  // (stream, version) taken.
  BulkInsert insert(*c, events);
  std::int64_t imported = 0;
  std::int64_t number = 0;
  const auto inserted = [&](const std::function<void()>& step) {
    try {
      step();
    } catch (const sql::UniqueViolation&) {
      throw ImportError("at or before line " + std::to_string(number) + ": a (stream, version) appears twice");
    }
  };
  for (std::string text; std::getline(in, text);) {
    ++number;
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    StoredEvent event;
    try {
      event = ParseEventLine(text);
      const auto decoded = Decode(event.type, event.data);
      if (domain::StreamOf(decoded) != event.stream) throw std::invalid_argument("the event is not of its stream");
    } catch (const std::exception& error) {
      throw ImportError("line " + std::to_string(number) + ": " + error.what());
    }
    inserted([&] {
      insert.Add({event.stream, std::to_string(event.version), event.type, event.data,
                  std::to_string(event.recorded_at)});
    });
    ++imported;
  }
  inserted([&] { insert.Flush(); });
  // Each stream's versions must run 1, 2, 3… in file order: the service
  // appends at the stream's last version + 1, and the projections count.
  auto gap = c->Prepare(
      "SELECT stream, version FROM events e WHERE version > 1 AND NOT EXISTS ("
      "SELECT 1 FROM events p WHERE p.stream = e.stream AND p.version = e.version - 1 AND p.position < e.position) "
      "LIMIT 1");
  if (gap.Step()) {
    throw ImportError("stream " + gap.Text(0) + ": version " + std::to_string(gap.Int64(1)) +
                      " does not follow version " + std::to_string(gap.Int64(1) - 1) + " earlier in the file");
  }
  ReplayIntoReadModels(*c, {});
  transaction.Commit();
  RefreshPlannerStatistics(*c);
  return imported;
}

std::int64_t VerifyReadModels(sql::ConnectionPool& pool, std::ostream& out) {
  auto c = pool.Acquire();
  const SnapshotTransaction snapshot(*c);
  ReadModelFold fold;
  ForEachStoredEvent(*c, {}, [&](const StoredEvent& event) {
    fold.Apply(Decode(event.type, event.data), event.stream, event.version, event.position);
  });
  std::int64_t differences = 0;
  const auto& tables = VerifiedTables();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    for (const auto& line : CompareRows(tables[i], fold.Rows(i), ReadTable(*c, TableQueries()[i].c_str()))) {
      out << line << '\n';
      ++differences;
    }
  }
  out.flush();
  return differences;
}

}  // namespace gm::infra::store
