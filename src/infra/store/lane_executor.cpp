#include "infra/store/lane_executor.hpp"

#include "infra/async.hpp"

namespace gm::infra::store {
namespace {

CopiedRows CopyRows(sql::Statement& statement) {
  int columns = 0;
  std::vector<std::optional<std::string>> cells;
  while (statement.Step()) {
    columns = statement.Columns();
    for (int column = 0; column < columns; ++column) {
      if (statement.IsNull(column)) {
        cells.emplace_back();
      } else {
        cells.emplace_back(statement.Text(column));
      }
    }
  }
  return {columns, std::move(cells)};
}

}  // namespace

app::Async<SqlRows> LaneExecutor::Run(const SqlQuery& query, std::vector<std::string> params) {
  co_return co_await RunOn(lane_, [&] {
    auto connection = pool_.Acquire();
    auto statement = connection->Prepare(query.For(connection->Kind()));
    for (std::size_t i = 0; i < params.size(); ++i) statement.Bind(static_cast<int>(i) + 1, params[i]);
    return SqlRows(CopyRows(statement));
  });
}

app::Async<void> LaneExecutor::Commit(std::vector<sql::RecordedStatement> writes) {
  co_await RunOn(lane_, [&] {
    auto connection = pool_.Acquire();
    sql::WriteTransaction transaction(*connection);
    for (const auto& write : writes) {
      auto statement = connection->Prepare(write.sql);
      for (std::size_t i = 0; i < write.params.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        if (write.params[i]) {
          statement.Bind(index, *write.params[i]);
        } else {
          statement.BindNull(index);
        }
      }
      statement.Run();
    }
    transaction.Commit();
    return true;
  });
}

}  // namespace gm::infra::store
