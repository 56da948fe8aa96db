#pragma once

#include <string>
#include <type_traits>
#include <vector>

#include "app/ports.hpp"
#include "infra/config/database_location.hpp"
#include "infra/store/sql/recorder.hpp"
#include "infra/store/sql_rows.hpp"

namespace gm::infra::store {

// A statement an executor runs by name. Placeholders are `?` or `?N`.
struct SqlQuery {
  const char* name;  // unique among the statements of one executor
  const char* sql;
  // Where SQLite needs other SQL (PostgreSQL's SKIP LOCKED, arrays).
  const char* sqlite_sql = nullptr;
  // PostgreSQL's form for many keys at once (postgres::PgStatementText::many_sql).
  const char* many_sql = nullptr;

  [[nodiscard]] const char* For(Dialect dialect) const {
    return dialect == Dialect::kSqlite && sqlite_sql != nullptr ? sqlite_sql : sql;
  }
};

// The text parameters of a query, built by a call rather than a braced list
// where a coroutine awaits the query: GCC 12 cannot keep an initializer
// list's array alive across a suspension ("array used as initializer").
template <class... Texts>
std::vector<std::string> Params(Texts&&... texts) {
  std::vector<std::string> params;
  params.reserve(sizeof...(texts));
  (params.emplace_back(std::forward<Texts>(texts)), ...);
  return params;
}

// What the event store, the read models and the accrual queue run their SQL
// on, without blocking the caller: PostgreSQL's event-loop pipeline
// (PipelineExecutor) or a lane of threads that may block (LaneExecutor,
// SQLite). The caller resumes on its own executor; faults are thrown:
// app::StoreUnavailable when the database cannot be reached.
class SqlExecutor {
 public:
  virtual ~SqlExecutor() = default;
  // Runs `query` (which lives as long as the executor: a constant) with
  // text parameters, as a transaction of its own, and answers its rows.
  // A query may be sent again after a lost connection (the pipeline's
  // rule), so one that writes must be safe to run twice.
  virtual app::Async<SqlRows> Run(const SqlQuery& query, std::vector<std::string> params) = 0;
  // Runs recorded writes (sql::Recorder) as one transaction: all of them
  // commit or none does. Throws sql::UniqueViolation when one breaks a
  // unique constraint; never sends them twice.
  virtual app::Async<void> Commit(std::vector<sql::RecordedStatement> writes) = 0;
  [[nodiscard]] virtual Dialect Kind() const = 0;
};

// Runs `query` and answers what `read` makes of its rows: the whole of a
// read. The rows are named before they are read (GCC 12 mishandles a
// temporary bound to a reference in a co_await's full expression).
template <class Read>
auto RunAndRead(SqlExecutor& executor, const SqlQuery& query, std::vector<std::string> params, Read read)
    -> app::Async<std::invoke_result_t<Read, const SqlRows&>> {
  const auto rows = co_await executor.Run(query, std::move(params));
  co_return read(rows);
}

}  // namespace gm::infra::store
