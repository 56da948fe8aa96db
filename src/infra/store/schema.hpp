#pragma once

#include <vector>

#include "infra/store/sql/migrations.hpp"

namespace gm::infra::store {

// The loyalty service's schema (the event log, settings, read models and
// the accrual queue) in each dialect. The two differ only in column types.
const std::vector<sql::Migration>& GophermartMigrations(Dialect dialect);

}  // namespace gm::infra::store
