#include "infra/store/postgres/connection.hpp"

#include <libpq-fe.h>

#include <poll.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

#include "app/faults.hpp"

namespace gm::infra::postgres {
namespace {

[[noreturn]] void Fail(PGconn* connection, const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = "postgres: " + std::string(what) + ": " + ErrorText(connection, result);
  if (IsUniqueViolationState(state)) throw sql::UniqueViolation(message);
  if (PQstatus(connection) != CONNECTION_OK || IsUnavailableState(state) || IsTimedOutState(state)) {
    throw app::StoreUnavailable(message);
  }
  throw std::runtime_error(message);
}

class PgStatement final : public sql::StatementBackend {
 public:
  PgStatement(PgConnection& owner, const std::string& name) : owner_(owner), name_(name) {}

  void Bind(int index, std::int64_t value) override { Slot(index) = std::to_string(value); }
  void Bind(int index, std::string_view value) override { Slot(index) = std::string(value); }
  void BindNull(int index) override { Slot(index) = std::nullopt; }

  bool Step() override {
    if (!result_) result_ = owner_.Run(name_, params_);
    return ++row_ < PQntuples(result_.get());
  }
  void Run() override {
    if (result_) return;  // already ran (stepped): nothing left to do
    if (!owner_.Defer(name_, params_)) result_ = owner_.Run(name_, params_);
  }
  [[nodiscard]] std::int64_t Int64(int column) const override {
    return sql::ParseInt64({PQgetvalue(result_.get(), row_, column),
                            static_cast<std::size_t>(PQgetlength(result_.get(), row_, column))},
                           column);
  }
  [[nodiscard]] std::string Text(int column) const override {
    return {PQgetvalue(result_.get(), row_, column),
            static_cast<std::size_t>(PQgetlength(result_.get(), row_, column))};
  }
  [[nodiscard]] bool IsNull(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }
  [[nodiscard]] int Columns() const override { return PQnfields(result_.get()); }

 private:
  std::optional<std::string>& Slot(int index) {
    if (params_.size() < static_cast<std::size_t>(index)) params_.resize(static_cast<std::size_t>(index));
    return params_[static_cast<std::size_t>(index) - 1];
  }

  PgConnection& owner_;
  const std::string& name_;
  PgConnection::Params params_;
  std::shared_ptr<PGresult> result_;
  int row_ = -1;
};

std::int64_t ChangedRows(const PGresult* result) {
  const char* changed = PQcmdTuples(const_cast<PGresult*>(result));
  std::int64_t changes = 0;
  std::from_chars(changed, changed + std::char_traits<char>::length(changed), changes);
  return changes;
}

bool Succeeded(const PGresult* result) {
  const auto status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

std::vector<const char*> ParamValues(const PgConnection::Params& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& param : params) values.push_back(param ? param->c_str() : nullptr);
  return values;
}

bool IsUnavailableState(const char* sqlstate) {
  if (sqlstate == nullptr) return false;
  const std::string_view code(sqlstate);
  return code.starts_with("08") || code.starts_with("53") || code.starts_with("57P");
}

std::string ErrorText(PGconn* connection, const PGresult* result) {
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(connection);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

bool IsTimedOutState(const char* sqlstate) {
  if (sqlstate == nullptr) return false;
  const std::string_view code(sqlstate);
  return code == "57014" || code == "55P03";
}

bool IsUniqueViolationState(const char* sqlstate) {
  return sqlstate != nullptr && std::string_view(sqlstate) == "23505";
}

bool PgConnection::Reusable() const {
  return !given_up_ && PQstatus(connection_) == CONNECTION_OK && PQtransactionStatus(connection_) == PQTRANS_IDLE &&
         PQpipelineStatus(connection_) == PQ_PIPELINE_OFF && !in_write_;
}

std::string ToDollarPlaceholders(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 8);
  int next = 1;
  bool quoted = false;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'') quoted = !quoted;
    if (c != '?' || quoted) {
      out += c;
      continue;
    }
    std::size_t digits = i + 1;
    while (digits < sql.size() && sql[digits] >= '0' && sql[digits] <= '9') ++digits;
    if (digits > i + 1) {
      out += '$';
      out.append(sql.substr(i + 1, digits - i - 1));
      i = digits - 1;
    } else {
      out += '$' + std::to_string(next++);
    }
  }
  return out;
}

