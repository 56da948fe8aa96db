#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "accrual/reward.hpp"
#include "infra/store/sql/sql.hpp"

namespace gm::accrual {

enum class OrderStatus { kRegistered, kProcessing, kInvalid, kProcessed };
std::string_view OrderStatusName(OrderStatus status);

struct OrderRecord {
  OrderStatus status = OrderStatus::kRegistered;
  domain::Points accrual;
};

struct PendingCalculation {
  std::string number;
  std::vector<Good> goods;
};

// The accrual system's state in its own SQLite file: reward rules and
// registered orders. Blocking; callers keep it off I/O threads.
class AccrualStore {
 public:
  explicit AccrualStore(const infra::DatabaseLocation& location);

  // True when the database answers a trivial query now.
  bool Ping();

  // False when a rule with this match exists.
  bool AddRule(const RewardRule& rule);
  std::vector<RewardRule> Rules();

  // False when the order is registered already.
  bool RegisterOrder(const std::string& number, const std::vector<Good>& goods);
  std::optional<OrderRecord> FindOrder(const std::string& number);

  // Moves up to `limit` REGISTERED orders to PROCESSING and returns them.
  std::vector<PendingCalculation> StartCalculations(std::size_t limit);
  void FinishCalculation(const std::string& number, OrderStatus status, domain::Points accrual);
  // After a restart, calculations cut short start again from REGISTERED.
  void RestartInterruptedCalculations();

 private:
  std::unique_ptr<infra::sql::ConnectionPool> pool_;
};

}  // namespace gm::accrual
