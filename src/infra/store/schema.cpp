#include "infra/store/schema.hpp"

#include <string>

namespace gm::infra::store {
namespace {

// Append only: an applied migration is never edited. One text serves both
// dialects (SQLite takes BIGINT as an integer type); only the log's position
// key is spelled per dialect.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE events (
  position    {POSITION_KEY},
  stream      TEXT    NOT NULL,
  version     BIGINT NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  recorded_at BIGINT NOT NULL,
  UNIQUE (stream, version)
);
CREATE TABLE settings (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE users_view (
  user_id       TEXT PRIMARY KEY,
  login         TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  registered_at BIGINT NOT NULL
);
CREATE TABLE orders_view (
  number      TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL,
  status      TEXT NOT NULL,
  accrual     BIGINT,
  uploaded_at BIGINT NOT NULL,
  position    BIGINT NOT NULL
);
CREATE INDEX orders_view_by_user ON orders_view (user_id, position DESC);
CREATE TABLE balances_view (
  user_id   TEXT PRIMARY KEY,
  current   BIGINT NOT NULL,
  withdrawn BIGINT NOT NULL
);
CREATE TABLE withdrawals_view (
  order_number TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL,
  sum          BIGINT NOT NULL,
  processed_at BIGINT NOT NULL,
  position     BIGINT NOT NULL
);
CREATE INDEX withdrawals_view_by_user ON withdrawals_view (user_id, position DESC);
CREATE TABLE accrual_queue (
  order_number    TEXT PRIMARY KEY,
  attempts        BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  lease_until     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX accrual_queue_due ON accrual_queue (next_attempt_at);
)sql";

// PostgreSQL only: readers of the whole log order by (transaction_id,
// position), see SqlStore::ReadAll. SQLite assigns positions in commit order.
constexpr const char* kPostgresVersion2 = R"sql(
-- Readers of the whole log order by (transaction_id, position): see ReadAll.
ALTER TABLE events ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_in_commit_order ON events (transaction_id, position);
)sql";

// The account stream's version beside its folded state, so a withdrawal
// reads one row instead of replaying every credit (AccountSnapshot).
constexpr const char* kVersion3 = R"sql(
ALTER TABLE balances_view ADD COLUMN account_version BIGINT NOT NULL DEFAULT 0;
UPDATE balances_view SET account_version =
  (SELECT COUNT(*) FROM events WHERE events.stream = 'account-' || balances_view.user_id);
)sql";

// PostgreSQL only: SQLite's last_insert_rowid() under the same name, so the
// projections name "the event just inserted" in one text for both dialects.
constexpr const char* kPostgresVersion4 = R"sql(
CREATE FUNCTION last_insert_rowid() RETURNS BIGINT LANGUAGE sql VOLATILE AS 'SELECT lastval()';
)sql";

// PostgreSQL only. The pipelines plan each statement once per connection
// (docs/decisions/0006), and a generic plan guesses the rows of
// `user_id = $1` as rows / distinct users. Where a few users hold most rows
// (a big customer; a benchmark's writer) that guess is "half the table", and
// every user's list became a sequential scan. Say what the column is: many
// users with a few rows each (distinct users = 5 % of rows), so the plan is
// the per-user index whatever the data.
constexpr const char* kPostgresVersion5 = R"sql(
ALTER TABLE orders_view ALTER COLUMN user_id SET (n_distinct = -0.05);
ALTER TABLE withdrawals_view ALTER COLUMN user_id SET (n_distinct = -0.05);
ANALYZE orders_view;
ANALYZE withdrawals_view;
)sql";

std::string WithPositionKey(const char* sql, const char* key) {
  std::string text(sql);
  const std::string token = "{POSITION_KEY}";
  text.replace(text.find(token), token.size(), key);
  return text;
}

const std::string kSqliteVersion1 = WithPositionKey(kVersion1, "INTEGER PRIMARY KEY AUTOINCREMENT");
const std::string kPostgresVersion1 = WithPositionKey(kVersion1, "BIGSERIAL PRIMARY KEY");

const std::vector<sql::Migration> kSqlite{
    sql::Migration{1, kSqliteVersion1.c_str()},
    sql::Migration{3, kVersion3},
};

const std::vector<sql::Migration> kPostgres{
    sql::Migration{1, kPostgresVersion1.c_str()},
    sql::Migration{2, kPostgresVersion2},
    sql::Migration{3, kVersion3},
    sql::Migration{4, kPostgresVersion4},
    sql::Migration{5, kPostgresVersion5},
};

}  // namespace

const std::vector<sql::Migration>& GophermartMigrations(Dialect dialect) {
  switch (dialect) {
    case Dialect::kSqlite:
      return kSqlite;
    case Dialect::kPostgres:
      return kPostgres;
  }
  return kSqlite;
}

}  // namespace gm::infra::store
