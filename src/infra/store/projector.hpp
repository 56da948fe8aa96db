#pragma once

#include <cstdint>
#include <optional>

#include "domain/events.hpp"
#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// Tables the projector owns; rebuilding empties exactly these.
inline constexpr const char* kProjectionTables[] = {"users_view", "orders_view", "balances_view", "withdrawals_view",
                                                    "accrual_queue"};

// Applies one event to the read models, inside the caller's transaction.
// `position` is the event's place in the log; without it, the event is the
// one this connection inserted last (last_insert_rowid(): SQLite's own, a
// function over lastval() on PostgreSQL), so an append needs no answer
// from its insert and can be sent in one round trip with its projections.
// Hence: no projection inserts into a rowid table or calls nextval() before
// it reads the position.
void Project(sql::Connection& connection, const domain::Event& event, std::optional<std::int64_t> position);

}  // namespace gm::infra::store
