#include "accrual/accrual_api.hpp"

#include <boost/json.hpp>

#include "domain/order_number.hpp"
#include "infra/http/json_body.hpp"
#include "infra/json/json_text.hpp"

namespace gm::accrual {
namespace {

namespace json = boost::json;
using infra::http::HttpRequest;
using infra::http::HttpResponse;

// Goods per order: bounded so one request cannot pin a calculation for long.
constexpr std::size_t kMaxGoods = 10'000;

domain::Result<domain::Points, HttpResponse> AmountField(const json::object& object, std::string_view key) {
  const auto* value = object.if_contains(key);
  if (value == nullptr || !value->is_number()) {
    return HttpResponse::Error(400, std::string(key) + " must be a JSON number");
  }
  auto points = infra::PointsFromJson(*value);
  if (!points) return HttpResponse::Error(400, std::string(key) + " must have at most two decimals and be in range");
  return points.Value();
}

domain::Result<std::vector<Good>, HttpResponse> ParseGoods(const json::object& object) {
  const auto* goods = object.if_contains("goods");
  if (goods == nullptr || !goods->is_array()) return HttpResponse::Error(400, "goods must be a JSON array");
  if (goods->as_array().size() > kMaxGoods) return HttpResponse::Error(400, "too many goods");
  std::vector<Good> parsed;
  for (const auto& item : goods->as_array()) {
    if (!item.is_object()) return HttpResponse::Error(400, "each good must be a JSON object");
    const auto* description = infra::http::StringField(item.as_object(), "description");
    if (description == nullptr) return HttpResponse::Error(400, "description must be a JSON string");
    auto price = AmountField(item.as_object(), "price");
    if (!price) return price.Error();
    if (price.Value().hundredths < 0) return HttpResponse::Error(400, "price must not be negative");
    parsed.push_back({std::string(*description), price.Value()});
  }
  return parsed;
}

}  // namespace

void AccrualApi::AddRoutes(infra::http::Router& router) {
  using infra::http::Lane;
  router.Add({"POST", "/api/goods", Lane::kDatabase, false,
              [this](const HttpRequest& r, const std::string&) { return AddRule(r); }});
  router.Add({"POST", "/api/orders", Lane::kDatabase, false,
              [this](const HttpRequest& r, const std::string&) { return RegisterOrder(r); }});
  router.Add({"GET", "/api/orders/{number}", Lane::kDatabase, false,
              [this](const HttpRequest& r, const std::string&) { return GetOrder(r); }});
}

HttpResponse AccrualApi::AddRule(const HttpRequest& request) {
  auto object = infra::http::ParseJsonObject(request);
  if (!object) return object.Error();
  const auto* match = infra::http::StringField(object.Value(), "match");
  const auto* type = infra::http::StringField(object.Value(), "reward_type");
  if (match == nullptr || type == nullptr)
    return HttpResponse::Error(400, "match and reward_type must be JSON strings");
  auto reward = AmountField(object.Value(), "reward");
  if (!reward) return reward.Error();
  auto rule = MakeRewardRule(std::string(*match), reward.Value(), *type);
  if (!rule) {
    switch (rule.Error()) {
      case RuleError::kEmptyMatch:
        return HttpResponse::Error(400, "match must not be empty");
      case RuleError::kNegativeReward:
        return HttpResponse::Error(400, "reward must not be negative");
      case RuleError::kUnknownType:
        return HttpResponse::Error(400, "reward_type must be \"%\" or \"pt\"");
    }
  }
  if (!store_.AddRule(rule.Value())) return HttpResponse::Error(409, "a rule with this match exists");
  return HttpResponse::Json(200, R"({"status":"ok"})");
}

HttpResponse AccrualApi::RegisterOrder(const HttpRequest& request) {
  auto object = infra::http::ParseJsonObject(request);
  if (!object) return object.Error();
  const auto* order = infra::http::StringField(object.Value(), "order");
  if (order == nullptr) return HttpResponse::Error(400, "order must be a JSON string");
  auto number = domain::OrderNumber::Parse(*order);
  if (!number) return HttpResponse::Error(400, "order must be digits passing the Luhn check");
  auto goods = ParseGoods(object.Value());
  if (!goods) return goods.Error();
  if (!store_.RegisterOrder(number.Value().Digits(), goods.Value())) {
    return HttpResponse::Error(409, "the order is registered already");
  }
  if (on_order_registered_) on_order_registered_();
  return HttpResponse::Json(202, R"({"status":"accepted"})");
}

HttpResponse AccrualApi::GetOrder(const HttpRequest& request) {
  if (rate_limiter_ != nullptr) {
    const auto decision = rate_limiter_->Admit(request.remote, RateLimiter::Clock::now());
    if (!decision.allowed) {
      HttpResponse response{
          429,
          "text/plain",
          "No more than " + std::to_string(rate_limiter_->PerMinute()) + " requests per minute allowed",
          {{"Retry-After", std::to_string(decision.retry_after.count())}},
          nullptr};
      return response;
    }
  }
  const std::string number(infra::http::LastSegment(request.path));
  if (number.size() > domain::OrderNumber::kMaxDigits || number.find_first_not_of("0123456789") != std::string::npos) {
    return HttpResponse::Error(400, "an order number is made of digits only");
  }
  const auto order = store_.FindOrder(number);
  if (!order) return HttpResponse::Json(204, "");
  std::string body = R"({"order":")" + number + R"(","status":")" + std::string(OrderStatusName(order->status)) + '"';
  if (order->status == OrderStatus::kProcessed && order->accrual.hundredths > 0) {
    body += R"(,"accrual":)" + infra::JsonPoints(order->accrual);
  }
  return HttpResponse::Json(200, body + "}");
}

}  // namespace gm::accrual
