#pragma once

#include <stdexcept>

// The faults a command or query can meet that are nobody's mistake and
// worth retrying later: the HTTP layer answers both with 503 and
// Retry-After. Refusals (bad input, not enough points) are values instead.
namespace gm::app {

// Optimistic concurrency kept losing: too many writers on one stream.
class ContentionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The store cannot be reached now (a lost or refused connection). Adapters
// throw it; whether a write that met it committed is unknown.
class StoreUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace gm::app