namespace {

pg_conn* Connect(const std::string& uri) {
  std::array<const char*, kConnectDefaultKeywords.size() + 2> keywords{};
  std::array<const char*, kConnectDefaultKeywords.size() + 2> values{};
  std::copy(kConnectDefaultKeywords.begin(), kConnectDefaultKeywords.end(), keywords.begin());
  std::copy(kConnectDefaultValues.begin(), kConnectDefaultValues.end(), values.begin());
  keywords[kConnectDefaultKeywords.size()] = "dbname";
  values[kConnectDefaultKeywords.size()] = uri.c_str();
  return PQconnectdbParams(keywords.data(), values.data(), 1);
}

}  // namespace

PgConnection::PgConnection(const std::string& uri) : connection_(Connect(uri)) {
  if (PQstatus(connection_) != CONNECTION_OK) {
    const std::string message = ErrorText(connection_, nullptr);
    PQfinish(connection_);
    connection_ = nullptr;
    throw app::StoreUnavailable("cannot connect to PostgreSQL: " + message);
  }
  Execute("SET client_min_messages = warning");
}

PgConnection::~PgConnection() {
  if (connection_ != nullptr) PQfinish(connection_);
}

void PgConnection::BeginWrite() {
  if (in_write_) throw std::logic_error("postgres: a write transaction is already open");
  in_write_ = true;
  waiting_.push_back({{}, "BEGIN", {}});
}

void PgConnection::Execute(const std::string& sql) {
  if (in_write_ && (sql == "COMMIT" || sql == "ROLLBACK")) {
    in_write_ = false;
    if (sql == "COMMIT") {
      RoundTrip(Queued{{}, sql, {}});
      return;
    }
    const bool begun = waiting_.empty() || waiting_.front().sql != "BEGIN";
    waiting_.clear();
    if (!begun) return;  // nothing reached the server
  } else {
    RoundTrip(std::nullopt);  // what waits goes first; `sql` may hold several statements
  }
  const auto result = Exec(sql);
  if (!Succeeded(result.get())) Fail(connection_, result.get(), sql);
}

void PgConnection::CheckUsable() const {
  if (given_up_) throw app::StoreUnavailable("postgres: the connection was given up: the server did not answer");
}

void PgConnection::AwaitAnswer() {
  if (answer_within_.count() == 0 || PQisBusy(connection_) == 0) return;
  // Silence is what counts: a long answer that keeps arriving is awaited.
  auto deadline = std::chrono::steady_clock::now() + answer_within_;
  while (PQisBusy(connection_) != 0) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    pollfd readable{PQsocket(connection_), POLLIN, 0};
    if (left.count() <= 0 || poll(&readable, 1, static_cast<int>(left.count())) == 0) {
      given_up_ = true;
      throw app::StoreUnavailable("postgres: no answer from the server within " +
                                  std::to_string(answer_within_.count()) + " ms");
    }
    if (PQconsumeInput(connection_) == 0) return;  // broken: PQgetResult says why
    deadline = std::chrono::steady_clock::now() + answer_within_;
  }
}

std::shared_ptr<PGresult> PgConnection::NextResult() {
  AwaitAnswer();
  return {PQgetResult(connection_), PQclear};
}

