#pragma once

#include <vector>

#include "app/ports.hpp"
#include "infra/store/sql_executor.hpp"

namespace gm::infra::store {

// The per-user read-model queries over either executor, each one statement.
class SqlReadModels final : public app::AsyncReadModels {
 public:
  explicit SqlReadModels(SqlExecutor& executor) : executor_(executor) {}
  // The queries it runs (what a pipeline must prepare).
  static std::vector<SqlQuery> Queries();

  app::Async<std::optional<app::UserCredentialsView>> FindUserByLogin(const std::string& login) override;
  // Pages of kPageRows.
  static constexpr int kPageRows = 1000;
  app::Async<app::ListPage<app::OrderView>> OrdersOf(const std::string& user_id, std::string after) override;
  app::Async<app::BalanceView> BalanceOf(const std::string& user_id) override;
  app::Async<app::ListPage<app::WithdrawalView>> WithdrawalsOf(const std::string& user_id,
                                                               std::string after) override;
  app::Async<app::ListPage<domain::Event>> AccountEventsOf(const std::string& user_id, std::string after) override;

 private:
  SqlExecutor& executor_;
};

}  // namespace gm::infra::store
