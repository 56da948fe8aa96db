#include "infra/store/event_codec.hpp"
#include "domain/overloaded.hpp"

#include <boost/json.hpp>
#include <stdexcept>

namespace gm::infra {
namespace {

namespace json = boost::json;
using namespace std::string_view_literals;

EncodedEvent Make(std::string_view type, json::object data) { return {std::string(type), json::serialize(data)}; }

class Fields {
 public:
  explicit Fields(std::string_view data) : value_(json::parse(data)), object_(value_.as_object()) {}
  [[nodiscard]] std::string Text(std::string_view key) const { return std::string(object_.at(key).as_string()); }
  [[nodiscard]] std::int64_t Integer(std::string_view key) const { return object_.at(key).to_number<std::int64_t>(); }
  [[nodiscard]] domain::Points Points(std::string_view key) const { return {Integer(key)}; }

 private:
  json::value value_;
  const json::object& object_;
};

}  // namespace

EncodedEvent Encode(const domain::Event& event) {
  using namespace domain;
  return std::visit(
      domain::Overloaded{
          [](const UserRegistered& e) {
            return Make("user_registered.v1",
                        {{"user_id", e.user_id}, {"login", e.login}, {"password_hash", e.password_hash}, {"at", e.at}});
          },
          [](const OrderUploaded& e) {
            return Make("order_uploaded.v1", {{"number", e.number}, {"user_id", e.user_id}, {"at", e.at}});
          },
          [](const OrderProcessingStarted& e) {
            return Make("order_processing_started.v1", {{"number", e.number}, {"at", e.at}});
          },
          [](const OrderProcessed& e) {
            return Make("order_processed.v1", {{"number", e.number},
                                               {"user_id", e.user_id},
                                               {"accrual_hundredths", e.accrual.hundredths},
                                               {"at", e.at}});
          },
          [](const OrderInvalidated& e) {
            return Make("order_invalidated.v1", {{"number", e.number}, {"at", e.at}});
          },
          [](const PointsAccrued& e) {
            return Make(
                "points_accrued.v1",
                {{"user_id", e.user_id}, {"order", e.order}, {"amount_hundredths", e.amount.hundredths}, {"at", e.at}});
          },
          [](const PointsWithdrawn& e) {
            return Make(
                "points_withdrawn.v1",
                {{"user_id", e.user_id}, {"order", e.order}, {"sum_hundredths", e.sum.hundredths}, {"at", e.at}});
          },
          [](const WithdrawalPlaced& e) {
            return Make(
                "withdrawal_placed.v1",
                {{"order", e.order}, {"user_id", e.user_id}, {"sum_hundredths", e.sum.hundredths}, {"at", e.at}});
          },
      },
      event);
}

domain::Event Decode(std::string_view type, std::string_view data) {
  using namespace domain;
  const Fields f(data);
  if (type == "user_registered.v1"sv) {
    return UserRegistered{f.Text("user_id"), f.Text("login"), f.Text("password_hash"), f.Integer("at")};
  }
  if (type == "order_uploaded.v1"sv) return OrderUploaded{f.Text("number"), f.Text("user_id"), f.Integer("at")};
  if (type == "order_processing_started.v1"sv) return OrderProcessingStarted{f.Text("number"), f.Integer("at")};
  if (type == "order_processed.v1"sv) {
    return OrderProcessed{f.Text("number"), f.Text("user_id"), f.Points("accrual_hundredths"), f.Integer("at")};
  }
  if (type == "order_invalidated.v1"sv) return OrderInvalidated{f.Text("number"), f.Integer("at")};
  if (type == "points_accrued.v1"sv) {
    return PointsAccrued{f.Text("user_id"), f.Text("order"), f.Points("amount_hundredths"), f.Integer("at")};
  }
  if (type == "points_withdrawn.v1"sv) {
    return PointsWithdrawn{f.Text("user_id"), f.Text("order"), f.Points("sum_hundredths"), f.Integer("at")};
  }
  if (type == "withdrawal_placed.v1"sv) {
    return WithdrawalPlaced{f.Text("order"), f.Text("user_id"), f.Points("sum_hundredths"), f.Integer("at")};
  }
  throw std::runtime_error("unknown event type: " + std::string(type));
}

}  // namespace gm::infra
