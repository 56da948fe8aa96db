#include "infra/store/read_model_queries.hpp"
#include "infra/store/sql_store.hpp"

namespace gm::infra::store {

std::optional<app::UserCredentialsView> SqlStore::FindUserByLogin(const std::string& login) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kUserByLogin);
  statement.Bind(1, login);
  if (!statement.Step()) return std::nullopt;
  return app::UserCredentialsView{statement.Text(0), statement.Text(1)};
}

std::vector<app::OrderView> SqlStore::OrdersOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kOrdersOf);
  statement.Bind(1, user_id);
  std::vector<app::OrderView> orders;
  while (statement.Step()) {
    orders.push_back({statement.Text(0), queries::StatusFromColumn(statement.Text(1)),
                      domain::Points{statement.IsNull(2) ? 0 : statement.Int64(2)}, statement.Int64(3)});
  }
  return orders;
}

app::BalanceView SqlStore::BalanceOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kBalanceOf);
  statement.Bind(1, user_id);
  if (!statement.Step()) return {};
  return {domain::Points{statement.Int64(0)}, domain::Points{statement.Int64(1)}};
}

std::vector<app::WithdrawalView> SqlStore::WithdrawalsOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kWithdrawalsOf);
  statement.Bind(1, user_id);
  std::vector<app::WithdrawalView> withdrawals;
  while (statement.Step()) {
    withdrawals.push_back({statement.Text(0), domain::Points{statement.Int64(1)}, statement.Int64(2)});
  }
  return withdrawals;
}

}  // namespace gm::infra::store
