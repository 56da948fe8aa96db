#include "domain/account_watch.hpp"

#include "domain/overloaded.hpp"

namespace gm::domain {

std::optional<WatchUpdate> AccountWatch::Apply(const Event& event) {
  using Update = std::optional<WatchUpdate>;
  const auto status = [](const std::string& number, OrderStatus to, Points accrual = {}) -> Update {
    return OrderStatusChanged{number, to, accrual};
  };
  const auto points = [this, &event]() -> Update {
    balance_ = Evolve(balance_, event);
    return BalanceChanged{balance_};
  };
  return std::visit(Overloaded{
                        [&](const OrderUploaded& e) { return status(e.number, OrderStatus::kNew); },
                        [&](const OrderProcessingStarted& e) { return status(e.number, OrderStatus::kProcessing); },
                        [&](const OrderProcessed& e) { return status(e.number, OrderStatus::kProcessed, e.accrual); },
                        [&](const OrderInvalidated& e) { return status(e.number, OrderStatus::kInvalid); },
                        [&](const PointsAccrued&) { return points(); },
                        [&](const PointsWithdrawn&) { return points(); },
                        [](const UserRegistered&) -> Update { return std::nullopt; },
                        [](const WithdrawalPlaced&) -> Update { return std::nullopt; },
                    },
                    event);
}

}  // namespace gm::domain
