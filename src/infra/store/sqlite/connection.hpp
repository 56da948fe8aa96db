#pragma once

#include <string>
#include <unordered_map>

#include "infra/store/sql/sql.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace gm::infra::sqlite {

// One SQLite connection (WAL, synchronous=FULL, 10 s busy timeout) with its
// prepared statements.
class SqliteConnection final : public sql::Connection {
 public:
  explicit SqliteConnection(const std::string& path);
  ~SqliteConnection() override;
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;

  sql::Statement Prepare(const char* sql) override;
  void Execute(const std::string& sql) override;
  void BeginWrite() override { Execute("BEGIN IMMEDIATE"); }
  [[nodiscard]] std::int64_t Changes() override;
  [[nodiscard]] Dialect Kind() const override { return Dialect::kSqlite; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

}  // namespace gm::infra::sqlite
