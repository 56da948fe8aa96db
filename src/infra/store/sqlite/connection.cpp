#include "infra/store/sqlite/connection.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace gm::infra::sqlite {
namespace {

[[noreturn]] void Fail(sqlite3* db, std::string_view what) {
  throw std::runtime_error("sqlite: " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

}  // namespace

Statement::~Statement() {
  if (handle_ != nullptr) {
    sqlite3_reset(handle_);
    sqlite3_clear_bindings(handle_);
  }
}

Statement& Statement::Bind(int index, std::int64_t value) {
  if (sqlite3_bind_int64(handle_, index, value) != SQLITE_OK) Fail(sqlite3_db_handle(handle_), "bind");
  return *this;
}

Statement& Statement::Bind(int index, std::string_view value) {
  if (sqlite3_bind_text64(handle_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
    Fail(sqlite3_db_handle(handle_), "bind");
  }
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (sqlite3_bind_null(handle_, index) != SQLITE_OK) Fail(sqlite3_db_handle(handle_), "bind");
  return *this;
}

bool Statement::Step() {
  const int rc = sqlite3_step(handle_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  sqlite3* db = sqlite3_db_handle(handle_);
  const std::string message = std::string(sqlite3_errmsg(db)) + " (" + sqlite3_sql(handle_) + ")";
  sqlite3_reset(handle_);
  throw std::runtime_error("sqlite: step: " + message);
}

void Statement::Run() {
  while (Step()) {
  }
}

std::int64_t Statement::Int64(int column) const { return sqlite3_column_int64(handle_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(handle_, column));
  return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(handle_, column))) : std::string();
}

bool Statement::IsNull(int column) const { return sqlite3_column_type(handle_, column) == SQLITE_NULL; }

Connection::Connection(const std::string& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open SQLite database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10'000);
  Execute("PRAGMA journal_mode=WAL");
  // FULL: a commit is on disk before the client hears 200, even if the
  // machine loses power, which is what "nothing acknowledged is lost" means.
  Execute("PRAGMA synchronous=FULL");
  Execute("PRAGMA foreign_keys=ON");
}

Connection::~Connection() {
  for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

void Connection::Execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("sqlite: " + message);
  }
}

Statement Connection::Prepare(const char* sql) {
  auto& statement = cache_[sql];
  if (statement == nullptr) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
      cache_.erase(sql);
      Fail(db_, std::string("prepare ") + sql);
    }
  }
  return Statement(statement);
}

std::int64_t Connection::LastInsertRowId() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t Connection::Changes() const { return sqlite3_changes64(db_); }

WriteTransaction::WriteTransaction(Connection& connection) : connection_(connection) {
  connection_.Execute("BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
  if (!done_) {
    try {
      connection_.Execute("ROLLBACK");
    } catch (const std::exception&) {
      // A failed ROLLBACK leaves SQLite to roll back on the next statement;
      // throwing from a destructor would terminate the process instead.
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
      return Lease(*this, std::move(connection));
    }
  }
  return Lease(*this, std::make_unique<Connection>(path_));
}

void ConnectionPool::Release(std::unique_ptr<Connection> connection) {
  if (!connection) return;
  std::lock_guard lock(mutex_);
  idle_.push_back(std::move(connection));
}

}  // namespace gm::infra::sqlite
