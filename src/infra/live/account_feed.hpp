#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "domain/account_watch.hpp"
#include "domain/result.hpp"
#include "infra/store/operator/stored_log.hpp"  // LogCursor

namespace gm::infra::store {
class SqlStore;
}

// Customers watching their accounts live (GET /api/user/events): one tailer
// per process reads the shared log in commit-safe order, so a change made by
// any instance reaches every watcher here, and hands each event to the
// watchers of the user it belongs to.
namespace gm::infra::live {

struct FeedOptions {
  std::chrono::milliseconds poll{200};  // how often the log is read while anyone watches
  std::size_t page = 512;               // events per read
  std::size_t max_watchers = 1024;      // open streams in all
  std::size_t max_watchers_per_user = 8;
  std::size_t max_pending = 1024;  // events waiting for one watcher; past it the watcher is dropped
};

// What one event of theirs tells a watcher, and where it stands in the log
// (the stream's message id).
struct FeedMessage {
  store::LogCursor cursor;
  domain::WatchUpdate update;
  domain::TimeMs uploaded_at = 0;  // the order's, for an OrderStatusChanged
};

class Watcher {
 public:
  virtual ~Watcher() = default;
  // The next messages, waiting at most `patience` for some: an empty list
  // when none came in time; nothing once the watcher has ended (dropped as
  // too slow, or the feed stopped). On the executor it was made for.
  virtual boost::asio::awaitable<std::optional<std::vector<FeedMessage>>> Next(std::chrono::milliseconds patience) = 0;
};

enum class WatchRefusal { kTooManyForUser, kTooMany };

class AccountFeed {
 public:
  // Reads the log on `lane` (blocking calls); the tailer runs on `home`.
  AccountFeed(store::SqlStore& store, boost::asio::any_io_executor lane, boost::asio::any_io_executor home,
              FeedOptions options = {});
  // Ends every watcher and the tailer.
  ~AccountFeed();
  AccountFeed(const AccountFeed&) = delete;
  AccountFeed& operator=(const AccountFeed&) = delete;

  void Start();

  // A watcher of the user's account, used on `executor` (its connection's
  // loop). After `last_seen` (a cursor a message carried) it first gives
  // every message of the user's since, exactly once; without it, the
  // balance as it stands, then what follows.
  domain::Result<std::shared_ptr<Watcher>, WatchRefusal> Watch(const std::string& user_id,
                                                               std::optional<store::LogCursor> last_seen,
                                                               boost::asio::any_io_executor executor);

  [[nodiscard]] std::size_t Watching() const;

 private:
  friend class FeedWatcher;
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gm::infra::live
