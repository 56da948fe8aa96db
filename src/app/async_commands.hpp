#pragma once

#include <chrono>
#include <exception>
#include <functional>
#include <optional>

#include "app/commands.hpp"
#include "app/keyed_queue.hpp"
#include "app/ports.hpp"

namespace gm::app {

// Runs `work` after `delay` without holding up the caller (on the service,
// a timer on the event loop).
using Later = std::function<void(std::chrono::microseconds delay, std::function<void()> work)>;

// A command's outcome, or the fault that prevented one: exactly one is set.
template <class R>
using Reply = std::function<void(std::exception_ptr error, std::optional<R> outcome)>;

// Command handlers: load the streams a decision needs, fold them, decide,
// and append at the versions read. A version conflict means another writer
// moved one of the streams: load and decide again, at most kMaxAttempts
// times. That one rule keeps money right across threads and instances. No
// thread waits: each step continues when the store answers. `reply` runs
// exactly once, on any thread. A fault (the database unavailable,
// ContentionError) is the error; refusals are values.
class AsyncCommands {
 public:
  AsyncCommands(AsyncEventStore& store, Later later) : store_(store), later_(std::move(later)) {}

  void Register(const domain::RegisterUser& command, Reply<domain::Result<Done, domain::RegisterError>> reply);
  // Value: true when the order is new, false when this user uploaded it before.
  void UploadOrder(const domain::UploadOrder& command, Reply<domain::Result<bool, domain::UploadError>> reply);
  // Withdrawals from one account take turns within this process, so they
  // do not race each other; only other instances (and credits) can still
  // move the account under them, and then the retry takes over.
  void Withdraw(const domain::WithdrawPoints& command, Reply<domain::Result<Done, domain::WithdrawError>> reply);
  // An answer of the accrual system; a final one credits the account once.
  void ApplyAccrualResult(const domain::ApplyAccrualResult& command,
                          Reply<domain::Result<Done, domain::AccrualResultError>> reply);

 private:
  // Decides on a stream as loaded, then appends or refuses through `then`.
  template <class R>
  using Decide = std::function<void(const LoadedStream& loaded, Reply<R> then)>;
  // Whether the first attempt reads the stream or assumes it is new (for a
  // command that usually creates its stream).
  enum class FirstAttempt { kLoad, kAssumeNew };
  // Decide-and-append on one stream, with the retries.
  template <class R>
  void OnStream(std::string stream, FirstAttempt first, Decide<R> decide, Reply<R> reply);
  template <class R>
  void AppendThen(std::vector<StreamAppend> appends, R outcome, Reply<R> reply);

  AsyncEventStore& store_;
  Later later_;
  KeyedQueue accounts_;
};

}  // namespace gm::app
