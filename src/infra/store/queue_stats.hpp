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

// One read of the queue at `now` (on PostgreSQL, failing after 2 s). With
// RabbitMQ the table is the outbox: once the broker confirms a row's
// publish the relay holds the row back for its hold (10 min); a refused
// publish waits only its backoff (1 s). So `unconfirmed` counts the rows
// due by `unconfirmed_until` (the caller passes `now` + twice the backoff,
// since a row rescheduled during the read may take a time a little past
// `now`): never published, being published, refused, or whose hold has run
// out or is within that margin of running out (it is published again).
QueueStats ReadQueueStats(sql::Connection& connection, domain::TimeMs now, domain::TimeMs unconfirmed_until);

}  // namespace gm::infra::store
