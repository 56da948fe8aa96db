#include "infra/store/schema.hpp"

namespace gm::infra::store {
namespace {

// Append only: an applied migration is never edited.
const std::vector<sql::Migration> kSqlite{
    sql::Migration{1, R"sql(
CREATE TABLE events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream      TEXT    NOT NULL,
  version     INTEGER NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  recorded_at INTEGER NOT NULL,
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
  registered_at INTEGER NOT NULL
);
CREATE TABLE orders_view (
  number      TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL,
  status      TEXT NOT NULL,
  accrual     INTEGER,
  uploaded_at INTEGER NOT NULL,
  position    INTEGER NOT NULL
);
CREATE INDEX orders_view_by_user ON orders_view (user_id, position DESC);
CREATE TABLE balances_view (
  user_id   TEXT PRIMARY KEY,
  current   INTEGER NOT NULL,
  withdrawn INTEGER NOT NULL
);
CREATE TABLE withdrawals_view (
  order_number TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL,
  sum          INTEGER NOT NULL,
  processed_at INTEGER NOT NULL,
  position     INTEGER NOT NULL
);
CREATE INDEX withdrawals_view_by_user ON withdrawals_view (user_id, position DESC);
CREATE TABLE accrual_queue (
  order_number    TEXT PRIMARY KEY,
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX accrual_queue_due ON accrual_queue (next_attempt_at);
)sql"},
};

const std::vector<sql::Migration> kPostgres{
    sql::Migration{1, R"sql(
CREATE TABLE events (
  position    BIGSERIAL PRIMARY KEY,
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
)sql"},
    sql::Migration{2, R"sql(
-- Readers of the whole log order by (transaction_id, position): see ReadAll.
ALTER TABLE events ADD COLUMN transaction_id xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_in_commit_order ON events (transaction_id, position);
)sql"},
};

}  // namespace

const std::vector<sql::Migration>& GophermartMigrations(sql::Dialect dialect) {
  switch (dialect) {
    case sql::Dialect::kSqlite:
      return kSqlite;
    case sql::Dialect::kPostgres:
      return kPostgres;
  }
  return kSqlite;
}

}  // namespace gm::infra::store
