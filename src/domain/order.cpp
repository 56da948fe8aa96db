#include "domain/order.hpp"

namespace gm::domain {

std::string_view OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kNew:
      return "NEW";
    case OrderStatus::kProcessing:
      return "PROCESSING";
    case OrderStatus::kInvalid:
      return "INVALID";
    case OrderStatus::kProcessed:
      return "PROCESSED";
  }
  return "NEW";
}

bool IsFinal(OrderStatus status) { return status == OrderStatus::kInvalid || status == OrderStatus::kProcessed; }

OrderState Evolve(OrderState state, const Event& event) {
  if (const auto* uploaded = std::get_if<OrderUploaded>(&event)) {
    state.uploaded = true;
    state.owner_id = uploaded->user_id;
    state.status = OrderStatus::kNew;
  } else if (std::holds_alternative<OrderProcessingStarted>(event)) {
    state.status = OrderStatus::kProcessing;
  } else if (const auto* processed = std::get_if<OrderProcessed>(&event)) {
    state.status = OrderStatus::kProcessed;
    state.accrual = processed->accrual;
  } else if (std::holds_alternative<OrderInvalidated>(event)) {
    state.status = OrderStatus::kInvalid;
  }
  return state;
}

Result<UploadDecision, UploadError> DecideUpload(const OrderState& state, const UploadOrder& command) {
  if (state.uploaded) {
    if (state.owner_id != command.user_id) return UploadError::kUploadedByAnotherUser;
    return UploadDecision{true, {}};
  }
  return UploadDecision{false, {OrderUploaded{command.number.Digits(), command.user_id, command.now}}};
}

Result<std::vector<Event>, AccrualResultError> DecideAccrualResult(const OrderState& state,
                                                                   const ApplyAccrualResult& command) {
  if (!state.uploaded) return AccrualResultError::kUnknownOrder;
  if (IsFinal(state.status)) return std::vector<Event>{};
  switch (command.status) {
    case AccrualStatus::kRegistered:
    case AccrualStatus::kProcessing:
      if (state.status == OrderStatus::kProcessing) return std::vector<Event>{};
      return std::vector<Event>{OrderProcessingStarted{command.number, command.now}};
    case AccrualStatus::kInvalid:
      return std::vector<Event>{OrderInvalidated{command.number, command.now}};
    case AccrualStatus::kProcessed: {
      if (command.accrual.hundredths < 0) return AccrualResultError::kNegativeAccrual;
      std::vector<Event> events{OrderProcessed{command.number, state.owner_id, command.accrual, command.now}};
      if (command.accrual.hundredths > 0) {
        events.emplace_back(PointsAccrued{state.owner_id, command.number, command.accrual, command.now});
      }
      return events;
    }
  }
  return std::vector<Event>{};
}

}  // namespace gm::domain
