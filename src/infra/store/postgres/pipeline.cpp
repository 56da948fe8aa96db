#include "infra/store/postgres/pipeline.hpp"

#include <libpq-fe.h>

#include <boost/asio.hpp>
#include <charconv>
#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>

#include "infra/observability/log.hpp"
#include "infra/store/postgres/connection.hpp"

namespace gm::infra::postgres {
namespace {

namespace asio = boost::asio;
using Descriptor = asio::posix::stream_descriptor;
using Clock = std::chrono::steady_clock;

// After a failed connect, queries fail at once for this long instead of
// each one trying again.
constexpr std::chrono::milliseconds kReconnectPause{200};

std::string Trimmed(std::string message) {
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

std::exception_ptr Failure(const std::string& message) {
  return std::make_exception_ptr(std::runtime_error("postgres: " + message));
}

std::exception_ptr Lost(const std::string& message) {
  return std::make_exception_ptr(sql::Unavailable("postgres: " + message));
}

bool IsUnavailable(const PGresult* result) { return IsUnavailableState(PQresultErrorField(result, PG_DIAG_SQLSTATE)); }

struct QueryRequest {
  std::string statement;
  std::vector<std::string> params;
  PgPipelinePool::Reply reply;
  bool retried = false;
};

// Sent and waiting for its results: a query (with a reply), a prepare (no
// reply), or the Sync that ends a batch.
struct InFlight {
  enum class Kind { kQuery, kPrepare, kSync };
  Kind kind = Kind::kQuery;
  QueryRequest request;  // kept whole, so a query aborted by a neighbour can be sent again
  std::shared_ptr<PGresult> result;
};

}  // namespace

int PgRows::Size() const { return result_ ? PQntuples(result_.get()) : 0; }

std::string PgRows::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), row, column), static_cast<std::size_t>(PQgetlength(result_.get(), row, column))};
}

std::int64_t PgRows::Int64(int row, int column) const {
  const char* text = PQgetvalue(result_.get(), row, column);
  std::int64_t value = 0;
  std::from_chars(text, text + PQgetlength(result_.get(), row, column), value);
  return value;
}

bool PgRows::IsNull(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }

