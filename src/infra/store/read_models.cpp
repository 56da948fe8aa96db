#include "infra/store/sql_store.hpp"

namespace gm::infra::store {
namespace {

domain::OrderStatus ParseStatus(const std::string& name) {
  if (name == "PROCESSING") return domain::OrderStatus::kProcessing;
  if (name == "INVALID") return domain::OrderStatus::kInvalid;
  if (name == "PROCESSED") return domain::OrderStatus::kProcessed;
  return domain::OrderStatus::kNew;
}

}  // namespace

std::optional<app::UserCredentialsView> SqlStore::FindUserByLogin(const std::string& login) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare("SELECT user_id, password_hash FROM users_view WHERE login = ?");
  statement.Bind(1, login);
  if (!statement.Step()) return std::nullopt;
  return app::UserCredentialsView{statement.Text(0), statement.Text(1)};
}

std::vector<app::OrderView> SqlStore::OrdersOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(
      "SELECT number, status, accrual, uploaded_at FROM orders_view WHERE user_id = ? ORDER BY position DESC");
  statement.Bind(1, user_id);
  std::vector<app::OrderView> orders;
  while (statement.Step()) {
    orders.push_back({statement.Text(0), ParseStatus(statement.Text(1)),
                      domain::Points{statement.IsNull(2) ? 0 : statement.Int64(2)}, statement.Int64(3)});
  }
  return orders;
}

app::BalanceView SqlStore::BalanceOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare("SELECT current, withdrawn FROM balances_view WHERE user_id = ?");
  statement.Bind(1, user_id);
  if (!statement.Step()) return {};
  return {domain::Points{statement.Int64(0)}, domain::Points{statement.Int64(1)}};
}

std::vector<app::WithdrawalView> SqlStore::WithdrawalsOf(const std::string& user_id) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare(
      "SELECT order_number, sum, processed_at FROM withdrawals_view WHERE user_id = ? ORDER BY position DESC");
  statement.Bind(1, user_id);
  std::vector<app::WithdrawalView> withdrawals;
  while (statement.Step()) {
    withdrawals.push_back({statement.Text(0), domain::Points{statement.Int64(1)}, statement.Int64(2)});
  }
  return withdrawals;
}

}  // namespace gm::infra::store
