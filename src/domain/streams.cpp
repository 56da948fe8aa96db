#include "domain/events.hpp"
#include "domain/overloaded.hpp"

namespace gm::domain {
namespace {}  // namespace

std::string UserStream(const std::string& login) { return "user-" + login; }
std::string OrderStream(const std::string& number) { return "order-" + number; }
std::string AccountStream(const std::string& user_id) { return "account-" + user_id; }
std::string WithdrawalStream(const std::string& order) { return "withdrawal-" + order; }

std::string StreamOf(const Event& event) {
  return std::visit(Overloaded{
                        [](const UserRegistered& e) { return UserStream(e.login); },
                        [](const OrderUploaded& e) { return OrderStream(e.number); },
                        [](const OrderProcessingStarted& e) { return OrderStream(e.number); },
                        [](const OrderProcessed& e) { return OrderStream(e.number); },
                        [](const OrderInvalidated& e) { return OrderStream(e.number); },
                        [](const PointsAccrued& e) { return AccountStream(e.user_id); },
                        [](const PointsWithdrawn& e) { return AccountStream(e.user_id); },
                        [](const WithdrawalPlaced& e) { return WithdrawalStream(e.order); },
                    },
                    event);
}

}  // namespace gm::domain