// All state lives on one strand; handlers check `generation_` so a wait
// armed before the connection broke cannot touch its successor. Queries that
// arrive while a batch is being gathered go out together: one write and one
// Sync for all of them.
class PgPipelinePool::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, std::string uri, const std::vector<PgStatementText>& statements)
      : strand_(asio::make_strand(io)), uri_(std::move(uri)), statements_(statements) {}

  ~Connection() { Close(); }

  // At start-up, before the event loop runs: connect now or throw.
  void ConnectNow() {
    connection_ = PQconnectdb(uri_.c_str());
    if (PQstatus(connection_) != CONNECTION_OK) {
      const std::string message = Trimmed(PQerrorMessage(connection_));
      Close();
      throw std::runtime_error("cannot connect to PostgreSQL: " + message);
    }
    Ready();
  }

  void Submit(QueryRequest request) {
    asio::post(strand_, [self = shared_from_this(), request = std::move(request)]() mutable {
      self->Enqueue(std::move(request));
    });
  }

  void Close() {
    ++generation_;
    reading_ = writing_ = false;
    if (socket_) {
      socket_->release();
      socket_.reset();
    }
    if (connection_ != nullptr) PQfinish(connection_);
    connection_ = nullptr;
    state_ = State::kClosed;
  }

 private:
  enum class State { kClosed, kConnecting, kReady };

  // Gathers queries; the batch goes out once the strand has taken every
  // query posted before it.
  void Enqueue(QueryRequest request) {
    batch_.push_back(std::move(request));
    if (batch_scheduled_) return;
    batch_scheduled_ = true;
    asio::post(strand_, [self = shared_from_this()] {
      self->batch_scheduled_ = false;
      self->SendBatch();
    });
  }

  void SendBatch() {
    if (batch_.empty()) return;
    if (state_ == State::kClosed) StartConnect();
    if (state_ == State::kConnecting) return;  // Ready() sends it
    auto batch = std::move(batch_);
    batch_.clear();
    if (state_ == State::kClosed) {
      for (auto& request : batch) request.reply(Lost("the database is unreachable: " + last_error_), {});
      return;
    }
    for (auto& request : batch) {
      std::vector<const char*> values;
      values.reserve(request.params.size());
      for (const auto& param : request.params) values.push_back(param.c_str());
      if (PQsendQueryPrepared(connection_, request.statement.c_str(), static_cast<int>(values.size()), values.data(),
                              nullptr, nullptr, 0) == 0) {
        batch_.push_back(std::move(request));  // unsent: tried again on a new connection
        continue;
      }
      in_flight_.push_back({InFlight::Kind::kQuery, std::move(request), nullptr});
    }
    EndBatch();
  }

  void EndBatch() {
    if (PQpipelineSync(connection_) == 0) return Break(Trimmed(PQerrorMessage(connection_)));
    in_flight_.push_back({InFlight::Kind::kSync, {}, nullptr});
    Pump();
  }

  // Writes what libpq buffered, reads what has arrived, and keeps a read
  // armed while answers are due.
  void Pump() {
    Flush();
    if (state_ != State::kReady) return;
    Drain();
    WaitReadable();
  }

  void Flush() {
    if (writing_ || state_ != State::kReady) return;
    const int flushed = PQflush(connection_);
    if (flushed < 0) return Break(Trimmed(PQerrorMessage(connection_)));
    if (flushed == 0) return;
    writing_ = true;
    socket_->async_wait(Descriptor::wait_write,
                        asio::bind_executor(strand_, [self = shared_from_this(), generation = generation_](auto error) {
                          if (generation != self->generation_) return;
                          self->writing_ = false;
                          if (error) return self->Break(error.message());
                          self->Pump();
                        }));
  }

  void WaitReadable() {
    if (reading_ || in_flight_.empty() || state_ != State::kReady) return;
    reading_ = true;
    socket_->async_wait(Descriptor::wait_read,
                        asio::bind_executor(strand_, [self = shared_from_this(), generation = generation_](auto error) {
                          if (generation != self->generation_) return;
                          self->reading_ = false;
                          if (error) return self->Break(error.message());
                          if (PQconsumeInput(self->connection_) == 0) {
                            return self->Break(Trimmed(PQerrorMessage(self->connection_)));
                          }
                          self->Pump();
                        }));
  }

  // Hands out every complete answer libpq holds. In pipeline mode a query
  // yields its result and then a null; a batch ends with our Sync.
  void Drain() {
    while (!in_flight_.empty() && PQisBusy(connection_) == 0) {
      PGresult* raw = PQgetResult(connection_);
      auto& front = in_flight_.front();
      if (raw == nullptr) {
        if (front.kind == InFlight::Kind::kSync || !front.result) break;  // nothing more is ready
        InFlight done = std::move(front);
        in_flight_.pop_front();
        Complete(std::move(done));
        continue;
      }
      std::shared_ptr<PGresult> result(raw, PQclear);
      if (PQresultStatus(raw) == PGRES_PIPELINE_SYNC) {
        if (front.kind == InFlight::Kind::kSync) in_flight_.pop_front();
        continue;
      }
      if (!front.result) front.result = std::move(result);
    }
    if (connection_ != nullptr && PQstatus(connection_) == CONNECTION_BAD) {
      Break(Trimmed(PQerrorMessage(connection_)));
    }
    if (!batch_.empty() && !batch_scheduled_) SendBatch();  // queries aborted by a neighbour
  }

  void Complete(InFlight done) {
    const auto status = PQresultStatus(done.result.get());
    if (status == PGRES_PIPELINE_ABORTED && done.kind == InFlight::Kind::kQuery) {
      batch_.push_back(std::move(done.request));  // an earlier query in its batch failed, not this one
      return;
    }
    const bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    const std::string error = ok ? std::string() : Trimmed(PQresultErrorMessage(done.result.get()));
    if (!ok && IsUnavailable(done.result.get())) {
      // The connection is ending (the server says why before it closes):
      // drop it now; Break sends this query once more on a new one.
      in_flight_.push_front(std::move(done));
      return Break(error);
    }
    if (done.kind == InFlight::Kind::kPrepare) {
      if (!ok) LogLine().Add("statement", done.request.statement).Add("error", error).Error("postgres: prepare failed");
      return;
    }
    if (ok) {
      done.request.reply(nullptr, PgRows(std::move(done.result)));
    } else {
      const std::string message = done.request.statement + ": " + error;
      done.request.reply(IsUnavailable(done.result.get()) ? Lost(message) : Failure(message), {});
    }
  }

  void StartConnect() {
    if (Clock::now() < retry_at_) return;
    connection_ = PQconnectStart(uri_.c_str());
    if (connection_ == nullptr || PQstatus(connection_) == CONNECTION_BAD) {
      return FailConnect(connection_ ? Trimmed(PQerrorMessage(connection_)) : "out of memory");
    }
    state_ = State::kConnecting;
    PollConnect(PGRES_POLLING_WRITING);
  }

  // libpq may change sockets while it connects, so each step watches the
  // current one afresh.
  void PollConnect(PostgresPollingStatusType wanted) {
    Watch();
    socket_->async_wait(wanted == PGRES_POLLING_READING ? Descriptor::wait_read : Descriptor::wait_write,
                        asio::bind_executor(strand_, [self = shared_from_this(), generation = generation_](auto error) {
                          if (generation != self->generation_) return;
                          if (error) return self->FailConnect(error.message());
                          const auto status = PQconnectPoll(self->connection_);
                          if (status == PGRES_POLLING_OK) return self->Ready();
                          if (status == PGRES_POLLING_FAILED) {
                            return self->FailConnect(Trimmed(PQerrorMessage(self->connection_)));
                          }
                          self->PollConnect(status);
                        }));
  }

  void Watch() {
    if (socket_) socket_->release();
    socket_.emplace(strand_, PQsocket(connection_));
  }

  // Connected: switch to pipeline mode, prepare every statement, then send
  // what waited for the connection.
  void Ready() {
    Watch();
    if (PQsetnonblocking(connection_, 1) != 0 || PQenterPipelineMode(connection_) == 0) {
      return FailConnect(Trimmed(PQerrorMessage(connection_)));
    }
    state_ = State::kReady;
    for (const auto& statement : statements_) {
      const std::string sql = ToDollarPlaceholders(statement.sql);
      if (PQsendPrepare(connection_, statement.name.c_str(), sql.c_str(), 0, nullptr) == 0) {
        return Break(Trimmed(PQerrorMessage(connection_)));
      }
      in_flight_.push_back({InFlight::Kind::kPrepare, {statement.name, {}, nullptr}, nullptr});
    }
    EndBatch();
    SendBatch();
  }

  void FailConnect(const std::string& message) {
    last_error_ = message;
    retry_at_ = Clock::now() + kReconnectPause;
    Break(message);
  }

  // Drops the connection. Queries in flight are sent once more on the next
  // connection (they are reads: running one twice is harmless), then fail
  // as unavailable; what was not sent yet goes out on the next connection.
  void Break(const std::string& message) {
    Close();
    auto in_flight = std::move(in_flight_);
    in_flight_.clear();
    LogLine().Add("error", message).Warn("postgres: connection lost");
    const auto error = Lost(message);
    for (auto& sent : in_flight) {
      if (sent.kind != InFlight::Kind::kQuery) continue;
      if (sent.request.retried) {
        sent.request.reply(error, {});
      } else {
        sent.request.retried = true;
        batch_.push_back(std::move(sent.request));
      }
    }
    if (!batch_.empty() && !batch_scheduled_) {
      batch_scheduled_ = true;
      asio::post(strand_, [self = shared_from_this()] {
        self->batch_scheduled_ = false;
        self->SendBatch();
      });
    }
  }

  asio::strand<asio::io_context::executor_type> strand_;
  std::string uri_;
  const std::vector<PgStatementText>& statements_;
  PGconn* connection_ = nullptr;
  std::optional<Descriptor> socket_;
  State state_ = State::kClosed;
  std::deque<InFlight> in_flight_;
  std::vector<QueryRequest> batch_;  // not sent yet
  bool batch_scheduled_ = false;
  bool reading_ = false;
  bool writing_ = false;
  std::uint64_t generation_ = 0;
  Clock::time_point retry_at_{};
  std::string last_error_;
};

PgPipelinePool::PgPipelinePool(asio::io_context& io, const std::string& uri, std::vector<PgStatementText> statements,
                               std::size_t connections)
    : statements_(std::move(statements)) {
  for (std::size_t i = 0; i < connections; ++i) {
    auto connection = std::make_shared<Connection>(io, uri, statements_);
    connection->ConnectNow();
    connections_.push_back(std::move(connection));
  }
}

PgPipelinePool::~PgPipelinePool() {
  for (auto& connection : connections_) connection->Close();
}

void PgPipelinePool::Query(std::string_view statement, std::vector<std::string> params, Reply reply) {
  const auto index = next_.fetch_add(1, std::memory_order_relaxed) % connections_.size();
  connections_[index]->Submit({std::string(statement), std::move(params), std::move(reply)});
}

}  // namespace gm::infra::postgres
