#include "infra/live/account_feed.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <deque>
#include <mutex>
#include <unordered_map>

#include "infra/async.hpp"
#include "infra/observability/log.hpp"
#include "infra/store/sql_store.hpp"
#include "infra/store/watched_log.hpp"

namespace gm::infra::live {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using store::LogCursor;
using store::WatchedEvent;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

}  // namespace

class FeedWatcher;

// What the tailer and the watchers share; watchers and the tailer's frame
// hold it, so it outlives the AccountFeed that made it.
struct AccountFeed::Impl : std::enable_shared_from_this<Impl> {
  Impl(store::SqlStore& sql_store, asio::any_io_executor database_lane, asio::any_io_executor tailer_home,
       FeedOptions feed_options)
      : store(sql_store), lane(std::move(database_lane)), home(std::move(tailer_home)), options(feed_options),
        timer(home) {}

  store::SqlStore& store;
  asio::any_io_executor lane;
  asio::any_io_executor home;
  const FeedOptions options;
  asio::steady_timer timer;  // the tailer's; used on `home` only

  mutable std::mutex mutex;  // guards what follows, and each watcher's pending events
  std::unordered_map<std::string, std::vector<FeedWatcher*>> by_user;
  std::size_t watching = 0;
  // Every event up to here was handed to the watchers registered then; only
  // meaningful while `fresh` (the tailer reads the tip again after an idle
  // spell rather than the whole log since).
  LogCursor dispatched;
  bool fresh = false;
  bool stopped = false;

  void Poke() {
    asio::post(home, [self = shared_from_this()] { self->timer.cancel(); });
  }

  void Remove(FeedWatcher* watcher, const std::string& user_id);  // under the mutex
  awaitable<void> Tail();
  void Hand(const std::vector<WatchedEvent>& events, LogCursor next);
  void MakeFresh(LogCursor tip);
};

// One customer's stream. Its own state (the fold, the cursors, the timer) is
// used on its executor only; `pending`, `live` and `ended` under the feed's
// mutex.
class FeedWatcher final : public Watcher, public std::enable_shared_from_this<FeedWatcher> {
 public:
  FeedWatcher(std::shared_ptr<AccountFeed::Impl> feed, std::string user_id, std::optional<LogCursor> last_seen,
              asio::any_io_executor executor)
      : feed_(std::move(feed)), user_id_(std::move(user_id)), last_seen_(last_seen), executor_(std::move(executor)),
        timer_(executor_) {}

  ~FeedWatcher() override {
    const std::lock_guard lock(feed_->mutex);
    if (!ended) feed_->Remove(this, user_id_);
  }

  awaitable<std::optional<std::vector<FeedMessage>>> Next(std::chrono::milliseconds patience) override;

  // Wakes Next (from any thread).
  void Wake() {
    asio::post(executor_, [weak = weak_from_this()] {
      if (auto self = weak.lock()) self->timer_.cancel();
    });
  }

  // Under the feed's mutex:
  std::deque<WatchedEvent> pending;
  bool live = false;   // every event after `dispatched` as it stood then reaches `pending`
  bool ended = false;  // removed from the feed: dropped, or the feed stopped

 private:
  // True when the wait reached `deadline`; false when woken (or cancelled:
  // see Next).
  awaitable<bool> Wait(std::chrono::steady_clock::time_point deadline);
  awaitable<std::vector<FeedMessage>> CatchUp();
  void Take(const WatchedEvent& event, std::vector<FeedMessage>& out);
  static void Emit(const WatchedEvent& event, const domain::WatchUpdate& update, std::vector<FeedMessage>& out) {
    out.push_back({event.cursor, update, event.uploaded_at});
  }

  std::shared_ptr<AccountFeed::Impl> feed_;
  const std::string user_id_;
  const std::optional<LogCursor> last_seen_;
  asio::any_io_executor executor_;
  asio::steady_timer timer_;
  bool caught_up_ = false;
  domain::AccountWatch watch_;
  LogCursor applied_;  // events up to here are in watch_
  LogCursor emitted_;  // messages up to here were given (or were before last_seen_)
};

