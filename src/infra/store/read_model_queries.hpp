#pragma once

#include <string_view>

#include "domain/order.hpp"

// The per-user read-model queries, shared by the blocking store and the
// PostgreSQL pipeline so both ask exactly the same thing.
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

}  // namespace gm::infra::store::queries
