#pragma once

#include <cstdint>

#include "domain/events.hpp"
#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// Tables the projector owns; rebuilding empties exactly these.
inline constexpr const char* kProjectionTables[] = {"users_view", "orders_view", "balances_view", "withdrawals_view",
                                                    "accrual_queue"};

// Applies one event to the read models, inside the caller's transaction.
void Project(sql::Connection& connection, const domain::Event& event, std::int64_t position);

}  // namespace gm::infra::store
