#include "infra/store/postgres/pipeline.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <optional>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include "app/faults.hpp"
#include "infra/async.hpp"
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
// How often a connection with work checks that the server still answers
// and that no query has waited past its deadline (the deadline's grain).
constexpr std::chrono::milliseconds kWatchTick{250};

std::exception_ptr Failure(const std::string& message) {
  return std::make_exception_ptr(std::runtime_error("postgres: " + message));
}

std::exception_ptr Lost(const std::string& message) {
  return std::make_exception_ptr(app::StoreUnavailable("postgres: " + message));
}

bool IsUnavailable(const PGresult* result) { return IsUnavailableState(PQresultErrorField(result, PG_DIAG_SQLSTATE)); }

bool IsTimedOut(const PGresult* result) { return IsTimedOutState(PQresultErrorField(result, PG_DIAG_SQLSTATE)); }

// A statement that failed: a statement the server gave up at its deadline
// is "not now" (nothing of it was done), anything else a fault.
std::exception_ptr QueryFailure(const PGresult* result, const std::string& message) {
  return IsTimedOut(result) ? Lost(message) : Failure(message);
}

std::exception_ptr WriteFailure(const PGresult* result, const std::string& message) {
  if (IsUniqueViolationState(PQresultErrorField(result, PG_DIAG_SQLSTATE))) {
    return std::make_exception_ptr(sql::UniqueViolation("postgres: " + message));
  }
  return QueryFailure(result, message);
}

// Hands a reply its answer. A reply runs inside the connection's handler
// (a coroutine awaiting it resumes there, inline); one that throws cannot
// be answered again, and must not end the event loop's thread: its fault
// is logged, and the loop goes on.
void Deliver(const PgPipelinePool::Reply& reply, std::exception_ptr error, PgRows rows) noexcept {
  try {
    reply(std::move(error), std::move(rows));
  } catch (const std::exception& failure) {
    LogLine().Add("error", failure.what()).Error("postgres: a reply failed");
  } catch (...) {
    LogLine().Error("postgres: a reply failed");
  }
}

// A read (one prepared statement) or a write (statements that commit
// together); or reads of one statement for many keys, asked as one.
struct QueryRequest {
  std::string statement;
  std::vector<std::string> params;
  PgPipelinePool::Reply reply;
  bool retried = false;
  std::vector<sql::RecordedStatement> writes;  // not empty: a write
  std::vector<QueryRequest> members;           // not empty: the reads asked as one
  std::uint64_t born = 0;                      // the connection's watch tick when it arrived
};

// The name under which a statement's many-keys form is prepared.
std::string ManyName(const std::string& statement) { return statement + "/many"; }

// A PostgreSQL array literal of text: {"a","b\"c"}.
std::string TextArray(const std::vector<std::string>& items) {
  std::string literal = "{";
  for (const auto& item : items) {
    if (literal.size() > 1) literal += ',';
    literal += '"';
    for (const char c : item) {
      if (c == '"' || c == '\\') literal += '\\';
      literal += c;
    }
    literal += '"';
  }
  return literal + "}";
}

// A write's statements in flight: answered once, at its Sync or when the
// connection breaks.
struct WriteGroup {
  PgPipelinePool::Reply reply;
  std::exception_ptr error;  // of the first statement that failed
  bool answered = false;

  void Answer(std::exception_ptr failure) {
    if (answered) return;
    answered = true;
    Deliver(reply, std::move(failure), {});
  }
};

// Sent and waiting for its results: a read (with a reply), a prepare (no
// reply), a statement of a write (its group replies), or a Sync that ends a
// batch of reads or a write (then it carries the write's group).
struct InFlight {
  enum class Kind { kQuery, kPrepare, kWrite, kSync };
  Kind kind = Kind::kQuery;
  QueryRequest request;  // kept whole, so a query aborted by a neighbour can be sent again
  std::shared_ptr<PGresult> result;
  std::shared_ptr<WriteGroup> group;
  bool ends_reads = false;  // a Sync that ends a batch of reads
};

}  // namespace

