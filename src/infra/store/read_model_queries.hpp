#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "app/ports.hpp"
#include "domain/order.hpp"
#include "infra/store/row_cursor.hpp"

// The per-user read-model queries and the reading of their rows, shared by
// the blocking store and the PostgreSQL pipeline so both ask and read
// exactly the same thing.
namespace gm::infra::store::queries {

inline constexpr const char* kUserByLogin = "SELECT user_id, password_hash FROM users_view WHERE login = ?";
inline constexpr const char* kOrdersOf =
    "SELECT number, status, accrual, uploaded_at FROM orders_view WHERE user_id = ? ORDER BY position DESC";
inline constexpr const char* kBalanceOf = "SELECT current, withdrawn FROM balances_view WHERE user_id = ?";
inline constexpr const char* kWithdrawalsOf =
    "SELECT order_number, sum, processed_at FROM withdrawals_view WHERE user_id = ? ORDER BY position DESC";

// The same for many users at once, each row led by its user (PostgreSQL's
// pipeline asks these when several requests for one query meet in a batch).
inline constexpr const char* kOrdersOfMany =
    "SELECT user_id, number, status, accrual, uploaded_at FROM orders_view WHERE user_id = ANY(?::text[]) "
    "ORDER BY user_id, position DESC";
inline constexpr const char* kBalancesOfMany =
    "SELECT user_id, current, withdrawn FROM balances_view WHERE user_id = ANY(?::text[])";
inline constexpr const char* kWithdrawalsOfMany =
    "SELECT user_id, order_number, sum, processed_at FROM withdrawals_view WHERE user_id = ANY(?::text[]) "
    "ORDER BY user_id, position DESC";

inline domain::OrderStatus StatusFromColumn(std::string_view name) {
  if (name == "PROCESSING") return domain::OrderStatus::kProcessing;
  if (name == "INVALID") return domain::OrderStatus::kInvalid;
  if (name == "PROCESSED") return domain::OrderStatus::kProcessed;
  return domain::OrderStatus::kNew;
}

template <RowCursor Rows>
std::optional<app::UserCredentialsView> ReadUser(Rows& rows) {
  if (!rows.Step()) return std::nullopt;
  return app::UserCredentialsView{rows.Text(0), rows.Text(1)};
}

template <RowCursor Rows>
std::vector<app::OrderView> ReadOrders(Rows& rows) {
  std::vector<app::OrderView> orders;
  ReserveFor(orders, rows);
  while (rows.Step()) {
    orders.push_back({rows.Text(0), StatusFromColumn(rows.Text(1)),
                      domain::Points{rows.IsNull(2) ? 0 : rows.Int64(2)}, rows.Int64(3)});
  }
  return orders;
}

template <RowCursor Rows>
app::BalanceView ReadBalance(Rows& rows) {
  if (!rows.Step()) return {};
  return {domain::Points{rows.Int64(0)}, domain::Points{rows.Int64(1)}};
}

template <RowCursor Rows>
std::vector<app::WithdrawalView> ReadWithdrawals(Rows& rows) {
  std::vector<app::WithdrawalView> withdrawals;
  ReserveFor(withdrawals, rows);
  while (rows.Step()) withdrawals.push_back({rows.Text(0), domain::Points{rows.Int64(1)}, rows.Int64(2)});
  return withdrawals;
}

}  // namespace gm::infra::store::queries
