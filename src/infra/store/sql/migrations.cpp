#include "infra/store/sql/migrations.hpp"

namespace gm::infra::sql {
namespace {

// Any constant shared by every process of this project.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(7170420231125)";

void Serialise(Connection& connection) {
  switch (connection.Kind()) {
    case Dialect::kSqlite:
      return;  // BEGIN IMMEDIATE already holds the only write lock
    case Dialect::kPostgres:
      connection.Execute(kMigrationLock);
      return;
  }
}

}  // namespace

void Migrate(Connection& connection, const std::vector<Migration>& migrations) {
  {
    WriteTransaction transaction(connection);
    Serialise(connection);
    connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)");
    transaction.Commit();
  }
  for (const auto& migration : migrations) {
    WriteTransaction transaction(connection);
    Serialise(connection);
    auto applied = connection.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    applied.Bind(1, migration.version);
    if (applied.Step()) continue;
    connection.Execute(migration.sql);
    connection.Prepare("INSERT INTO schema_migrations (version) VALUES (?)").Bind(1, migration.version).Run();
    transaction.Commit();
  }
}

}  // namespace gm::infra::sql