void AccountFeed::Impl::Remove(FeedWatcher* watcher, const std::string& user_id) {
  auto found = by_user.find(user_id);
  if (found == by_user.end()) return;
  std::erase(found->second, watcher);
  if (found->second.empty()) by_user.erase(found);
  --watching;
  watcher->ended = true;
}

void AccountFeed::Impl::MakeFresh(LogCursor tip) {
  const std::lock_guard lock(mutex);
  dispatched = tip;
  fresh = true;
  for (auto& [user, watchers] : by_user) {
    for (auto* watcher : watchers) {
      if (watcher->live) continue;
      watcher->live = true;
      watcher->Wake();
    }
  }
}

void AccountFeed::Impl::Hand(const std::vector<WatchedEvent>& events, LogCursor next) {
  const std::lock_guard lock(mutex);
  std::vector<FeedWatcher*> woken;
  std::vector<std::pair<FeedWatcher*, std::string>> slow;
  for (const auto& event : events) {
    const auto found = by_user.find(event.user_id);
    if (found == by_user.end()) continue;
    for (auto* watcher : found->second) {
      if (!watcher->live) continue;  // it reads this event itself once live
      if (watcher->pending.size() >= options.max_pending) {
        slow.emplace_back(watcher, event.user_id);
        continue;
      }
      watcher->pending.push_back(event);
      woken.push_back(watcher);
    }
  }
  for (auto& [watcher, user] : slow) {
    if (watcher->ended) continue;
    Remove(watcher, user);
    woken.push_back(watcher);
    LogLine().Add("pending", static_cast<std::int64_t>(options.max_pending)).Warn("event stream dropped: too slow a reader");
  }
  std::sort(woken.begin(), woken.end());
  woken.erase(std::unique(woken.begin(), woken.end()), woken.end());
  for (auto* watcher : woken) watcher->Wake();
  dispatched = next;
}

awaitable<void> AccountFeed::Impl::Tail() {
  auto self = shared_from_this();
  bool failing = false;
  for (;;) {
    timer.expires_after(options.poll);
    co_await timer.async_wait(kNoThrow);
    bool idle = false;
    bool need_tip = false;
    LogCursor after;
    {
      const std::lock_guard lock(mutex);
      if (stopped) co_return;
      idle = watching == 0;
      if (idle) fresh = false;
      need_tip = !fresh;
      after = dispatched;
    }
    if (idle) continue;
    try {
      if (need_tip) {
        MakeFresh(co_await RunOn(lane, [this] {
          auto connection = store.Pool().Acquire();
          return store::CommittedTip(*connection);
        }));
      } else {
        for (bool more = true; more;) {
          auto page = co_await RunOn(lane, [this, after] {
            auto connection = store.Pool().Acquire();
            return store::ReadWatchedPage(*connection, after, options.page);
          });
          Hand(page.events, page.next);
          more = page.full;
          after = page.next;
        }
      }
      if (failing) LogLine().Info("the event feed reads the log again");
      failing = false;
    } catch (const std::exception& error) {
      if (!failing) LogLine().Add("error", error.what()).Warn("the event feed cannot read the log; it tries again");
      failing = true;
    }
  }
}

awaitable<bool> FeedWatcher::Wait(std::chrono::steady_clock::time_point deadline) {
  timer_.expires_at(deadline);
  auto [error] = co_await timer_.async_wait(kNoThrow);
  co_return !error;
}

awaitable<std::vector<FeedMessage>> FeedWatcher::CatchUp() {
  struct Read {
    LogCursor tip;
    std::vector<WatchedEvent> events;
  };
  auto& store = feed_->store;
  const auto read = co_await RunOn(feed_->lane, [&store, this] {
    auto connection = store.Pool().Acquire();
    Read result;
    result.tip = store::CommittedTip(*connection);
    result.events = store::ReadUserEvents(*connection, user_id_, last_seen_.value_or(result.tip), result.tip);
    return result;
  });
  std::vector<FeedMessage> out;
  for (const auto& event : read.events) {
    auto update = watch_.Apply(event.event);
    if (update && last_seen_ && event.cursor > *last_seen_) Emit(event, *update, out);
  }
  applied_ = read.tip;
  emitted_ = std::max(read.tip, last_seen_.value_or(read.tip));
  if (!last_seen_) out.push_back({read.tip, domain::BalanceChanged{watch_.Balance()}, 0});
  co_return out;
}

