#pragma once

#include <string>
#include <vector>

#include "domain/events.hpp"
#include "domain/order_number.hpp"
#include "domain/result.hpp"

namespace gm::domain {

enum class OrderStatus { kNew, kProcessing, kInvalid, kProcessed };

std::string_view OrderStatusName(OrderStatus status);
bool IsFinal(OrderStatus status);

struct OrderState {
  bool uploaded = false;
  std::string owner_id;
  OrderStatus status = OrderStatus::kNew;
  Points accrual;
};

OrderState Evolve(OrderState state, const Event& event);

struct UploadOrder {
  OrderNumber number;
  std::string user_id;
  TimeMs now = 0;
};

enum class UploadError {
  kUploadedByAnotherUser,
};

struct UploadDecision {
  bool already_uploaded_by_this_user = false;
  std::vector<Event> events;
};

Result<UploadDecision, UploadError> DecideUpload(const OrderState& state, const UploadOrder& command);

// What the accrual system said about an order.
enum class AccrualStatus { kRegistered, kProcessing, kInvalid, kProcessed };

struct ApplyAccrualResult {
  std::string number;
  AccrualStatus status = AccrualStatus::kRegistered;
  Points accrual;  // meaningful for kProcessed only
  TimeMs now = 0;
};

enum class AccrualResultError {
  kUnknownOrder,
  kNegativeAccrual,
};

// Moves the order along and credits the owner's account exactly once: a
// result for an order already final yields no events.
Result<std::vector<Event>, AccrualResultError> DecideAccrualResult(const OrderState& state,
                                                                   const ApplyAccrualResult& command);

}  // namespace gm::domain
