#pragma once

#include <optional>
#include <stdexcept>

#include "app/ports.hpp"
#include "domain/order.hpp"
#include "domain/result.hpp"
#include "domain/user.hpp"
#include "domain/withdrawal.hpp"

namespace gm::app {

struct Done {};

// Raised when optimistic concurrency keeps losing: a fault, not a refusal.
class ContentionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Command handlers: load the streams a decision needs, fold them, decide,
// and append at the versions read. A version conflict means another writer
// moved one of the streams: reload and decide again, a bounded number of
// times. That one rule keeps money right across threads and instances.
//
// These block the calling thread: only accrual results (a background
// worker) are here. The commands of requests (registration, uploads,
// withdrawals) are AsyncCommands.
class Commands {
 public:
  explicit Commands(EventStore& store) : store_(store) {}

  domain::Result<Done, domain::AccrualResultError> ApplyAccrualResult(const domain::ApplyAccrualResult& command);

  static constexpr int kMaxAttempts = 50;

 private:
  EventStore& store_;
};

}  // namespace gm::app
