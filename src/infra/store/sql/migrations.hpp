#pragma once

#include <cstdint>
#include <vector>

#include "infra/store/sql/sql.hpp"

namespace gm::infra::sql {

struct Migration {
  std::int64_t version;
  const char* sql;
};

// Brings a database to the newest schema. Each migration runs once, in its
// own write transaction, and is recorded in schema_migrations. Two processes
// starting at once serialise: BEGIN IMMEDIATE on SQLite, an advisory lock
// on PostgreSQL. Lists are append-only.
void Migrate(Connection& connection, const std::vector<Migration>& migrations);

}  // namespace gm::infra::sql
