#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "infra/config/database_location.hpp"

// A small SQL layer with two backends (SQLite, PostgreSQL), so the event
// store, its projections and the queues are written once. Statements use `?`
// or `?N` placeholders; the PostgreSQL backend rewrites them to `$N`.
namespace gm::infra::sql {

// An INSERT broke a UNIQUE constraint: for the event log, another writer
// appended to the same stream first.
class UniqueViolation : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A column's text as a 64-bit integer; throws std::runtime_error for
// anything else (an empty text, a sign alone, trailing characters, too
// many digits), naming the column, rather than reading it as 0.
std::int64_t ParseInt64(std::string_view text, int column);

class StatementBackend {
 public:
  virtual ~StatementBackend() = default;
  virtual void Bind(int index, std::int64_t value) = 0;
  virtual void Bind(int index, std::string_view value) = 0;
  virtual void BindNull(int index) = 0;
  virtual bool Step() = 0;
  // Runs a statement whose rows nobody reads; a backend may send it later,
  // with the next statement that needs an answer.
  virtual void Run() {
    while (Step()) {
    }
  }
  [[nodiscard]] virtual std::int64_t Int64(int column) const = 0;
  [[nodiscard]] virtual std::string Text(int column) const = 0;
  [[nodiscard]] virtual bool IsNull(int column) const = 0;
  // Columns of the current row (after a Step that returned true).
  [[nodiscard]] virtual int Columns() const = 0;
};

// One execution of a prepared statement. Indices are 1-based for binds and
// 0-based for columns. Releasing it (destruction) resets the statement.
class Statement {
 public:
  explicit Statement(std::unique_ptr<StatementBackend> backend) : backend_(std::move(backend)) {}

  Statement& Bind(int index, std::int64_t value) {
    backend_->Bind(index, value);
    return *this;
  }
  Statement& Bind(int index, std::string_view value) {
    backend_->Bind(index, value);
    return *this;
  }
  Statement& BindNull(int index) {
    backend_->BindNull(index);
    return *this;
  }
  // True while a row is available.
  bool Step() { return backend_->Step(); }
  // For statements whose rows nobody reads. Inside a write transaction on
  // PostgreSQL it goes out with the next round trip (a statement that needs
  // an answer, or COMMIT), so its errors surface there.
  void Run() { backend_->Run(); }
  [[nodiscard]] std::int64_t Int64(int column) const { return backend_->Int64(column); }
  [[nodiscard]] std::string Text(int column) const { return backend_->Text(column); }
  [[nodiscard]] bool IsNull(int column) const { return backend_->IsNull(column); }
  [[nodiscard]] int Columns() const { return backend_->Columns(); }

 private:
  std::unique_ptr<StatementBackend> backend_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  // Prepared once per connection and reused. `sql` must be a string
  // literal: caches are keyed by its address.
  virtual Statement Prepare(const char* sql) = 0;
  virtual void Execute(const std::string& sql) = 0;
  // Starts a write transaction: BEGIN IMMEDIATE on SQLite (one writer, no
  // lock upgrades), BEGIN on PostgreSQL.
  virtual void BeginWrite() = 0;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  [[nodiscard]] virtual std::int64_t Changes() = 0;
  [[nodiscard]] virtual Dialect Kind() const = 0;
  // False once the connection is broken or left inside a transaction: the
  // pool then drops it instead of handing it out again.
  [[nodiscard]] virtual bool Reusable() const { return true; }
  // How long a call waits for a database server's answer at most (0: as
  // long as it takes); past it the call throws app::StoreUnavailable and the
  // connection is not reused. An embedded database has no server to wait on.
  virtual void AnswerWithin(std::chrono::milliseconds /*limit*/) {}
};

// Rolled back unless committed.
class WriteTransaction {
 public:
  explicit WriteTransaction(Connection& connection);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;
  void Commit();

 private:
  Connection& connection_;
  bool done_ = false;
};

// Connections handed out one per thread at a time, opened on demand.
class ConnectionPool {
 public:
  using Factory = std::function<std::unique_ptr<Connection>()>;
  ConnectionPool(Dialect dialect, Factory factory) : dialect_(dialect), factory_(std::move(factory)) {}

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}
    ~Lease() { pool_.Release(std::move(connection_)); }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() { return *connection_; }
    Connection* operator->() { return connection_.get(); }

   private:
    ConnectionPool& pool_;
    std::unique_ptr<Connection> connection_;
  };

  Lease Acquire();
  [[nodiscard]] Dialect Kind() const { return dialect_; }
  // Connection::AnswerWithin for every connection handed out from now on.
  // The service sets it once started; migrations and the operator's verbs,
  // whose statements may rightly run long, leave it at 0.
  void AnswerWithin(std::chrono::milliseconds limit) { answer_within_ms_ = limit.count(); }
  // True when the database answers a trivial query now (readiness).
  bool Ping();

 private:
  void Release(std::unique_ptr<Connection> connection);

  Dialect dialect_;
  Factory factory_;
  std::atomic<std::chrono::milliseconds::rep> answer_within_ms_{0};
  std::mutex mutex_;
  std::vector<std::unique_ptr<Connection>> idle_;
};

// Opens a pool and checks that one connection can be made now, so an
// unreachable database stops the process at start. Throws std::runtime_error.
std::unique_ptr<ConnectionPool> OpenPool(const DatabaseLocation& location);

}  // namespace gm::infra::sql
