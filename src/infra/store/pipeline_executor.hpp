#pragma once

#include <vector>

#include "infra/store/postgres/pipeline.hpp"
#include "infra/store/sql_executor.hpp"

namespace gm::infra::store {

// PostgreSQL's event-loop pipeline as an SqlExecutor: a query is one of the
// pool's prepared statements, named as the SqlQuery is; a commit is its
// statements sent as one write with its own Sync (one round trip, no
// BEGIN/COMMIT). No thread waits for either.
class PipelineExecutor final : public SqlExecutor {
 public:
  explicit PipelineExecutor(postgres::PgPipelinePool& pool) : pool_(pool) {}

  // What a pool must prepare on each connection to run `queries`.
  static std::vector<postgres::PgStatementText> Statements(const std::vector<SqlQuery>& queries);

  app::Async<SqlRows> Run(const SqlQuery& query, std::vector<std::string> params) override;
  app::Async<void> Commit(std::vector<sql::RecordedStatement> writes) override;
  [[nodiscard]] Dialect Kind() const override { return Dialect::kPostgres; }

 private:
  postgres::PgPipelinePool& pool_;
};

}  // namespace gm::infra::store
