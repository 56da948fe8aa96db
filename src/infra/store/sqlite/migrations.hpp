#pragma once

#include <cstdint>
#include <vector>

#include "infra/store/sqlite/connection.hpp"

namespace gm::infra::sqlite {

struct Migration {
  std::int64_t version;
  const char* sql;
};

// Brings a database to the newest schema. Each migration runs once, in its
// own write transaction (BEGIN IMMEDIATE, so two processes starting at once
// serialise), and is recorded in schema_migrations. Lists are append-only.
void Migrate(Connection& connection, const std::vector<Migration>& migrations);

// The loyalty service's schema: the event log, settings, read models, queue.
extern const std::vector<Migration> kGophermartMigrations;

}  // namespace gm::infra::sqlite