// All state lives on one strand; handlers check `generation_` so a wait
// armed before the connection broke cannot touch its successor. Queries that
// arrive while a batch is being gathered go out together: one write and one
// Sync for all of them.
//
// Deadlines: the server gives a statement up after 80 % of
// `answer_within` (statement_timeout, which a lock wait counts against
// too), so a slow statement or a wait behind a lock fails as unavailable
// with nothing done, rather than being taken for a server gone. While a
// connection has work, a watch ticks every kWatchTick.
// A server that sends nothing for `answer_within` while queries are out (or
// while connecting) is taken for gone: the connection breaks, as it does
// when the socket closes. A query not sent within `answer_within` of its
// arrival (waiting for a connection, or behind a batch) fails as
// unavailable, and so does a read whose retry would come after that. So no
// caller waits on a stopped or unreachable server for much longer than
// `answer_within`; the ticks count time, so the hot path reads no clock.
class PgPipelinePool::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& io, std::string uri, const std::vector<PgStatementText>& statements,
             std::chrono::milliseconds answer_within)
      : strand_(asio::make_strand(io)),
        watch_(strand_),
        uri_(std::move(uri)),
        statements_(statements),
        answer_ticks_(static_cast<std::uint64_t>((answer_within + kWatchTick - std::chrono::milliseconds(1)) /
                                                 kWatchTick)),
        answer_within_(answer_within),
        options_("-c plan_cache_mode=force_generic_plan" +
                 (answer_within.count() > 0 ? " -c statement_timeout=" + std::to_string(answer_within.count() * 4 / 5)
                                            : std::string())) {
    for (const auto& statement : statements_) {
      if (!statement.many_sql.empty()) many_forms_.insert(statement.name);
    }
  }

  ~Connection() { Close(); }

  // Whether a connection attempt failed less than kReconnectPause ago: the
  // connection would refuse work at once. Read from any thread.
  [[nodiscard]] bool Paused() const {
    const auto until = paused_until_.load(std::memory_order_relaxed);
    return until != 0 && Clock::now().time_since_epoch().count() < until;  // no clock read on the hot path
  }

  // At start-up, before the event loop runs: connect now or throw.
  void ConnectNow() {
    const auto [keywords, values] = ConnectParams();
    connection_ = PQconnectdbParams(keywords.data(), values.data(), 1);
    if (PQstatus(connection_) != CONNECTION_OK) {
      const std::string message = ErrorText(connection_);
      Close();
      throw std::runtime_error("cannot connect to PostgreSQL: " + message);
    }
    Ready();
  }

  // `here`: called on the one thread that runs this connection's loop
  // (LoopThreads::kOne), where nothing of the strand can run meanwhile.
  void Submit(QueryRequest request, bool here) {
    if (here) return Enqueue(std::move(request));
    asio::post(strand_, [self = shared_from_this(), request = std::move(request)]() mutable {
      self->Enqueue(std::move(request));
    });
  }

  // For good: the watch stops too.
  void Stop() {
    stopped_ = true;
    watch_.cancel();
    Close();
  }

  void Close() {
    ++generation_;
    reading_ = writing_ = reads_in_flight_ = false;
    if (socket_) {
      socket_->release();
      socket_.reset();
    }
    if (connection_ != nullptr) PQfinish(connection_);
    connection_ = nullptr;
    prepared_writes_.clear();
    state_ = State::kClosed;
  }

 private:
  enum class State { kClosed, kConnecting, kReady };

  // The URI, plus one setting: plan each statement once. Ours are fixed
  // lookups and inserts, and a many-keys read would otherwise get a custom
  // plan on every execution (its cost depends on the array's length), which
  // made planning most of PostgreSQL's work per batch.
  // Before the URI, the defaults of every connection (connection.hpp).
  std::pair<std::array<const char*, 8>, std::array<const char*, 8>> ConnectParams() const {
    std::pair<std::array<const char*, 8>, std::array<const char*, 8>> params;
    auto& [keywords, values] = params;
    std::copy(kConnectDefaultKeywords.begin(), kConnectDefaultKeywords.end(), keywords.begin());
    std::copy(kConnectDefaultValues.begin(), kConnectDefaultValues.end(), values.begin());
    keywords[5] = "dbname";
    values[5] = uri_.c_str();
    keywords[6] = "options";
    values[6] = options_.c_str();
    keywords[7] = values[7] = nullptr;
    return params;
  }

  // Gathers queries; the batch goes out once the strand has taken every
  // query posted before it.
  void Enqueue(QueryRequest request) {
    request.born = ticks_;
    batch_.push_back(std::move(request));
    if (!watching_) StartWatch();
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
      for (auto& request : batch) Deliver(request.reply, Lost("the database is unreachable: " + last_error_), {});
      return;
    }
    // Reads first, under one Sync; then each write under a Sync of its own,
    // so no write shares a transaction with anything else.
    std::vector<QueryRequest> writes;
    std::vector<QueryRequest> reads;
    for (auto& request : batch) (request.writes.empty() ? reads : writes).push_back(std::move(request));
    // While a batch of reads is out, new reads wait for its answer and then
    // go out together (Drain sends them). Sending each as it came let the
    // batches shrink to two or three reads under load, and PostgreSQL then
    // spent its time on the batches rather than on the reads.
    if (reads_in_flight_) {
      for (auto& read : reads) batch_.push_back(std::move(read));
      reads.clear();
    }
    bool sent_reads = false;
    bool unsent = false;  // a read that could not go out: the connection broke
    for (auto& request : AskedTogether(std::move(reads))) {
      std::vector<const char*> values;
      values.reserve(request.params.size());
      for (const auto& param : request.params) values.push_back(param.c_str());
      if (PQsendQueryPrepared(connection_, request.statement.c_str(), static_cast<int>(values.size()), values.data(),
                              nullptr, nullptr, 0) == 0) {
        Requeue(std::move(request));  // tried again on a new connection
        unsent = true;
        continue;
      }
      in_flight_.push_back({InFlight::Kind::kQuery, std::move(request), nullptr, nullptr});
      sent_reads = true;
    }
    if ((sent_reads && !Sync(nullptr, true)) || unsent) return BreakKeeping(std::move(writes));
    for (auto next = writes.begin(); next != writes.end(); ++next) {
      if (!SendWrite(*next)) {
        return BreakKeeping({std::make_move_iterator(std::next(next)), std::make_move_iterator(writes.end())});
      }
    }
    Pump();
  }

  // Reads of a statement with a many-keys form, two or more in one batch,
  // become one query for all their keys (each key once); the rest go as
  // they are. Sharing one answer among requests is safe: every one of them
  // arrived before the query goes out, so it sees every write they could.
  std::vector<QueryRequest> AskedTogether(std::vector<QueryRequest> reads) const {
    std::vector<QueryRequest> out;
    std::unordered_map<std::string, std::size_t> groups;  // statement -> place in `out`
    for (auto& read : reads) {
      if (read.params.size() != 1 || !many_forms_.contains(read.statement)) {
        out.push_back(std::move(read));
        continue;
      }
      const auto [it, first] = groups.try_emplace(read.statement, out.size());
      if (first) {
        out.push_back(std::move(read));
        continue;
      }
      auto& group = out[it->second];
      if (group.members.empty()) {
        QueryRequest alone = std::move(group);
        group = {ManyName(alone.statement), {}, nullptr, false, {}, {}};
        group.members.push_back(std::move(alone));
      }
      group.members.push_back(std::move(read));
    }
    for (auto& group : out) {
      if (group.members.empty()) continue;
      std::vector<std::string> keys;
      for (const auto& member : group.members) {
        if (std::find(keys.begin(), keys.end(), member.params[0]) == keys.end()) keys.push_back(member.params[0]);
      }
      group.params = {TextArray(keys)};
    }
    return out;
  }

  // Puts a read back to be sent again; reads asked together go back one by
  // one, to be grouped afresh.
  void Requeue(QueryRequest request) {
    if (request.members.empty()) return batch_.push_back(std::move(request));
    for (auto& member : request.members) batch_.push_back(std::move(member));
  }

  // Ends what was sent since the last Sync; false when the connection broke.
  bool Sync(std::shared_ptr<WriteGroup> group, bool ends_reads = false) {
    if (PQpipelineSync(connection_) == 0) return false;
    in_flight_.push_back({InFlight::Kind::kSync, {}, nullptr, std::move(group), ends_reads});
    if (ends_reads) reads_in_flight_ = true;
    return true;
  }

  // Statements new to this connection are prepared under a Sync of their
  // own first, so a failing write cannot undo a prepare that later writes
  // count on. False when the connection broke: the write was then answered
  // as lost, since part of it may have gone out.
  bool SendWrite(QueryRequest& request) {
    auto group = std::make_shared<WriteGroup>(WriteGroup{std::move(request.reply), nullptr, false});
    const auto lost = [&] {
      group->Answer(Lost(ErrorText(connection_)));
      return false;
    };
    bool preparing = false;
    for (const auto& statement : request.writes) {
      const auto [it, added] =
          prepared_writes_.try_emplace(statement.sql, "write_" + std::to_string(prepared_writes_.size()));
      if (!added) continue;
      if (PQsendPrepare(connection_, it->second.c_str(), ToDollarPlaceholders(statement.sql).c_str(), 0, nullptr) ==
          0) {
        return lost();
      }
      in_flight_.push_back({InFlight::Kind::kPrepare, {it->second, {}, nullptr, false, {}, {}}, nullptr, nullptr});
      preparing = true;
    }
    if (preparing && !Sync(nullptr)) return lost();
    for (const auto& statement : request.writes) {
      const auto values = ParamValues(statement.params);
      if (PQsendQueryPrepared(connection_, prepared_writes_.at(statement.sql).c_str(), static_cast<int>(values.size()),
                              values.data(), nullptr, nullptr, 0) == 0) {
        return lost();
      }
      in_flight_.push_back({InFlight::Kind::kWrite, {}, nullptr, group});
    }
    return Sync(group) || lost();
  }

  // The connection broke while a batch went out: what was not sent yet
  // waits for the next connection.
  void BreakKeeping(std::vector<QueryRequest> unsent) {
    for (auto& request : unsent) batch_.push_back(std::move(request));
    Break(ErrorText(connection_));
  }

  // Writes what libpq buffered, reads what has arrived, and keeps a read
  // armed.
  void Pump() {
    Flush();
    if (state_ != State::kReady) return;
    Drain();
    WaitReadable();
  }

  void Flush() {
    if (writing_ || state_ != State::kReady) return;
    const int flushed = PQflush(connection_);
    if (flushed < 0) return Break(ErrorText(connection_));
    if (flushed == 0) return;
    writing_ = true;
    Await(Descriptor::wait_write, [](Connection& self, boost::system::error_code error) {
      self.writing_ = false;
      if (error) return self.Break(error.message());
      self.Pump();
    });
  }

  // Runs `then` on the strand when the socket is ready for `what`, unless
  // the connection was closed or replaced meanwhile.
  template <class Then>
  void Await(Descriptor::wait_type what, Then then) {
    socket_->async_wait(what, asio::bind_executor(strand_, [self = shared_from_this(), generation = generation_,
                                                            then](boost::system::error_code error) {
                          if (generation == self->generation_) then(*self, error);
                        }));
  }

  // Armed even when nothing is in flight, so an idle connection that the
  // server closed (a restart, a terminated backend) is dropped at once and
  // the next query opens a new one, instead of a write going out on it and
  // failing as unavailable.
  void WaitReadable() {
    if (reading_ || state_ != State::kReady) return;
    reading_ = true;
    Await(Descriptor::wait_read, [](Connection& self, boost::system::error_code error) {
      self.reading_ = false;
      if (error) return self.Break(error.message());
      ++self.heard_;
      if (PQconsumeInput(self.connection_) == 0) return self.Break(ErrorText(self.connection_));
      self.Pump();
    });
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
        if (front.kind == InFlight::Kind::kSync) {
          auto group = std::move(front.group);
          if (front.ends_reads) reads_in_flight_ = false;
          in_flight_.pop_front();
          if (group) group->Answer(group->error);  // the write committed, or rolled back whole
        }
        continue;
      }
      if (!front.result) front.result = std::move(result);
    }
    if (connection_ != nullptr && PQstatus(connection_) == CONNECTION_BAD) {
      Break(ErrorText(connection_));
    }
    // Queries aborted by a neighbour, and reads that waited for the batch
    // before them (which may still be out: then they wait on).
    if (!batch_.empty() && !batch_scheduled_ && !reads_in_flight_) SendBatch();
  }

  void Complete(InFlight done) {
    const auto status = PQresultStatus(done.result.get());
    if (status == PGRES_PIPELINE_ABORTED && done.kind == InFlight::Kind::kQuery) {
      Requeue(std::move(done.request));  // an earlier query in its batch failed, not this one
      return;
    }
    const bool ok = status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK;
    const std::string error = ok ? std::string() : ErrorText(connection_, done.result.get());
    if (!ok && IsUnavailable(done.result.get())) {
      // The connection is ending (the server says why before it closes):
      // drop it now; Break sends this query once more on a new one.
      in_flight_.push_front(std::move(done));
      return Break(error);
    }
    if (done.kind == InFlight::Kind::kWrite) {
      // An aborted statement follows the one that failed, which set the error.
      if (!ok && status != PGRES_PIPELINE_ABORTED && !done.group->error) {
        done.group->error = WriteFailure(done.result.get(), error);
      }
      return;
    }
    if (done.kind == InFlight::Kind::kPrepare) {
      if (!ok) LogLine().Add("statement", done.request.statement).Add("error", error).Error("postgres: prepare failed");
      return;
    }
    if (!ok) {
      const auto failure = QueryFailure(done.result.get(), done.request.statement + ": " + error);
      if (done.request.members.empty()) return Deliver(done.request.reply, failure, {});
      for (auto& member : done.request.members) Deliver(member.reply, failure, {});
      return;
    }
    if (done.request.members.empty()) return Deliver(done.request.reply, nullptr, PgRows(std::move(done.result)));
    // Asked together: each request gets its key's rows (the first column).
    const PGresult* result = done.result.get();
    std::unordered_map<std::string_view, std::vector<int>> rows_of;
    for (int row = 0; row < PQntuples(result); ++row) {
      rows_of[std::string_view(PQgetvalue(result, row, 0), static_cast<std::size_t>(PQgetlength(result, row, 0)))]
          .push_back(row);
    }
    for (auto& member : done.request.members) {
      const auto rows = rows_of.find(member.params[0]);
      Deliver(member.reply, nullptr, PgRows(done.result, rows == rows_of.end() ? std::vector<int>{} : rows->second));
    }
  }

  [[nodiscard]] bool Overdue(const QueryRequest& request) const {
    return answer_ticks_ > 0 && ticks_ - request.born >= answer_ticks_;
  }

  // Arms the watch unless it is armed: re-arming would cancel the pending
  // wait, and a watch pushed back by every query would never tick.
  void StartWatch() {
    if (answer_ticks_ == 0 || stopped_ || watching_) return;
    watching_ = true;
    watch_.expires_after(kWatchTick);
    watch_.async_wait([self = shared_from_this()](boost::system::error_code error) {
      if (error == asio::error::operation_aborted) return;  // Stop()
      self->watching_ = false;
      if (!self->stopped_) self->Tick();
    });
  }

  void Tick() {
    ++ticks_;
    const bool waiting = state_ == State::kConnecting || !in_flight_.empty();
    quiet_ticks_ = waiting && heard_ == heard_at_last_tick_ ? quiet_ticks_ + 1 : 0;
    heard_at_last_tick_ = heard_;
    if (quiet_ticks_ >= answer_ticks_) {
      quiet_ticks_ = 0;
      const std::string why = "no answer from the server within " + std::to_string(answer_within_.count()) + " ms";
      if (state_ == State::kConnecting) {
        FailConnect(why);
      } else {
        Break(why);
      }
    }
    FailOverdue();
    if (state_ == State::kConnecting || !in_flight_.empty() || !batch_.empty()) StartWatch();
  }

  // Queries that were never sent and are past their deadline fail now:
  // for a write, nothing reached the server.
  void FailOverdue() {
    const auto overdue = std::stable_partition(batch_.begin(), batch_.end(),
                                               [this](const QueryRequest& request) { return !Overdue(request); });
    if (overdue == batch_.end()) return;
    std::vector<QueryRequest> late(std::make_move_iterator(overdue), std::make_move_iterator(batch_.end()));
    batch_.erase(overdue, batch_.end());
    const auto error = Lost("not sent within " + std::to_string(answer_within_.count()) + " ms: " +
                            (last_error_.empty() ? "the server is busy or does not answer" : last_error_));
    for (auto& request : late) Deliver(request.reply, error, {});
  }

  void StartConnect() {
    if (Clock::now() < retry_at_) return;
    const auto [keywords, values] = ConnectParams();
    connection_ = PQconnectStartParams(keywords.data(), values.data(), 1);
    if (connection_ == nullptr || PQstatus(connection_) == CONNECTION_BAD) {
      return FailConnect(connection_ ? ErrorText(connection_) : "out of memory");
    }
    state_ = State::kConnecting;
    PollConnect(PGRES_POLLING_WRITING);
  }

  // libpq may change sockets while it connects, so each step watches the
  // current one afresh.
  void PollConnect(PostgresPollingStatusType wanted) {
    Watch();
    Await(wanted == PGRES_POLLING_READING ? Descriptor::wait_read : Descriptor::wait_write,
          [](Connection& self, boost::system::error_code error) {
            if (error) return self.FailConnect(error.message());
            ++self.heard_;
            const auto status = PQconnectPoll(self.connection_);
            if (status == PGRES_POLLING_OK) return self.Ready();
            if (status == PGRES_POLLING_FAILED) return self.FailConnect(ErrorText(self.connection_));
            self.PollConnect(status);
          });
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
      return FailConnect(ErrorText(connection_));
    }
    state_ = State::kReady;
    last_error_.clear();  // of a failed connect: FailOverdue would quote it
    for (const auto& statement : statements_) {
      const std::string sql = ToDollarPlaceholders(statement.sql);
      if (PQsendPrepare(connection_, statement.name.c_str(), sql.c_str(), 0, nullptr) == 0) {
        return Break(ErrorText(connection_));
      }
      in_flight_.push_back({InFlight::Kind::kPrepare, {statement.name, {}, nullptr, false, {}, {}}, nullptr, nullptr});
      if (statement.many_sql.empty()) continue;
      const std::string name = ManyName(statement.name);
      if (PQsendPrepare(connection_, name.c_str(), ToDollarPlaceholders(statement.many_sql).c_str(), 0, nullptr) == 0) {
        return Break(ErrorText(connection_));
      }
      in_flight_.push_back({InFlight::Kind::kPrepare, {name, {}, nullptr, false, {}, {}}, nullptr, nullptr});
    }
    if (!Sync(nullptr)) return Break(ErrorText(connection_));
    Pump();
    SendBatch();
  }

  void FailConnect(const std::string& message) {
    last_error_ = message;
    retry_at_ = Clock::now() + kReconnectPause;
    paused_until_.store(retry_at_.time_since_epoch().count(), std::memory_order_relaxed);
    Break(message);
  }

  // Drops the connection. Reads in flight are sent once more on the next
  // connection (running one twice is harmless), then fail as unavailable;
  // writes in flight fail as unavailable at once; what was not sent yet
  // goes out on the next connection.
  void Break(const std::string& message) {
    Close();
    auto in_flight = std::move(in_flight_);
    in_flight_.clear();
    LogLine().Add("error", message).Warn("postgres: connection lost");
    const auto error = Lost(message);
    const auto once_more = [&](QueryRequest& read) {
      if (read.retried || Overdue(read)) return Deliver(read.reply, error, {});
      read.retried = true;
      batch_.push_back(std::move(read));
    };
    for (auto& sent : in_flight) {
      if (sent.group) sent.group->Answer(error);
      if (sent.kind != InFlight::Kind::kQuery) continue;
      if (sent.request.members.empty()) {
        once_more(sent.request);
      } else {
        for (auto& member : sent.request.members) once_more(member);
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
  asio::steady_timer watch_;  // see the class comment
  std::string uri_;
  const std::vector<PgStatementText>& statements_;
  std::unordered_set<std::string> many_forms_;  // statements with a many-keys form
  PGconn* connection_ = nullptr;
  std::optional<Descriptor> socket_;
  State state_ = State::kClosed;
  std::deque<InFlight> in_flight_;
  std::vector<QueryRequest> batch_;                               // not sent yet
  std::unordered_map<const char*, std::string> prepared_writes_;  // SQL literal -> statement name
  bool batch_scheduled_ = false;
  bool reads_in_flight_ = false;  // a batch of reads is out: see SendBatch
  bool reading_ = false;
  bool writing_ = false;
  std::uint64_t generation_ = 0;
  Clock::time_point retry_at_{};
  std::atomic<Clock::rep> paused_until_{0};  // retry_at_, for Paused()
  std::string last_error_;
  std::uint64_t answer_ticks_;  // 0: no deadlines
  std::chrono::milliseconds answer_within_;
  std::string options_;  // the connection's settings (ConnectParams)
  std::uint64_t ticks_ = 0;               // of the watch, since the pool was made
  std::uint64_t heard_ = 0;               // times the server sent something (or a connect step went on)
  std::uint64_t heard_at_last_tick_ = 0;
  std::uint64_t quiet_ticks_ = 0;         // ticks in a row waiting on the server without hearing it
  bool watching_ = false;
  bool stopped_ = false;
};

PgPipelinePool::PgPipelinePool(const std::vector<asio::io_context*>& loops, const std::string& uri,
                               std::vector<PgStatementText> statements, std::size_t per_loop, LoopThreads threads,
                               std::chrono::milliseconds answer_within)
    : statements_(std::move(statements)),
      loops_(loops),
      per_loop_(std::max<std::size_t>(per_loop, 1)),
      one_thread_per_loop_(threads == LoopThreads::kOne) {
  for (auto* loop : loops_) {
    for (std::size_t i = 0; i < per_loop_; ++i) {
      auto connection = std::make_shared<Connection>(*loop, uri, statements_, answer_within);
      connection->ConnectNow();
      connections_.push_back(std::move(connection));
    }
  }
}

PgPipelinePool::~PgPipelinePool() {
  for (auto& connection : connections_) connection->Stop();
}

PgPipelinePool::Connection& PgPipelinePool::Pick(bool& here) const {
  // Each thread takes its connections in turn, with no counter shared
  // between threads.
  thread_local std::size_t turn = 0;
  ++turn;
  std::size_t first = 0;  // the caller's loop's connections, or all of them
  std::size_t count = connections_.size();
  here = false;
  for (std::size_t loop = 0; loop < loops_.size(); ++loop) {
    if (loops_[loop]->get_executor().running_in_this_thread()) {
      first = loop * per_loop_;
      count = per_loop_;
      here = one_thread_per_loop_;
      break;
    }
  }
  // Past one that just failed to connect, when another may do better: once
  // the database is back, work must not fail on the pause of one connection
  // while another would connect at once.
  for (std::size_t i = 0; i < count; ++i) {
    auto& connection = *connections_[first + (turn + i) % count];
    if (!connection.Paused()) return connection;
  }
  return *connections_[first + turn % count];
}

void PgPipelinePool::Query(std::string_view statement, std::vector<std::string> params, Reply reply) {
  bool here = false;
  auto& connection = Pick(here);
  connection.Submit({std::string(statement), std::move(params), std::move(reply), false, {}, {}}, here);
}

void PgPipelinePool::Write(std::vector<sql::RecordedStatement> statements, Reply reply) {
  bool here = false;
  auto& connection = Pick(here);
  connection.Submit({{}, {}, std::move(reply), false, std::move(statements), {}}, here);
}

asio::awaitable<PgRows> PgPipelinePool::Ask(std::string_view statement, std::vector<std::string> params) {
  return Asked<PgRows>([this, statement, params = std::move(params)](Reply reply) mutable {
    Query(statement, std::move(params), std::move(reply));
  });
}

asio::awaitable<PgRows> PgPipelinePool::Commit(std::vector<sql::RecordedStatement> statements) {
  return Asked<PgRows>([this, statements = std::move(statements)](Reply reply) mutable {
    Write(std::move(statements), std::move(reply));
  });
}

}  // namespace gm::infra::postgres
