#pragma once

#include <string>

namespace gm::infra {

enum class Dialect { kSqlite, kPostgres };

// Where the data lives, from DATABASE_URI. Configuration parses it; the
// store opens it.
struct DatabaseLocation {
  Dialect dialect = Dialect::kSqlite;
  std::string target;  // a SQLite file path, or a PostgreSQL connection URI
};

}  // namespace gm::infra
