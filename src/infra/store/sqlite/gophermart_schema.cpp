#include "infra/store/sqlite/migrations.hpp"

namespace gm::infra::sqlite {

// Append only: an applied migration is never edited.
const std::vector<Migration> kGophermartMigrations{
    Migration{1, R"sql(
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

}  // namespace gm::infra::sqlite
