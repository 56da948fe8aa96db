#pragma once

#include <string>
#include <unordered_map>

#include "infra/store/sql/sql.hpp"

struct pg_conn;

namespace gm::infra::postgres {

// One libpq connection with its prepared statements. Parameters and results
// travel as text; `?`/`?N` placeholders become `$N`. Blocking: used on the
// database lane like SQLite (an Asio-integrated pipeline is future work).
class PgConnection final : public sql::Connection {
 public:
  explicit PgConnection(const std::string& uri);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  sql::Statement Prepare(const char* sql) override;
  void Execute(const std::string& sql) override;
  void BeginWrite() override { Execute("BEGIN"); }
  [[nodiscard]] std::int64_t Changes() const override { return changes_; }
  [[nodiscard]] sql::Dialect Kind() const override { return sql::Dialect::kPostgres; }
  [[nodiscard]] bool Reusable() const override;

  // Set by statements as they run.
  void RecordChanges(std::int64_t changes) { changes_ = changes; }

 private:
  pg_conn* connection_ = nullptr;
  std::unordered_map<const char*, std::string> prepared_;  // sql literal -> statement name
  std::int64_t changes_ = 0;
};

// SQLSTATEs that say "not now" rather than "wrong": connection exceptions
// (08…), insufficient resources (53…), shutdowns (57P…; a terminated
// backend's last answer is 57P01).
bool IsUnavailableState(const char* sqlstate);

// "SELECT ?1, ?" -> "SELECT $1, $2": numbered placeholders keep their number,
// bare ones count up. Quoted text is left alone.
std::string ToDollarPlaceholders(std::string_view sql);

}  // namespace gm::infra::postgres
