#pragma once

#include <optional>

#include "app/faults.hpp"
#include "app/ports.hpp"
#include "domain/order.hpp"
#include "domain/result.hpp"
#include "domain/user.hpp"
#include "domain/withdrawal.hpp"

namespace gm::app {

struct Done {};

// How many times a command decides and appends before it gives up with
// ContentionError (CommandService).
inline constexpr int kMaxAttempts = 50;

}  // namespace gm::app
