#pragma once

#include <cstdint>

#include "domain/events.hpp"
#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// The accrual queue as an operator sees it, across every instance.
struct QueueStats {
  std::int64_t depth = 0;             // orders not yet final
  std::int64_t oldest_age_ms = 0;     // since the oldest of them was uploaded; 0 when none
  std::int64_t unconfirmed = 0;       // rows due by `unconfirmed_until` (see ReadQueueStats)
};

// One read of the queue at `now`. With RabbitMQ the table is the outbox:
// the relay holds a row back for a long hold (10 min) once the broker
// confirms its publish, and for a short backoff (1 s) otherwise, so rows
// due by `unconfirmed_until`, a little past `now` + that backoff, are those
// whose publish is not yet confirmed (or whose hold is about to run out,
// when the relay publishes them again).
QueueStats ReadQueueStats(sql::Connection& connection, domain::TimeMs now, domain::TimeMs unconfirmed_until);

}  // namespace gm::infra::store
