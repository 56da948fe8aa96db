#include "infra/store/sqlite/connection.hpp"

#include <sqlite3.h>

#include <stdexcept>

namespace gm::infra::sqlite {
namespace {

[[noreturn]] void Fail(sqlite3* db, std::string_view what) {
  throw std::runtime_error("sqlite: " + std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// Resetting on release matters: a statement left mid-result would hold its
// read snapshot open and make the connection's next write fail.
class SqliteStatement final : public sql::StatementBackend {
 public:
  explicit SqliteStatement(sqlite3_stmt* handle) : handle_(handle) {}
  ~SqliteStatement() override {
    sqlite3_reset(handle_);
    sqlite3_clear_bindings(handle_);
  }
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  void Bind(int index, std::int64_t value) override {
    if (sqlite3_bind_int64(handle_, index, value) != SQLITE_OK) Fail(sqlite3_db_handle(handle_), "bind");
  }
  void Bind(int index, std::string_view value) override {
    if (sqlite3_bind_text64(handle_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8) != SQLITE_OK) {
      Fail(sqlite3_db_handle(handle_), "bind");
    }
  }
  void BindNull(int index) override {
    if (sqlite3_bind_null(handle_, index) != SQLITE_OK) Fail(sqlite3_db_handle(handle_), "bind");
  }
  bool Step() override {
    const int rc = sqlite3_step(handle_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    sqlite3* db = sqlite3_db_handle(handle_);
    const std::string message = std::string(sqlite3_errmsg(db)) + " (" + sqlite3_sql(handle_) + ")";
    const int extended = sqlite3_extended_errcode(db);
    sqlite3_reset(handle_);
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
      throw sql::UniqueViolation("sqlite: " + message);
    }
    throw std::runtime_error("sqlite: step: " + message);
  }
  [[nodiscard]] std::int64_t Int64(int column) const override { return sqlite3_column_int64(handle_, column); }
  [[nodiscard]] std::string Text(int column) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(handle_, column));
    return text ? std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(handle_, column))) : std::string();
  }
  [[nodiscard]] bool IsNull(int column) const override { return sqlite3_column_type(handle_, column) == SQLITE_NULL; }
  [[nodiscard]] int Columns() const override { return sqlite3_column_count(handle_); }

 private:
  sqlite3_stmt* handle_;
};

}  // namespace

SqliteConnection::SqliteConnection(const std::string& path) {
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open SQLite database " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10'000);
  sqlite3_extended_result_codes(db_, 1);
  Execute("PRAGMA journal_mode=WAL");
  // FULL: a commit is on disk before the client hears 200, even if the
  // machine loses power, which is what "nothing acknowledged is lost" means.
  Execute("PRAGMA synchronous=FULL");
  Execute("PRAGMA foreign_keys=ON");
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
  sqlite3_close(db_);
}

void SqliteConnection::Execute(const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error("sqlite: " + message);
  }
}

sql::Statement SqliteConnection::Prepare(const char* sql) {
  auto& statement = cache_[sql];
  if (statement == nullptr) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &statement, nullptr) != SQLITE_OK) {
      cache_.erase(sql);
      Fail(db_, std::string("prepare ") + sql);
    }
  }
  return sql::Statement(std::make_unique<SqliteStatement>(statement));
}

std::int64_t SqliteConnection::Changes() { return sqlite3_changes64(db_); }

}  // namespace gm::infra::sqlite