void FeedWatcher::Take(const WatchedEvent& event, std::vector<FeedMessage>& out) {
  if (event.cursor <= applied_) return;  // the catch-up read it
  applied_ = event.cursor;
  auto update = watch_.Apply(event.event);
  if (!update || event.cursor <= emitted_) return;
  emitted_ = event.cursor;
  Emit(event, *update, out);
}

awaitable<std::optional<std::vector<FeedMessage>>> FeedWatcher::Next(std::chrono::milliseconds patience) {
  const auto cancelled = [](const asio::cancellation_state& state) {
    return state.cancelled() != asio::cancellation_type::none;
  };
  const auto state = co_await asio::this_coro::cancellation_state;
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (!caught_up_) {
    bool is_live = false;
    {
      const std::lock_guard lock(feed_->mutex);
      if (ended) co_return std::nullopt;
      is_live = live;
    }
    if (is_live) {
      caught_up_ = true;
      auto messages = co_await CatchUp();
      if (!messages.empty()) co_return messages;
      break;
    }
    const bool timed_out = co_await Wait(deadline);  // a wake that brought nothing does not restart it
    if (cancelled(state)) co_return std::nullopt;
    if (timed_out) co_return std::vector<FeedMessage>{};
  }
  for (;;) {
    std::deque<WatchedEvent> taken;
    bool is_ended = false;
    {
      const std::lock_guard lock(feed_->mutex);
      taken.swap(pending);
      is_ended = ended;
    }
    std::vector<FeedMessage> out;
    for (const auto& event : taken) Take(event, out);
    if (!out.empty()) co_return out;
    if (is_ended) co_return std::nullopt;
    const bool timed_out = co_await Wait(deadline);  // a wake that brought nothing does not restart it
    if (cancelled(state)) co_return std::nullopt;
    if (timed_out) co_return std::vector<FeedMessage>{};
  }
}

AccountFeed::AccountFeed(store::SqlStore& store, asio::any_io_executor lane, asio::any_io_executor home,
                         FeedOptions options)
    : impl_(std::make_shared<Impl>(store, std::move(lane), std::move(home), options)) {}

AccountFeed::~AccountFeed() {
  {
    const std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
    while (!impl_->by_user.empty()) {
      auto& [user, watchers] = *impl_->by_user.begin();
      auto* watcher = watchers.back();
      const std::string owner = user;
      impl_->Remove(watcher, owner);
      watcher->Wake();
    }
  }
  impl_->Poke();
}

void AccountFeed::Start() { asio::co_spawn(impl_->home, impl_->Tail(), LogFailure("the event feed failed")); }

domain::Result<std::shared_ptr<Watcher>, WatchRefusal> AccountFeed::Watch(const std::string& user_id,
                                                                          std::optional<LogCursor> last_seen,
                                                                          asio::any_io_executor executor) {
  std::shared_ptr<FeedWatcher> watcher;
  bool poke = false;
  {
    const std::lock_guard lock(impl_->mutex);
    if (impl_->watching >= impl_->options.max_watchers) return WatchRefusal::kTooMany;
    auto& watchers = impl_->by_user[user_id];
    if (watchers.size() >= impl_->options.max_watchers_per_user) return WatchRefusal::kTooManyForUser;
    watcher = std::make_shared<FeedWatcher>(impl_, user_id, last_seen, std::move(executor));
    watchers.push_back(watcher.get());
    ++impl_->watching;
    watcher->live = impl_->fresh;
    poke = !impl_->fresh;
  }
  if (poke) impl_->Poke();  // read the tip now rather than at the next poll
  return std::shared_ptr<Watcher>(std::move(watcher));
}

std::size_t AccountFeed::Watching() const {
  const std::lock_guard lock(impl_->mutex);
  return impl_->watching;
}

}  // namespace gm::infra::live
