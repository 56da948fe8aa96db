#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/events.hpp"
#include "domain/order.hpp"

// The interfaces the application needs from the outside world. Adapters in
// infra/ implement them; nothing here knows about SQL or sockets.
namespace gm::app {

// Expected version of a stream that must not exist yet.
inline constexpr std::int64_t kNoStream = 0;
// Append wherever the stream currently ends (no concurrency check).
inline constexpr std::int64_t kAnyVersion = -1;

struct LoadedStream {
  std::int64_t version = 0;  // number of events in the stream
  std::vector<domain::Event> events;
};

struct StreamAppend {
  std::string stream;
  std::int64_t expected_version = kNoStream;
  std::vector<domain::Event> events;
};

enum class AppendOutcome { kAppended, kVersionConflict };

// A stream's state and version without replaying the stream.
struct AccountSnapshot {
  domain::AccountState state;
  std::int64_t version = 0;  // of the account stream
};

struct UserCredentialsView {
  std::string user_id;
  std::string password_hash;
};

struct OrderView {
  std::string number;
  domain::OrderStatus status = domain::OrderStatus::kNew;
  domain::Points accrual;
  domain::TimeMs uploaded_at = 0;
};

struct BalanceView {
  domain::Points current;
  domain::Points withdrawn;
};

struct WithdrawalView {
  std::string order;
  domain::Points sum;
  domain::TimeMs processed_at = 0;
};

// A list's items in pages, so that an answer of any length is read, and
// sent, a page at a time.
template <class View>
struct ListPage {
  std::vector<View> items;
  // Where the next page starts (the key of this page's last item, as the
  // adapter has it); empty: there is none.
  std::string next;
};

// The asynchronous ports below answer as Asio coroutines (decision 0010):
// the caller co_awaits the call and resumes on its own executor, with the
// value or with the fault thrown. Arguments passed by reference must outlive
// the call: await it at once, in the same expression, and pass named
// objects, not temporaries (GCC 12 destroys a temporary bound to a
// reference inside a co_await expression twice).
template <class T>
using Async = boost::asio::awaitable<T>;

// The query side: projections kept in step with the log. PostgreSQL
// answers over an event-loop pipeline, SQLite on a lane of its own; neither
// blocks the caller.
class AsyncReadModels {
 public:
  virtual ~AsyncReadModels() = default;
  virtual Async<std::optional<UserCredentialsView>> FindUserByLogin(const std::string& login) = 0;
  // A page of the user's orders, newest first, from after `after` (empty:
  // from the newest; or a page's next).
  virtual Async<ListPage<OrderView>> OrdersOf(const std::string& user_id, std::string after) = 0;
  virtual Async<BalanceView> BalanceOf(const std::string& user_id) = 0;
  virtual Async<ListPage<WithdrawalView>> WithdrawalsOf(const std::string& user_id, std::string after) = 0;
  // A page of the user's account stream as it is in the log, oldest first,
  // from after `after` (empty: from the start; or a page's next): what the
  // points history and the balance at an instant are folded from.
  virtual Async<ListPage<domain::Event>> AccountEventsOf(const std::string& user_id, std::string after) = 0;
};

// The event store (see AsyncReadModels on how it answers).
class AsyncEventStore {
 public:
  virtual ~AsyncEventStore() = default;
  virtual Async<LoadedStream> Load(const std::string& stream) = 0;
  // The account stream folded, read from its projection (which every
  // append updates in the same transaction): one row however many credits
  // and withdrawals the account has seen.
  virtual Async<AccountSnapshot> LoadAccount(const std::string& user_id) = 0;
  // An append goes out whole: its events and their projections commit
  // together, or none does.
  virtual Async<AppendOutcome> Append(std::vector<StreamAppend> appends) = 0;
};

struct PendingOrder {
  std::string number;
  int attempts = 0;
};

// Orders waiting for a final answer from the accrual system (see
// AsyncReadModels on how it answers). Rows appear with OrderUploaded and
// leave with the final status, in the same transaction, so the log doubles
// as the outbox.
class AsyncAccrualQueue {
 public:
  virtual ~AsyncAccrualQueue() = default;
  // Takes up to `limit` orders due at `now`, hiding them from other
  // claimers until `lease_until`, so a crashed worker's orders come back.
  virtual Async<std::vector<PendingOrder>> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until,
                                                    std::size_t limit) = 0;
  virtual Async<void> Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) = 0;
  // True while the order waits for a final answer (its row is there).
  virtual Async<bool> IsPending(const std::string& number) = 0;
  // The claimed order reached its final status (which took it off the
  // table in the same transaction): a broker's message of it is settled.
  virtual Async<void> Complete(const std::string& /*number*/) { co_return; }
  // Handling the claimed order failed: a broker gives its message back at
  // once (a table's lease simply runs out).
  virtual Async<void> Abandon(const std::string& /*number*/) { co_return; }
};

}  // namespace gm::app
