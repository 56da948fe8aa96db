#include "infra/store/read_model_queries.hpp"
#include "infra/store/sql_store.hpp"

namespace gm::infra::store {

std::optional<app::UserCredentialsView> SqlStore::FindUserByLogin(const std::string& login) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kUserByLogin);
  statement.Bind(1, login);
  return queries::ReadUser(statement);
}

std::vector<app::OrderView> SqlStore::OrdersOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kOrdersOf);
  statement.Bind(1, user_id);
  return queries::ReadOrders(statement);
}

app::BalanceView SqlStore::BalanceOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kBalanceOf);
  statement.Bind(1, user_id);
  return queries::ReadBalance(statement);
}

std::vector<app::WithdrawalView> SqlStore::WithdrawalsOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(queries::kWithdrawalsOf);
  statement.Bind(1, user_id);
  return queries::ReadWithdrawals(statement);
}

}  // namespace gm::infra::store
