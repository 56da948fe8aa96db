#pragma once

#include <boost/asio/any_io_executor.hpp>

#include "infra/store/sql/sql.hpp"
#include "infra/store/sql_executor.hpp"

namespace gm::infra::store {

// Blocking connections (SQLite's; PostgreSQL's work too) as an
// SqlExecutor: each call takes a connection of `pool` on `lane`, a thread
// pool's executor whose threads may block, and copies the rows out there. A
// commit replays the recorded writes inside BEGIN IMMEDIATE on SQLite
// (BEGIN on PostgreSQL). Parameters are bound as text: SQLite's column
// affinity stores and compares them as the columns' types, as PostgreSQL
// infers a parameter's type from its use.
class LaneExecutor final : public SqlExecutor {
 public:
  LaneExecutor(sql::ConnectionPool& pool, boost::asio::any_io_executor lane) : pool_(pool), lane_(std::move(lane)) {}

  app::Async<SqlRows> Run(const SqlQuery& query, std::vector<std::string> params) override;
  app::Async<void> Commit(std::vector<sql::RecordedStatement> writes) override;
  [[nodiscard]] Dialect Kind() const override { return pool_.Kind(); }

 private:
  sql::ConnectionPool& pool_;
  boost::asio::any_io_executor lane_;
};

}  // namespace gm::infra::store
