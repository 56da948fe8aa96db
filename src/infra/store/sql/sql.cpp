#include "infra/store/sql/sql.hpp"

#include <charconv>

#include "infra/store/postgres/connection.hpp"
#include "infra/store/sqlite/connection.hpp"

namespace gm::infra::sql {

std::int64_t ParseInt64(std::string_view text, int column) {
  std::int64_t value = 0;
  const auto [stop, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || stop != text.data() + text.size() || text.empty()) {
    throw std::runtime_error("column " + std::to_string(column) + " is not a 64-bit integer: '" + std::string(text) +
                             "'");
  }
  return value;
}

WriteTransaction::WriteTransaction(Connection& connection) : connection_(connection) { connection_.BeginWrite(); }

WriteTransaction::~WriteTransaction() {
  if (!done_) {
    try {
      connection_.Execute("ROLLBACK");
    } catch (const std::exception&) {
      // A failed ROLLBACK leaves the database to roll back when the
      // connection goes; throwing from a destructor would end the process.
    }
  }
}

void WriteTransaction::Commit() {
  connection_.Execute("COMMIT");
  done_ = true;
}

ConnectionPool::Lease ConnectionPool::Acquire() {
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto connection = std::move(idle_.back());
      idle_.pop_back();
      connection->AnswerWithin(std::chrono::milliseconds(answer_within_ms_.load()));
      return Lease(*this, std::move(connection));
    }
  }
  auto connection = factory_();
  connection->AnswerWithin(std::chrono::milliseconds(answer_within_ms_.load()));
  return Lease(*this, std::move(connection));
}

bool ConnectionPool::Ping() {
  auto connection = Acquire();
  auto statement = connection->Prepare("SELECT 1");
  return statement.Step() && statement.Int64(0) == 1;
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
  if (!connection || !connection->Reusable()) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

std::unique_ptr<ConnectionPool> OpenPool(const DatabaseLocation& location) {
  std::unique_ptr<ConnectionPool> pool;
  switch (location.dialect) {
    case Dialect::kSqlite:
      pool = std::make_unique<ConnectionPool>(
          Dialect::kSqlite, [path = location.target] { return std::make_unique<sqlite::SqliteConnection>(path); });
      break;
    case Dialect::kPostgres:
      pool = std::make_unique<ConnectionPool>(
          Dialect::kPostgres, [uri = location.target] { return std::make_unique<postgres::PgConnection>(uri); });
      break;
  }
  { auto probe = pool->Acquire(); }
  return pool;
}

}  // namespace gm::infra::sql
