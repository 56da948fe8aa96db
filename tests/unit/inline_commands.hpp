#pragma once

#include <future>
#include <thread>

#include "app/async_commands.hpp"
#include "infra/store/async_event_store.hpp"

namespace gm::testing {

// Starts an asynchronous command with `start(reply)` and waits for the
// reply; a fault is rethrown.
template <class R, class Start>
R Await(Start start) {
  std::promise<R> promise;
  auto future = promise.get_future();
  start([&promise](std::exception_ptr error, std::optional<R> outcome) {
    if (error) {
      promise.set_exception(error);
    } else {
      promise.set_value(std::move(*outcome));
    }
  });
  return future.get();
}

// Starts an asynchronous store call with `start(answer)` and waits for the
// answer; an error is rethrown.
template <class T, class Start>
T AwaitAnswer(Start start) {
  std::promise<T> promise;
  auto future = promise.get_future();
  start([&promise](std::exception_ptr error, T value) {
    if (error) {
      promise.set_exception(error);
    } else {
      promise.set_value(std::move(value));
    }
  });
  return future.get();
}

// A store's AsyncCommands run through `events` and waited for on the calling
// thread, with back-offs slept: what tests use to set data up, and to race
// commands from many threads (each with its own queue of withdrawals, so
// they really race).
class InlineCommands {
 public:
  using Registration = domain::Result<app::Done, domain::RegisterError>;
  using Upload = domain::Result<bool, domain::UploadError>;
  using Withdrawal = domain::Result<app::Done, domain::WithdrawError>;
  using Applied = domain::Result<app::Done, domain::AccrualResultError>;

  explicit InlineCommands(app::AsyncEventStore& events)
      : commands_(events, [](std::chrono::microseconds delay, std::function<void()> work) {
          std::this_thread::sleep_for(delay);
          work();
        }) {}

  Registration Register(const domain::RegisterUser& command) {
    return Await<Registration>([&](app::Reply<Registration> reply) { commands_.Register(command, std::move(reply)); });
  }
  Upload UploadOrder(const domain::UploadOrder& command) {
    return Await<Upload>([&](app::Reply<Upload> reply) { commands_.UploadOrder(command, std::move(reply)); });
  }
  Withdrawal Withdraw(const domain::WithdrawPoints& command) {
    return Await<Withdrawal>([&](app::Reply<Withdrawal> reply) { commands_.Withdraw(command, std::move(reply)); });
  }
  Applied ApplyAccrualResult(const domain::ApplyAccrualResult& command) {
    return Await<Applied>([&](app::Reply<Applied> reply) { commands_.ApplyAccrualResult(command, std::move(reply)); });
  }

 private:
  app::AsyncCommands commands_;
};

// A blocking store behind the asynchronous port, answering on the caller's
// thread.
inline infra::store::DeferredEventStore Inline(app::EventStore& store) {
  return {store, [](std::function<void()> work) { work(); }};
}

}  // namespace gm::testing
