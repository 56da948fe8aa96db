#pragma once

#include <algorithm>
#include <boost/asio.hpp>
#include <exception>
#include <memory>
#include <optional>
#include <string_view>
#include <type_traits>
#include <vector>

#include "infra/observability/log.hpp"

// Small coroutine helpers shared by the background loops.
namespace gm::infra {

// The completion handler of a coroutine nobody awaits, in place of
// `detached`, which drops the exception of one that threw: that goes to the
// log as an error, with `what` as the message. (`what` must outlive it: a
// string literal.)
class LogFailure {
 public:
  explicit LogFailure(std::string_view what) : what_(what) {}

  void operator()(std::exception_ptr error) const {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& failure) {
      LogLine().Add("error", failure.what()).Error(what_);
    } catch (...) {
      LogLine().Add("error", "not a std::exception").Error(what_);
    }
  }

 private:
  std::string_view what_;
};

// Runs blocking `work` on `lane` (an executor of a thread pool) and resumes
// the caller on its own executor with the value, or the exception thrown.
// (co_spawn wants a default-constructible result, hence the optional.)
// The caller's cancellation does not reach the lane: blocking work cannot
// stop midway, and Boost 1.81's co_spawn would post the cancel to the pool
// with a pointer into the caller's slot, which the caller frees on resuming
// (an event stream whose client leaves during its catch-up read).
template <class Work>
boost::asio::awaitable<std::invoke_result_t<Work>> RunOn(boost::asio::any_io_executor lane, Work work) {
  using R = std::invoke_result_t<Work>;
  auto result = co_await boost::asio::co_spawn(
      std::move(lane), [&work]() -> boost::asio::awaitable<std::optional<R>> { co_return work(); },
      boost::asio::bind_cancellation_slot(boost::asio::cancellation_slot(), boost::asio::use_awaitable));
  co_return std::move(*result);
}

// Starts `start(reply)`, a call that answers `reply(error, value)` once, on
// any thread, and resumes the caller on its own executor with the value;
// the error is thrown. How a callback of a C library's loop (the PostgreSQL
// pipeline) becomes a coroutine. (Not a coroutine itself: the caller
// awaits the initiation directly, with no extra frame of ours.)
template <class T, class Start>
boost::asio::awaitable<T> Asked(Start start) {
  return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(std::exception_ptr, T)>(
      [start = std::move(start)](auto handler) mutable {
        auto resume = std::make_shared<decltype(handler)>(std::move(handler));
        start([resume](std::exception_ptr error, T value) {
          auto executor = boost::asio::get_associated_executor(*resume);
          boost::asio::dispatch(
              executor, [resume, error, value = std::move(value)]() mutable { (*resume)(error, std::move(value)); });
        });
      },
      boost::asio::use_awaitable);
}

// Sleeps that WakeAll() cuts short: idle loops nap, and new work wakes them.
// Not thread-safe: use from one strand.
class Sleepers {
 public:
  boost::asio::awaitable<void> Sleep(boost::asio::steady_timer& timer, boost::asio::steady_timer::duration duration) {
    timer.expires_after(duration);
    // Unlisted on the way out even when the coroutine is destroyed mid-sleep
    // (at shutdown), so WakeAll never touches a timer that is gone.
    struct Listed {
      std::vector<boost::asio::steady_timer*>& list;
      boost::asio::steady_timer* timer;
      ~Listed() { std::erase(list, timer); }
    } listed{sleeping_, &timer};
    sleeping_.push_back(&timer);
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }

  void WakeAll() {
    for (auto* timer : sleeping_) timer->cancel();
  }
  // The one asleep longest: for a turn that only one can take. Unlisted at
  // once, so a second call before it resumes wakes another.
  void WakeOne() {
    if (sleeping_.empty()) return;
    sleeping_.front()->cancel();
    sleeping_.erase(sleeping_.begin());
  }

 private:
  std::vector<boost::asio::steady_timer*> sleeping_;
};

}  // namespace gm::infra
