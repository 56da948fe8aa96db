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

// How many times a command decides and appends before it gives up with
// ContentionError (AsyncCommands).
inline constexpr int kMaxAttempts = 50;

}  // namespace gm::app
