#include "infra/store/watched_log.hpp"

#include <string_view>

#include "infra/store/event_codec.hpp"

namespace gm::infra::store {
namespace {



constexpr std::string_view kAccountPrefix = "account-";
constexpr std::string_view kOrderPrefix = "order-";

// Both read (transaction, position, stream, type, data, order owner, order
// uploaded_at); the owner is NULL but for an order's event.
constexpr const char* kPostgresPage =
    "SELECT e.transaction_id::text::bigint, e.position, e.stream, e.type, e.data, o.user_id, o.uploaded_at "
    "FROM events e LEFT JOIN orders_view o ON e.stream LIKE 'order-%' AND o.number = substr(e.stream, 7) "
    "WHERE (e.transaction_id, e.position) > (?1::text::xid8, ?2) "
    "AND e.transaction_id < pg_snapshot_xmin(pg_current_snapshot()) "
    "ORDER BY e.transaction_id, e.position LIMIT ?3";
constexpr const char* kSqlitePage =
    "SELECT 0, e.position, e.stream, e.type, e.data, o.user_id, o.uploaded_at "
    "FROM events e LEFT JOIN orders_view o ON e.stream LIKE 'order-%' AND o.number = substr(e.stream, 7) "
    "WHERE ?1 = ?1 AND e.position > ?2 ORDER BY e.position LIMIT ?3";

constexpr const char* kPostgresUser =
    "SELECT e.transaction_id::text::bigint, e.position, e.stream, e.type, e.data, NULL, 0 FROM events e "
    "WHERE e.stream = 'account-' || ?1 AND (e.transaction_id, e.position) <= (?4::text::xid8, ?5) "
    "UNION ALL "
    "SELECT e.transaction_id::text::bigint, e.position, e.stream, e.type, e.data, o.user_id, o.uploaded_at "
    "FROM orders_view o JOIN events e ON e.stream = 'order-' || o.number WHERE o.user_id = ?1 "
    "AND (e.transaction_id, e.position) > (?2::text::xid8, ?3) "
    "AND (e.transaction_id, e.position) <= (?4::text::xid8, ?5) "
    "ORDER BY 1, 2";
constexpr const char* kSqliteUser =
    "SELECT 0, e.position, e.stream, e.type, e.data, NULL, 0 FROM events e "
    "WHERE e.stream = 'account-' || ?1 AND ?4 = ?4 AND e.position <= ?5 "
    "UNION ALL "
    "SELECT 0, e.position, e.stream, e.type, e.data, o.user_id, o.uploaded_at "
    "FROM orders_view o JOIN events e ON e.stream = 'order-' || o.number WHERE o.user_id = ?1 "
    "AND ?2 = ?2 AND e.position > ?3 AND e.position <= ?5 "
    "ORDER BY 1, 2";

// The watched event of the statement's row, when it is an account's or an
// order's (whose row in orders_view names its owner).
std::optional<WatchedEvent> WatchedRow(const sql::Statement& row) {
  const std::string stream = row.Text(2);
  WatchedEvent watched;
  watched.cursor = {row.Int64(0), row.Int64(1)};
  if (stream.starts_with(kAccountPrefix)) {
    watched.user_id = stream.substr(kAccountPrefix.size());
  } else if (stream.starts_with(kOrderPrefix) && !row.IsNull(5)) {
    watched.user_id = row.Text(5);
    watched.uploaded_at = row.Int64(6);
  } else {
    return std::nullopt;
  }
  watched.event = Decode(row.Text(3), row.Text(4));
  return watched;
}

}  // namespace

LogCursor CommittedTip(sql::Connection& c) {
  auto statement = c.Kind() == Dialect::kPostgres
                       ? c.Prepare(
                             "SELECT transaction_id::text::bigint, position FROM events "
                             "WHERE transaction_id < pg_snapshot_xmin(pg_current_snapshot()) "
                             "ORDER BY transaction_id DESC, position DESC LIMIT 1")
                       : c.Prepare("SELECT 0, position FROM events ORDER BY position DESC LIMIT 1");
  LogCursor tip;
  while (statement.Step()) tip = {statement.Int64(0), statement.Int64(1)};
  return tip;
}

WatchedPage ReadWatchedPage(sql::Connection& c, LogCursor after, std::size_t limit) {
  auto statement = c.Prepare(c.Kind() == Dialect::kPostgres ? kPostgresPage : kSqlitePage);
  statement.Bind(1, after.transaction).Bind(2, after.position).Bind(3, static_cast<std::int64_t>(limit));
  WatchedPage page;
  page.next = after;
  std::size_t rows = 0;
  while (statement.Step()) {
    ++rows;
    page.next = {statement.Int64(0), statement.Int64(1)};
    if (auto watched = WatchedRow(statement)) page.events.push_back(std::move(*watched));
  }
  page.full = rows == limit;
  return page;
}

std::vector<WatchedEvent> ReadUserEvents(sql::Connection& c, const std::string& user_id, LogCursor orders_after,
                                         LogCursor upto) {
  auto statement = c.Prepare(c.Kind() == Dialect::kPostgres ? kPostgresUser : kSqliteUser);
  statement.Bind(1, user_id)
      .Bind(2, orders_after.transaction)
      .Bind(3, orders_after.position)
      .Bind(4, upto.transaction)
      .Bind(5, upto.position);
  std::vector<WatchedEvent> events;
  while (statement.Step()) {
    if (auto watched = WatchedRow(statement)) events.push_back(std::move(*watched));
  }
  return events;
}

}  // namespace gm::infra::store
