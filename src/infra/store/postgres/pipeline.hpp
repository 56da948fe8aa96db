#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "infra/store/postgres/pg_rows.hpp"
#include "infra/store/sql/recorder.hpp"

namespace boost::asio {
class io_context;
}

namespace gm::infra::postgres {

// How long a request waits for PostgreSQL at most (PgPipelinePool), unless
// told otherwise. A stopped server still accepts bytes into its socket, so
// neither TCP keepalives nor connect_timeout notice it: this does.
inline constexpr std::chrono::milliseconds kAnswerWithin{5000};

// A statement every connection prepares as soon as it is open.
struct PgStatementText {
  std::string name;
  std::string sql;  // `?`/`?N` placeholders, as elsewhere in the store
  // Optional, for a statement with one parameter (a key): the same query
  // for an array of keys (`?::text[]`), with the key as an extra first
  // column and each key's rows in the order `sql` gives them. Queries of
  // the statement that go out in one batch are then asked as one, and
  // each gets its key's rows: the database runs one statement, not one per
  // request. If that query fails, all of them fail, so it must not fail
  // for a key the single form answers (lookups by key never do).
  std::string many_sql = {};
};

// Non-blocking libpq connections in pipeline mode, driven by the Asio event
// loop: a query is written to the socket and its answer read when the
// socket is readable, so no thread waits on the database. Many queries
// share one connection: queries that arrive together go out in one write
// with one Sync, and a neighbour aborted by a failing query is sent again.
// A read caught by a broken connection is sent once more on a new one
// (connected asynchronously), then fails with app::StoreUnavailable. A write
// is never sent twice: its outcome is unknown, so it fails at once. A
// server that stops answering counts as a broken connection after
// `answer_within`, and no query waits much longer than that for an answer
// or a connection (then it fails with app::StoreUnavailable too).
class PgPipelinePool {
 public:
  using Reply = std::function<void(std::exception_ptr error, PgRows rows)>;

  // How many threads run each loop. With kOne (EventLoops), a query made on
  // a loop's thread joins its connection's batch at once instead of being
  // posted through the connection's strand: nothing else can run on that
  // loop meanwhile.
  enum class LoopThreads { kAny, kOne };

  // Connects `per_loop` times for each event loop now (blocking, at
  // start-up); throws std::runtime_error when the database is unreachable.
  // A query or write made on a loop's thread goes out on one of that loop's
  // connections, so its reply comes back on the same thread (EventLoops);
  // one made elsewhere goes out on any connection.
  PgPipelinePool(const std::vector<boost::asio::io_context*>& loops, const std::string& uri,
                 std::vector<PgStatementText> statements, std::size_t per_loop,
                 LoopThreads threads = LoopThreads::kAny,
                 std::chrono::milliseconds answer_within = kAnswerWithin);
  ~PgPipelinePool();
  PgPipelinePool(const PgPipelinePool&) = delete;
  PgPipelinePool& operator=(const PgPipelinePool&) = delete;

  // Runs a prepared statement with text parameters. `reply` runs once, on
  // the connection's loop (the caller's, when called on one), with the rows
  // or the error.
  void Query(std::string_view statement, std::vector<std::string> params, Reply reply);

  // Runs `statements` as one transaction of their own: they end with their
  // own Sync, and PostgreSQL commits the statements up to a Sync together
  // or rolls them all back. Each statement is prepared on a connection the
  // first time it goes out there (keyed by its SQL literal's address).
  // `reply` runs once, on the connection's loop, after the commit, with no rows; or
  // with the first error: sql::UniqueViolation for a unique constraint,
  // app::StoreUnavailable when the connection broke (then whether it committed
  // is unknown).
  void Write(std::vector<sql::RecordedStatement> statements, Reply reply);

  // Query and Write as coroutines: the caller resumes on its own executor
  // with the rows; the error is thrown. `statement` names one of the
  // pool's statements (its text lives as long as the pool).
  boost::asio::awaitable<PgRows> Ask(std::string_view statement, std::vector<std::string> params);
  boost::asio::awaitable<PgRows> Commit(std::vector<sql::RecordedStatement> statements);

  class Connection;

 private:
  std::vector<PgStatementText> statements_;  // before the connections, which refer to it
  std::vector<boost::asio::io_context*> loops_;
  std::vector<std::shared_ptr<Connection>> connections_;  // `per_loop_` for each loop, in the order of `loops_`
  std::size_t per_loop_;
  bool one_thread_per_loop_;  // LoopThreads::kOne

  // A connection for the calling thread: one of its loop's, when it runs
  // one. `here`: the caller is the one thread of that loop
  // (LoopThreads::kOne), so it may hand over its work directly.
  Connection& Pick(bool& here) const;
};

}  // namespace gm::infra::postgres
