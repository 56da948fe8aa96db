#pragma once

#include <optional>
#include <string>
#include <variant>

#include "domain/account.hpp"
#include "domain/order.hpp"

namespace gm::domain {

// What a customer watching their own account is told about one of its
// events: an order of theirs has a new status, or their points changed.
struct OrderStatusChanged {
  std::string number;
  OrderStatus status = OrderStatus::kNew;
  Points accrual;  // PROCESSED only
};

struct BalanceChanged {
  AccountState balance;  // right after the event
};

using WatchUpdate = std::variant<OrderStatusChanged, BalanceChanged>;

// Folds one user's account stream, with their orders' events, in log order;
// each event says what it tells the watcher. The balance is the account
// stream's own fold, so an update always shows a state the account had.
class AccountWatch {
 public:
  std::optional<WatchUpdate> Apply(const Event& event);
  [[nodiscard]] const AccountState& Balance() const { return balance_; }

 private:
  AccountState balance_;
};

}  // namespace gm::domain
