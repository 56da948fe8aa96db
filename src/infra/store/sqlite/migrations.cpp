#include "infra/store/sqlite/migrations.hpp"

namespace gm::infra::sqlite {

void Migrate(Connection& connection, const std::vector<Migration>& migrations) {
  connection.Execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)");
  for (const auto& migration : migrations) {
    WriteTransaction transaction(connection);
    auto applied = connection.Prepare("SELECT 1 FROM schema_migrations WHERE version = ?");
    applied.Bind(1, migration.version);
    if (applied.Step()) continue;
    connection.Execute(migration.sql);
    connection.Prepare("INSERT INTO schema_migrations (version) VALUES (?)").Bind(1, migration.version).Run();
    transaction.Commit();
  }
}

}  // namespace gm::infra::sqlite
