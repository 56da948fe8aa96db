#pragma once

#include <string>
#include <vector>

#include "domain/account.hpp"
#include "domain/events.hpp"
#include "domain/order_number.hpp"
#include "domain/result.hpp"

namespace gm::domain {

// The order number a withdrawal paid for, once taken.
struct WithdrawalState {
  bool placed = false;
  std::string user_id;
  Points sum;
};

WithdrawalState Evolve(WithdrawalState state, const Event& event);

struct WithdrawPoints {
  std::string user_id;
  OrderNumber order;
  Points sum;
  TimeMs now = 0;
};

// In the order they are checked.
enum class WithdrawError {
  kSumNotPositive,
  kOrderUsedForAnotherWithdrawal,
  kInsufficientPoints,
};

// An empty event list with no error means "already done": the same user
// repeating the same withdrawal is charged once.
Result<std::vector<Event>, WithdrawError> DecideWithdraw(const AccountState& account, const WithdrawalState& withdrawal,
                                                         const WithdrawPoints& command);

}  // namespace gm::domain
