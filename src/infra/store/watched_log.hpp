#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "domain/events.hpp"
#include "infra/store/operator/stored_log.hpp"  // LogCursor
#include "infra/store/sql/sql.hpp"

// The log as watchers of accounts read it (GET /api/user/events): each
// account's and order's event with the user it belongs to, in the commit-safe
// order of ReadCommitted (operator/stored_log.hpp), whose cursors are the
// ids the watchers are given.
namespace gm::infra::store {

struct WatchedEvent {
  LogCursor cursor;
  std::string user_id;             // whose account, or whose order
  domain::TimeMs uploaded_at = 0;  // the order's, for an order's event
  domain::Event event;
};

struct WatchedPage {
  std::vector<WatchedEvent> events;  // accounts' and orders' only
  LogCursor next;                    // past every event read, of any stream
  bool full = false;                 // as many rows as asked for: read on at once
};

// The cursor of the last event a follower can read now (ReadCommitted's
// horizon); {0, 0} while the log is empty. Every event at or before it has
// committed: what a read up to it answers never changes.
LogCursor CommittedTip(sql::Connection& connection);

// ReadCommitted's page of up to `limit` events after `after`, keeping the
// accounts' and orders' events, decoded, each with its owner.
WatchedPage ReadWatchedPage(sql::Connection& connection, LogCursor after, std::size_t limit);

// One user's events up to `upto` (at or before CommittedTip), in log order:
// their whole account stream (a watcher folds the balance from its start)
// and the events of their orders after `orders_after`.
std::vector<WatchedEvent> ReadUserEvents(sql::Connection& connection, const std::string& user_id,
                                         LogCursor orders_after, LogCursor upto);

}  // namespace gm::infra::store
