#pragma once

#include "infra/store/sqlite/connection.hpp"

namespace gm::infra::sqlite {

// Brings the schema to the newest version. Each migration runs once, in its
// own write transaction, and is recorded in schema_migrations.
void Migrate(Connection& connection);

}  // namespace gm::infra::sqlite
