#include "infra/store/event_codec.hpp"
#include "domain/overloaded.hpp"

#include <boost/json.hpp>
#include <array>
#include <stdexcept>
#include <variant>

namespace gm::infra {
namespace {

namespace json = boost::json;

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

// How each type is read back, in the order of domain::Event's alternatives
// (TypeName indexes it by the alternative; the codec test checks the order).
// The names are frozen: they are in every stored log.
struct TypeCodec {
  std::string_view type;
  domain::Event (*decode)(const Fields&);
};

const std::array<TypeCodec, std::variant_size_v<domain::Event>> kCodecs{{
    {"user_registered.v1",
     [](const Fields& f) -> domain::Event {
       return domain::UserRegistered{f.Text("user_id"), f.Text("login"), f.Text("password_hash"), f.Integer("at")};
     }},
    {"order_uploaded.v1",
     [](const Fields& f) -> domain::Event {
       return domain::OrderUploaded{f.Text("number"), f.Text("user_id"), f.Integer("at")};
     }},
    {"order_processing_started.v1",
     [](const Fields& f) -> domain::Event {
       return domain::OrderProcessingStarted{f.Text("number"), f.Integer("at")};
     }},
    {"order_processed.v1",
     [](const Fields& f) -> domain::Event {
       return domain::OrderProcessed{f.Text("number"), f.Text("user_id"), f.Points("accrual_hundredths"),
                                     f.Integer("at")};
     }},
    {"order_invalidated.v1",
     [](const Fields& f) -> domain::Event { return domain::OrderInvalidated{f.Text("number"), f.Integer("at")}; }},
    {"points_accrued.v1",
     [](const Fields& f) -> domain::Event {
       return domain::PointsAccrued{f.Text("user_id"), f.Text("order"), f.Points("amount_hundredths"),
                                    f.Integer("at")};
     }},
    {"points_withdrawn.v1",
     [](const Fields& f) -> domain::Event {
       return domain::PointsWithdrawn{f.Text("user_id"), f.Text("order"), f.Points("sum_hundredths"),
                                      f.Integer("at")};
     }},
    {"withdrawal_placed.v1",
     [](const Fields& f) -> domain::Event {
       return domain::WithdrawalPlaced{f.Text("order"), f.Text("user_id"), f.Points("sum_hundredths"),
                                       f.Integer("at")};
     }},
}};

}  // namespace

std::string_view TypeName(const domain::Event& event) { return kCodecs.at(event.index()).type; }

std::vector<std::string> TypeNames() {
  std::vector<std::string> names;
  for (const auto& codec : kCodecs) names.emplace_back(codec.type);
  return names;
}

EncodedEvent Encode(const domain::Event& event) {
  using namespace domain;
  json::object data = std::visit(
      domain::Overloaded{
          [](const UserRegistered& e) -> json::object {
            return {{"user_id", e.user_id}, {"login", e.login}, {"password_hash", e.password_hash}, {"at", e.at}};
          },
          [](const OrderUploaded& e) -> json::object {
            return {{"number", e.number}, {"user_id", e.user_id}, {"at", e.at}};
          },
          [](const OrderProcessingStarted& e) -> json::object { return {{"number", e.number}, {"at", e.at}}; },
          [](const OrderProcessed& e) -> json::object {
            return {{"number", e.number},
                    {"user_id", e.user_id},
                    {"accrual_hundredths", e.accrual.hundredths},
                    {"at", e.at}};
          },
          [](const OrderInvalidated& e) -> json::object { return {{"number", e.number}, {"at", e.at}}; },
          [](const PointsAccrued& e) -> json::object {
            return {{"user_id", e.user_id}, {"order", e.order}, {"amount_hundredths", e.amount.hundredths}, {"at", e.at}};
          },
          [](const PointsWithdrawn& e) -> json::object {
            return {{"user_id", e.user_id}, {"order", e.order}, {"sum_hundredths", e.sum.hundredths}, {"at", e.at}};
          },
          [](const WithdrawalPlaced& e) -> json::object {
            return {{"order", e.order}, {"user_id", e.user_id}, {"sum_hundredths", e.sum.hundredths}, {"at", e.at}};
          },
      },
      event);
  return {std::string(TypeName(event)), json::serialize(data)};
}

domain::Event Decode(std::string_view type, std::string_view data) {
  for (const auto& codec : kCodecs) {
    if (codec.type == type) return codec.decode(Fields(data));
  }
  throw std::runtime_error("unknown event type: " + std::string(type));
}

}  // namespace gm::infra