std::shared_ptr<PGresult> PgConnection::Exec(const std::string& sql) {
  CheckUsable();
  if (answer_within_.count() == 0) return {PQexec(connection_, sql.c_str()), PQclear};
  if (PQsendQuery(connection_, sql.c_str()) == 0) Fail(connection_, nullptr, sql);
  // As PQexec answers: the first failure, else the last result.
  std::shared_ptr<PGresult> kept;
  while (auto result = NextResult()) {
    if (!kept || Succeeded(kept.get())) kept = std::move(result);
  }
  return kept;
}

std::shared_ptr<PGresult> PgConnection::PrepareNamed(const std::string& name, const std::string& sql) {
  CheckUsable();
  if (answer_within_.count() == 0) return {PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr), PQclear};
  if (PQsendPrepare(connection_, name.c_str(), sql.c_str(), 0, nullptr) == 0) Fail(connection_, nullptr, "prepare");
  auto result = NextResult();
  while (NextResult()) {
  }
  return result;
}

std::int64_t PgConnection::Changes() {
  RoundTrip(std::nullopt);
  return changes_;
}

bool PgConnection::Defer(const std::string& name, Params& params) {
  if (!in_write_) return false;
  waiting_.push_back({name, {}, std::move(params)});
  return true;
}

std::shared_ptr<PGresult> PgConnection::Run(const std::string& name, const Params& params) {
  return RoundTrip(Queued{name, {}, params});
}

std::shared_ptr<PGresult> PgConnection::RoundTrip(std::optional<Queued> last) {
  auto queued = std::move(waiting_);
  waiting_.clear();
  if (last) queued.push_back(std::move(*last));
  if (queued.empty()) return nullptr;
  CheckUsable();
  const auto send = [this](const Queued& item) {
    if (item.name.empty())
      return PQsendQueryParams(connection_, item.sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, 0);
    const auto values = ParamValues(item.params);
    return PQsendQueryPrepared(connection_, item.name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                               nullptr, 0);
  };
  if (queued.size() == 1) {  // no pipeline needed
    if (send(queued.front()) == 0) Fail(connection_, nullptr, "send");
    auto result = NextResult();
    while (NextResult()) {
    }
    if (!result) Fail(connection_, nullptr, queued.front().name + queued.front().sql);
    if (!Succeeded(result.get())) Fail(connection_, result.get(), queued.front().name + queued.front().sql);
    changes_ = ChangedRows(result.get());
    return result;
  }
  if (PQenterPipelineMode(connection_) == 0) Fail(connection_, nullptr, "pipeline");
  for (const auto& item : queued) {
    if (send(item) == 0) Fail(connection_, nullptr, "send");
  }
  if (PQpipelineSync(connection_) == 0) Fail(connection_, nullptr, "sync");
  std::shared_ptr<PGresult> last_result;
  std::shared_ptr<PGresult> failed;
  std::string failed_what;
  for (const auto& item : queued) {
    auto result = NextResult();
    if (!result) Fail(connection_, nullptr, item.name + item.sql);  // the connection broke
    while (NextResult()) {  // up to the null after each query's results
    }
    if (!failed && PQresultStatus(result.get()) == PGRES_FATAL_ERROR) {
      failed = result;
      failed_what = item.name + item.sql;
    }
    last_result = std::move(result);
  }
  const auto sync = NextResult();
  if (!sync || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) Fail(connection_, sync.get(), "sync");
  if (PQexitPipelineMode(connection_) == 0) Fail(connection_, nullptr, "pipeline");
  if (failed) Fail(connection_, failed.get(), failed_what);
  changes_ = ChangedRows(last_result.get());
  return last_result;
}

sql::Statement PgConnection::Prepare(const char* sql) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = std::string("s").append(std::to_string(prepared_.size()));
    const auto result = PrepareNamed(name, ToDollarPlaceholders(sql));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
      Fail(connection_, result.get(), std::string("prepare ") + sql);
    it = prepared_.emplace(sql, name).first;
  }
  return sql::Statement(std::make_unique<PgStatement>(*this, it->second));
}

}  // namespace gm::infra::postgres
