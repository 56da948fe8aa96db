#include "infra/store/pipeline_executor.hpp"

#include "infra/async.hpp"

namespace gm::infra::store {

std::vector<postgres::PgStatementText> PipelineExecutor::Statements(const std::vector<SqlQuery>& queries) {
  std::vector<postgres::PgStatementText> statements;
  statements.reserve(queries.size());
  for (const auto& query : queries) {
    statements.push_back({query.name, query.sql, query.many_sql == nullptr ? "" : query.many_sql});
  }
  return statements;
}

// Not a coroutine: the caller awaits the pool's answer directly, with no
// frame of ours between (a read is the hot path).
app::Async<SqlRows> PipelineExecutor::Run(const SqlQuery& query, std::vector<std::string> params) {
  return Asked<SqlRows>([this, name = query.name, params = std::move(params)](auto resume) mutable {
    pool_.Query(name, std::move(params), [resume = std::move(resume)](std::exception_ptr error, postgres::PgRows rows) {
      resume(std::move(error), SqlRows(std::move(rows)));
    });
  });
}

app::Async<void> PipelineExecutor::Commit(std::vector<sql::RecordedStatement> writes) {
  co_await pool_.Commit(std::move(writes));
}

}  // namespace gm::infra::store
