#pragma once

#include "app/commands.hpp"
#include "app/ports.hpp"
#include "app/stream_turns.hpp"

namespace gm::app {

// Command handlers in the shape of Eventuous' command service: load the
// streams a decision needs (both at once where there are two), fold them,
// decide, and append at the versions read. A version conflict means another
// writer moved one of the streams: load and decide again, after a short
// random pause, at most kMaxAttempts times. That one rule keeps money right
// across threads and instances. Refusals are values; a fault (the store
// unavailable, ContentionError) is thrown.
class CommandService {
 public:
  explicit CommandService(AsyncEventStore& store) : store_(store) {}

  Async<domain::Result<Done, domain::RegisterError>> Register(const domain::RegisterUser& command);
  // Value: true when the order is new, false when this user uploaded it before.
  Async<domain::Result<bool, domain::UploadError>> UploadOrder(const domain::UploadOrder& command);
  // Withdrawals from one account take turns within this process, so they
  // do not race each other; only other instances (and credits) can still
  // move the account under them, and then the retry takes over.
  Async<domain::Result<Done, domain::WithdrawError>> Withdraw(const domain::WithdrawPoints& command);
  // An answer of the accrual system; a final one credits the account once.
  Async<domain::Result<Done, domain::AccrualResultError>> ApplyAccrualResult(
      const domain::ApplyAccrualResult& command);

 private:
  // Appends; false after a version conflict.
  Async<bool> Appended(std::vector<StreamAppend> appends);
  // After the `attempt`-th conflict: a short random pause, or
  // ContentionError once the attempts are spent.
  static Async<void> AfterConflict(int attempt);

  AsyncEventStore& store_;
  StreamTurns accounts_;
};

}  // namespace gm::app
