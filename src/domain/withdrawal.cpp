#include "domain/withdrawal.hpp"

namespace gm::domain {

WithdrawalState Evolve(WithdrawalState state, const Event& event) {
  if (const auto* placed = std::get_if<WithdrawalPlaced>(&event)) {
    state.placed = true;
    state.user_id = placed->user_id;
    state.sum = placed->sum;
  }
  return state;
}

Result<std::vector<Event>, WithdrawError> DecideWithdraw(const AccountState& account, const WithdrawalState& withdrawal,
                                                         const WithdrawPoints& command) {
  if (command.sum.hundredths <= 0) return WithdrawError::kSumNotPositive;
  if (withdrawal.placed) {
    if (withdrawal.user_id == command.user_id && withdrawal.sum == command.sum) return std::vector<Event>{};
    return WithdrawError::kOrderUsedForAnotherWithdrawal;
  }
  if (account.current < command.sum) return WithdrawError::kInsufficientPoints;
  const std::string& order = command.order.Digits();
  return std::vector<Event>{
      WithdrawalPlaced{order, command.user_id, command.sum, command.now},
      PointsWithdrawn{command.user_id, order, command.sum, command.now},
  };
}

}  // namespace gm::domain
