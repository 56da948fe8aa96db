// What a customer watching their account is told about each of its events.
#include <gtest/gtest.h>

#include "domain/account_watch.hpp"

namespace gm::domain {
namespace {

TEST(AccountWatch, EachOrderEventIsItsNewStatus) {
  AccountWatch watch;
  const auto status = [&watch](const Event& event) { return std::get<OrderStatusChanged>(*watch.Apply(event)); };
  EXPECT_EQ(status(OrderUploaded{"79927398713", "u1", 1}).status, OrderStatus::kNew);
  EXPECT_EQ(status(OrderProcessingStarted{"79927398713", 2}).status, OrderStatus::kProcessing);
  EXPECT_EQ(status(OrderInvalidated{"12345678903", 3}).status, OrderStatus::kInvalid);
  const auto processed = status(OrderProcessed{"79927398713", "u1", Points{50025}, 4});
  EXPECT_EQ(processed.number, "79927398713");
  EXPECT_EQ(processed.status, OrderStatus::kProcessed);
  EXPECT_EQ(processed.accrual, Points{50025});
  EXPECT_EQ(watch.Balance().current, Points{0}) << "an order's events do not move the points";
}

TEST(AccountWatch, EachChangeOfPointsIsTheBalanceRightAfterIt) {
  AccountWatch watch;
  const auto balance = [&watch](const Event& event) {
    return std::get<BalanceChanged>(*watch.Apply(event)).balance;
  };
  const auto first = balance(PointsAccrued{"u1", "79927398713", Points{50025}, 1});
  EXPECT_EQ(first.current, Points{50025});
  EXPECT_EQ(first.withdrawn, Points{0});
  const auto second = balance(PointsWithdrawn{"u1", "2377225624", Points{2000}, 2});
  EXPECT_EQ(second.current, Points{48025});
  EXPECT_EQ(second.withdrawn, Points{2000});
  EXPECT_EQ(watch.Balance().current, Points{48025});
}

TEST(AccountWatch, OtherEventsTellNothing) {
  AccountWatch watch;
  EXPECT_FALSE(watch.Apply(UserRegistered{"u1", "login", "hash", 1}));
  EXPECT_FALSE(watch.Apply(WithdrawalPlaced{"2377225624", "u1", Points{2000}, 2}));
}

}  // namespace
}  // namespace gm::domain
