#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "infra/store/sql/recorder.hpp"

struct pg_result;

namespace boost::asio {
class io_context;
}

namespace gm::infra::postgres {

// The rows of one answer. Cheap to copy; columns are 0-based.
class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(std::shared_ptr<pg_result> result) : result_(std::move(result)) {}
  [[nodiscard]] int Size() const;
  [[nodiscard]] std::string Text(int row, int column) const;
  [[nodiscard]] std::int64_t Int64(int row, int column) const;
  [[nodiscard]] bool IsNull(int row, int column) const;

 private:
  std::shared_ptr<pg_result> result_;
};

// A statement every connection prepares as soon as it is open.
struct PgStatementText {
  std::string name;
  std::string sql;  // `?`/`?N` placeholders, as elsewhere in the store
};

// Non-blocking libpq connections in pipeline mode, driven by the Asio event
// loop: a query is written to the socket and its answer read when the
// socket is readable, so no thread waits on the database. Many queries
// share one connection: queries that arrive together go out in one write
// with one Sync, and a neighbour aborted by a failing query is sent again.
// A read caught by a broken connection is sent once more on a new one
// (connected asynchronously), then fails with sql::Unavailable. A write
// is never sent twice: its outcome is unknown, so it fails at once.
class PgPipelinePool {
 public:
  using Reply = std::function<void(std::exception_ptr error, PgRows rows)>;

  // Connects `connections` times now (blocking, at start-up); throws
  // std::runtime_error when the database is unreachable.
  PgPipelinePool(boost::asio::io_context& io, const std::string& uri, std::vector<PgStatementText> statements,
                 std::size_t connections);
  ~PgPipelinePool();
  PgPipelinePool(const PgPipelinePool&) = delete;
  PgPipelinePool& operator=(const PgPipelinePool&) = delete;

  // Runs a prepared statement with text parameters. `reply` runs once, on
  // an I/O thread, with the rows or the error.
  void Query(std::string_view statement, std::vector<std::string> params, Reply reply);

  // Runs `statements` as one transaction of their own: they end with their
  // own Sync, and PostgreSQL commits the statements up to a Sync together
  // or rolls them all back. Each statement is prepared on a connection the
  // first time it goes out there (keyed by its SQL literal's address).
  // `reply` runs once, on an I/O thread, after the commit, with no rows; or
  // with the first error: sql::UniqueViolation for a unique constraint,
  // sql::Unavailable when the connection broke (then whether it committed
  // is unknown).
  void Write(std::vector<sql::RecordedStatement> statements, Reply reply);

  class Connection;

 private:
  std::vector<PgStatementText> statements_;  // before the connections, which refer to it
  std::vector<std::shared_ptr<Connection>> connections_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace gm::infra::postgres
