#pragma once

#include <cstdint>
#include <functional>

#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// Called now and then during a replay with the events done and the total.
using ReplayProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Empties the read models and the accrual queue and replays the whole log
// into them, inside the caller's write transaction on `connection`, a page
// of events at a time. Returns the events replayed.
std::int64_t ReplayIntoReadModels(sql::Connection& connection, const ReplayProgress& progress);

}  // namespace gm::infra::store
