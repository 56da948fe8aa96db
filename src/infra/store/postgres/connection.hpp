#pragma once

#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "infra/store/sql/sql.hpp"

struct pg_conn;
struct pg_result;

namespace gm::infra::postgres {

// What every connection sets unless its URI says otherwise (they go before
// the URI in libpq's arrays, so the URI's own values win): give up
// connecting after 5 s, and TCP keepalives, so a server or a network path
// that vanished is noticed in about 25 s instead of never.
inline constexpr std::array<const char*, 5> kConnectDefaultKeywords{
    "connect_timeout", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count"};
inline constexpr std::array<const char*, 5> kConnectDefaultValues{"5", "1", "10", "5", "3"};

// One blocking libpq connection with its prepared statements, used on the
// database lane. Parameters and results travel as text; `?`/`?N`
// placeholders become `$N`. Inside a write transaction it saves round trips
// with libpq's pipeline mode: BEGIN waits for the first statement, and
// statements run for their effect only (Statement::Run) wait for the next
// one that needs an answer or for COMMIT; each group goes out in one round
// trip. An append is then one round trip: BEGIN, inserts, projections, COMMIT.
class PgConnection final : public sql::Connection {
 public:
  using Params = std::vector<std::optional<std::string>>;

  explicit PgConnection(const std::string& uri);
  ~PgConnection() override;
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;

  sql::Statement Prepare(const char* sql) override;
  void Execute(const std::string& sql) override;
  void BeginWrite() override;
  [[nodiscard]] std::int64_t Changes() override;
  [[nodiscard]] Dialect Kind() const override { return Dialect::kPostgres; }
  [[nodiscard]] bool Reusable() const override;
  void AnswerWithin(std::chrono::milliseconds limit) override { answer_within_ = limit; }

  // Runs a prepared statement now, with whatever waits before it.
  std::shared_ptr<pg_result> Run(const std::string& name, const Params& params);
  // Keeps a statement (taking its parameters) for the next round trip;
  // false outside a write transaction, parameters untouched (then the
  // caller runs it now).
  bool Defer(const std::string& name, Params& params);

 private:
  struct Queued {
    std::string name;  // a prepared statement, or empty for `sql`
    std::string sql;   // BEGIN / COMMIT
    Params params;
  };
  // Sends everything waiting plus `last` (when given) in one pipeline and
  // returns the last result; throws on the first error.
  std::shared_ptr<pg_result> RoundTrip(std::optional<Queued> last);
  // Waits until a result can be read without blocking, at most
  // answer_within_ (when set): past it the connection is given up and this
  // throws app::StoreUnavailable.
  void AwaitAnswer();
  // Fails at once on a connection given up: it may still owe answers.
  void CheckUsable() const;
  // PQexec, PQprepare and PQgetResult, each within answer_within_.
  std::shared_ptr<pg_result> Exec(const std::string& sql);
  std::shared_ptr<pg_result> PrepareNamed(const std::string& name, const std::string& sql);
  std::shared_ptr<pg_result> NextResult();

  pg_conn* connection_ = nullptr;
  std::unordered_map<const char*, std::string> prepared_;  // sql literal -> statement name
  std::int64_t changes_ = 0;
  bool in_write_ = false;
  std::vector<Queued> waiting_;  // BEGIN and deferred statements, in order
  std::chrono::milliseconds answer_within_{0};
  bool given_up_ = false;  // an answer did not come within answer_within_
};

// The parameters as libpq takes them: pointers into `params`, null for NULL.
std::vector<const char*> ParamValues(const PgConnection::Params& params);

// libpq's message for `result`, or for the connection when there is none,
// without its trailing newline.
std::string ErrorText(pg_conn* connection, const pg_result* result = nullptr);

// SQLSTATEs that say "not now" rather than "wrong": connection exceptions
// (08…), insufficient resources (53…), shutdowns (57P…; a terminated
// backend's last answer is 57P01).
bool IsUnavailableState(const char* sqlstate);
// 57014 (statement_timeout) and 55P03 (lock_timeout): the server gave a
// statement up at its own deadline, and nothing of it was done.
bool IsTimedOutState(const char* sqlstate);
// 23505: an insert or update broke a unique constraint.
bool IsUniqueViolationState(const char* sqlstate);

// "SELECT ?1, ?" -> "SELECT $1, $2": numbered placeholders keep their number,
// bare ones count up. Quoted text is left alone.
std::string ToDollarPlaceholders(std::string_view sql);

}  // namespace gm::infra::postgres
