#pragma once

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <deque>
#include <mutex>
#include <optional>
#include <type_traits>

#include "app/command_service.hpp"
#include "domain/order_number.hpp"
#include "infra/store/accrual_queue.hpp"
#include "infra/store/event_store.hpp"
#include "infra/store/lane_executor.hpp"
#include "infra/store/read_models.hpp"
#include "infra/store/sql_store.hpp"

namespace gm::testing {

// `prefix` and the digit that makes it pass the Luhn check.
inline std::string LuhnComplete(const std::string& prefix) {
  for (char last = '0'; last <= '9'; ++last) {
    if (domain::PassesLuhn(prefix + last)) return prefix + last;
  }
  return prefix;
}

// The calling thread's event loop for Run. It outlives every Run of the
// thread: a thread that answers a Run may still be inside its post when the
// Run has returned, so the loop is destroyed only when the tests end.
inline boost::asio::io_context& ThisThreadsLoop() {
  static std::mutex mutex;
  static std::deque<boost::asio::io_context> loops;
  thread_local boost::asio::io_context* loop = nullptr;
  if (loop == nullptr) {
    const std::lock_guard lock(mutex);
    loop = &loops.emplace_back(1);
  }
  return *loop;
}

// Runs `work` to its end on the calling thread's event loop and returns its
// value; what it throws is rethrown. Whatever `work` awaits resumes it on
// that loop.
template <class T>
T Run(boost::asio::awaitable<T> work) {
  auto& loop = ThisThreadsLoop();
  loop.restart();
  if constexpr (std::is_void_v<T>) {
    auto done = boost::asio::co_spawn(loop, std::move(work), boost::asio::use_future);
    loop.run();
    done.get();
  } else {
    // co_spawn wants a default-constructible result, hence the optional.
    auto result = boost::asio::co_spawn(
        loop, [&work]() -> boost::asio::awaitable<std::optional<T>> { co_return co_await std::move(work); },
        boost::asio::use_future);
    loop.run();
    return std::move(*result.get());
  }
}

// A store's CommandService with each command run to its end on the calling
// thread (Run): what tests use to set data up, and to race commands from
// many threads (each with its own service, so its withdrawals do not take
// turns with the others' and really race).
class InlineCommands {
 public:
  using Registration = domain::Result<app::Done, domain::RegisterError>;
  using Upload = domain::Result<bool, domain::UploadError>;
  using Withdrawal = domain::Result<app::Done, domain::WithdrawError>;
  using Applied = domain::Result<app::Done, domain::AccrualResultError>;

  explicit InlineCommands(app::AsyncEventStore& events) : commands_(events) {}

  Registration Register(const domain::RegisterUser& command) { return Run(commands_.Register(command)); }
  Upload UploadOrder(const domain::UploadOrder& command) { return Run(commands_.UploadOrder(command)); }
  Withdrawal Withdraw(const domain::WithdrawPoints& command) { return Run(commands_.Withdraw(command)); }
  Applied ApplyAccrualResult(const domain::ApplyAccrualResult& command) {
    return Run(commands_.ApplyAccrualResult(command));
  }

 private:
  app::CommandService commands_;
};

// The lane that blocking stores answer on in tests.
inline boost::asio::thread_pool& TestLane() {
  static boost::asio::thread_pool lane(8);
  return lane;
}

// A store's adapters over the lane executor on the test lane, and each of
// their calls run to its end (Run): how tests set data up and read it back.
class StoreOnLane {
 public:
  explicit StoreOnLane(infra::store::SqlStore& store)
      : executor_(store.Pool(), TestLane().get_executor()), events_(executor_), models_(executor_), queue_(executor_) {}
  StoreOnLane(const StoreOnLane&) = delete;
  StoreOnLane& operator=(const StoreOnLane&) = delete;

  infra::store::SqlExecutor& Executor() { return executor_; }
  app::AsyncEventStore& Events() { return events_; }

  app::LoadedStream Load(const std::string& stream) { return Run(events_.Load(stream)); }
  app::AccountSnapshot LoadAccount(const std::string& user_id) { return Run(events_.LoadAccount(user_id)); }
  app::AppendOutcome Append(std::vector<app::StreamAppend> appends) { return Run(events_.Append(std::move(appends))); }
  std::optional<app::UserCredentialsView> FindUserByLogin(const std::string& login) {
    return Run(models_.FindUserByLogin(login));
  }
  // The first page of a list; a page further on with `after`.
  std::vector<app::OrderView> OrdersOf(const std::string& user_id) { return OrdersPage(user_id, {}).items; }
  app::ListPage<app::OrderView> OrdersPage(const std::string& user_id, std::string after) {
    return Run(models_.OrdersOf(user_id, std::move(after)));
  }
  app::BalanceView BalanceOf(const std::string& user_id) { return Run(models_.BalanceOf(user_id)); }
  std::vector<app::WithdrawalView> WithdrawalsOf(const std::string& user_id) {
    return WithdrawalsPage(user_id, {}).items;
  }
  app::ListPage<app::WithdrawalView> WithdrawalsPage(const std::string& user_id, std::string after) {
    return Run(models_.WithdrawalsOf(user_id, std::move(after)));
  }
  std::vector<domain::Event> AccountEventsOf(const std::string& user_id) {
    return AccountEventsPage(user_id, {}).items;
  }
  app::ListPage<domain::Event> AccountEventsPage(const std::string& user_id, std::string after) {
    return Run(models_.AccountEventsOf(user_id, std::move(after)));
  }
  std::vector<app::PendingOrder> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit) {
    return Run(queue_.ClaimDue(now, lease_until, limit));
  }
  void Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) {
    Run(queue_.Reschedule(number, attempts, next_attempt_at));
  }

 private:
  infra::store::LaneExecutor executor_;
  infra::store::SqlEventStore events_;
  infra::store::SqlReadModels models_;
  infra::store::SqlAccrualQueue queue_;
};

}  // namespace gm::testing
