#include "infra/store/postgres/connection.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <optional>
#include <stdexcept>
#include <vector>

namespace gm::infra::postgres {
namespace {

constexpr const char* kUniqueViolation = "23505";

struct ResultFree {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultFree>;

std::string ErrorOf(PGconn* connection, const PGresult* result) {
  std::string message = result ? PQresultErrorMessage(result) : PQerrorMessage(connection);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) message.pop_back();
  return message;
}

[[noreturn]] void Fail(PGconn* connection, const PGresult* result, std::string_view what) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message = "postgres: " + std::string(what) + ": " + ErrorOf(connection, result);
  if (state != nullptr && std::string_view(state) == kUniqueViolation) throw sql::UniqueViolation(message);
  if (PQstatus(connection) != CONNECTION_OK || IsUnavailableState(state)) throw sql::Unavailable(message);
  throw std::runtime_error(message);
}

class PgStatement final : public sql::StatementBackend {
 public:
  PgStatement(PgConnection& owner, PGconn* connection, const std::string& name)
      : owner_(owner), connection_(connection), name_(name) {}

  void Bind(int index, std::int64_t value) override { Slot(index) = std::to_string(value); }
  void Bind(int index, std::string_view value) override { Slot(index) = std::string(value); }
  void BindNull(int index) override { Slot(index) = std::nullopt; }

  bool Step() override {
    if (!result_) Run();
    return ++row_ < PQntuples(result_.get());
  }
  [[nodiscard]] std::int64_t Int64(int column) const override {
    const char* text = PQgetvalue(result_.get(), row_, column);
    std::int64_t value = 0;
    std::from_chars(text, text + PQgetlength(result_.get(), row_, column), value);
    return value;
  }
  [[nodiscard]] std::string Text(int column) const override {
    return {PQgetvalue(result_.get(), row_, column),
            static_cast<std::size_t>(PQgetlength(result_.get(), row_, column))};
  }
  [[nodiscard]] bool IsNull(int column) const override { return PQgetisnull(result_.get(), row_, column) != 0; }

 private:
  std::optional<std::string>& Slot(int index) {
    if (params_.size() < static_cast<std::size_t>(index)) params_.resize(static_cast<std::size_t>(index));
    return params_[static_cast<std::size_t>(index) - 1];
  }

  void Run() {
    std::vector<const char*> values;
    values.reserve(params_.size());
    for (const auto& param : params_) values.push_back(param ? param->c_str() : nullptr);
    result_.reset(PQexecPrepared(connection_, name_.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                 nullptr, 0));
    const auto status = PQresultStatus(result_.get());
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(connection_, result_.get(), name_);
    const char* changed = PQcmdTuples(result_.get());
    std::int64_t changes = 0;
    std::from_chars(changed, changed + std::char_traits<char>::length(changed), changes);
    owner_.RecordChanges(changes);
  }

  PgConnection& owner_;
  PGconn* connection_;
  const std::string& name_;
  std::vector<std::optional<std::string>> params_;
  ResultPtr result_;
  int row_ = -1;
};

}  // namespace

bool IsUnavailableState(const char* sqlstate) {
  if (sqlstate == nullptr) return false;
  const std::string_view code(sqlstate);
  return code.starts_with("08") || code.starts_with("53") || code.starts_with("57P");
}

bool PgConnection::Reusable() const {
  return PQstatus(connection_) == CONNECTION_OK && PQtransactionStatus(connection_) == PQTRANS_IDLE;
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

PgConnection::PgConnection(const std::string& uri) : connection_(PQconnectdb(uri.c_str())) {
  if (PQstatus(connection_) != CONNECTION_OK) {
    const std::string message = ErrorOf(connection_, nullptr);
    PQfinish(connection_);
    connection_ = nullptr;
    throw sql::Unavailable("cannot connect to PostgreSQL: " + message);
  }
  Execute("SET client_min_messages = warning");
}

PgConnection::~PgConnection() {
  if (connection_ != nullptr) PQfinish(connection_);
}

void PgConnection::Execute(const std::string& sql) {
  ResultPtr result(PQexec(connection_, sql.c_str()));
  const auto status = PQresultStatus(result.get());
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) Fail(connection_, result.get(), sql);
}

sql::Statement PgConnection::Prepare(const char* sql) {
  auto it = prepared_.find(sql);
  if (it == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size());
    ResultPtr result(PQprepare(connection_, name.c_str(), ToDollarPlaceholders(sql).c_str(), 0, nullptr));
    if (PQresultStatus(result.get()) != PGRES_COMMAND_OK)
      Fail(connection_, result.get(), std::string("prepare ") + sql);
    it = prepared_.emplace(sql, name).first;
  }
  return sql::Statement(std::make_unique<PgStatement>(*this, connection_, it->second));
}

}  // namespace gm::infra::postgres
