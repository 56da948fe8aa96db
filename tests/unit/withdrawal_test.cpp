// Proves withdrawals: the balance never goes negative, repeats are charged
// once, and an order number serves one withdrawal only.
#include <gtest/gtest.h>

#include "domain/withdrawal.hpp"

namespace gm::domain {
namespace {

OrderNumber Number(std::string_view text) { return OrderNumber::Parse(text).Value(); }

AccountState AccountWith(std::int64_t hundredths) {
  return Evolve(AccountState{}, PointsAccrued{"u1", "1", {hundredths}, 1});
}

TEST(Withdraw, WithdrawsWithinTheBalance) {
  auto events = DecideWithdraw(AccountWith(10000), {}, {"u1", Number("2377225624"), {7510}, 5});
  ASSERT_TRUE(events.HasValue());
  ASSERT_EQ(events.Value().size(), 2U);
  EXPECT_EQ(StreamOf(events.Value()[0]), "withdrawal-2377225624");
  EXPECT_EQ(StreamOf(events.Value()[1]), "account-u1");
  AccountState after = AccountWith(10000);
  for (const auto& event : events.Value()) after = Evolve(after, event);
  EXPECT_EQ(after.current.hundredths, 2490);
  EXPECT_EQ(after.withdrawn.hundredths, 7510);
}

TEST(Withdraw, WholeBalanceCanBeWithdrawn) {
  EXPECT_TRUE(DecideWithdraw(AccountWith(10000), {}, {"u1", Number("2377225624"), {10000}, 5}).HasValue());
}

TEST(Withdraw, RefusesInOrderOfCheck) {
  const WithdrawalState taken = Evolve(WithdrawalState{}, WithdrawalPlaced{"2377225624", "u2", {100}, 1});
  // Not positive comes first, even for a taken order and an empty account.
  EXPECT_EQ(DecideWithdraw(AccountState{}, taken, {"u1", Number("2377225624"), {0}, 5}).Error(),
            WithdrawError::kSumNotPositive);
  EXPECT_EQ(DecideWithdraw(AccountState{}, taken, {"u1", Number("2377225624"), {-100}, 5}).Error(),
            WithdrawError::kSumNotPositive);
  EXPECT_EQ(DecideWithdraw(AccountState{}, taken, {"u1", Number("2377225624"), {100}, 5}).Error(),
            WithdrawError::kOrderUsedForAnotherWithdrawal);
  EXPECT_EQ(DecideWithdraw(AccountWith(99), {}, {"u1", Number("2377225624"), {100}, 5}).Error(),
            WithdrawError::kInsufficientPoints);
}

TEST(Withdraw, RepeatBySameUserAndSumIsChargedOnce) {
  const WithdrawalState placed = Evolve(WithdrawalState{}, WithdrawalPlaced{"2377225624", "u1", {100}, 1});
  auto events = DecideWithdraw(AccountWith(0), placed, {"u1", Number("2377225624"), {100}, 5});
  ASSERT_TRUE(events.HasValue());
  EXPECT_TRUE(events.Value().empty());
}

TEST(Withdraw, SameOrderWithAnotherSumIsRefused) {
  const WithdrawalState placed = Evolve(WithdrawalState{}, WithdrawalPlaced{"2377225624", "u1", {100}, 1});
  EXPECT_EQ(DecideWithdraw(AccountWith(10000), placed, {"u1", Number("2377225624"), {200}, 5}).Error(),
            WithdrawError::kOrderUsedForAnotherWithdrawal);
}

}  // namespace
}  // namespace gm::domain
