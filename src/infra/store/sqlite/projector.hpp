#pragma once

#include <cstdint>

#include "domain/events.hpp"
#include "infra/store/sqlite/connection.hpp"

namespace gm::infra::sqlite {

// Tables the projector owns; rebuilding empties exactly these.
inline constexpr const char* kProjectionTables[] = {"users_view", "orders_view", "balances_view", "withdrawals_view",
                                                    "accrual_queue"};

// Applies one event to the read models, inside the caller's transaction.
void Project(Connection& connection, const domain::Event& event, std::int64_t position);

}  // namespace gm::infra::sqlite
