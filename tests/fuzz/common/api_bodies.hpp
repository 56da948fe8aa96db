// What the loyalty API does with a request's body before it touches the
// store: parse and check the credentials, the uploaded order number and the
// withdrawal. The real steps live in src/infra/http/loyalty_api.cpp's
// anonymous namespace (ParseCredentials, ParseUpload, ParseWithdrawal),
// which links the whole store; these mirror them over the same library calls
// (ParseJsonObject, StringField, CheckCredentials, OrderNumber::Parse,
// PointsFromJson), and check what an accepted value promises.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "domain/credentials.hpp"
#include "domain/order_number.hpp"
#include "domain/points.hpp"
#include "fuzz_check.hpp"
#include "infra/http/json_body.hpp"
#include "infra/json/json_text.hpp"

namespace gm::fuzz {

inline std::string_view TrimWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

inline void CheckOrderNumber(const domain::OrderNumber& number) {
  const std::string& digits = number.Digits();
  GM_FUZZ_CHECK(!digits.empty() && digits.size() <= domain::OrderNumber::kMaxDigits);
  for (const char c : digits) GM_FUZZ_CHECK(c >= '0' && c <= '9');
  GM_FUZZ_CHECK(domain::PassesLuhn(digits));
}

inline void CheckPoints(domain::Points points) {
  GM_FUZZ_CHECK(points.hundredths >= -domain::kMaxPointsHundredths &&
                points.hundredths <= domain::kMaxPointsHundredths);
  // What we print reads back as the same amount.
  const auto again = domain::ParsePoints(domain::FormatPoints(points));
  GM_FUZZ_CHECK(again && again.Value() == points);
}

// POST /api/user/register and /api/user/login: 200 when the pair would go on
// to the password hash, else the 4xx.
inline unsigned Credentials(const infra::http::HttpRequest& request) {
  auto object = infra::http::ParseJsonObject(request);
  if (!object) return object.Error().status;
  const auto* login = infra::http::StringField(object.Value(), "login");
  const auto* password = infra::http::StringField(object.Value(), "password");
  if (login == nullptr || password == nullptr) return 400;
  if (domain::CheckCredentials(*login, *password)) return 400;
  const std::string_view accepted = *login;
  GM_FUZZ_CHECK(!accepted.empty() && accepted.front() != ' ' && accepted.back() != ' ');
  GM_FUZZ_CHECK(domain::CountCodePoints(accepted) <= domain::kMaxLoginChars);
  for (const char c : accepted) GM_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20U && c != 0x7F);
  const std::size_t password_chars = domain::CountCodePoints(*password);
  GM_FUZZ_CHECK(password_chars >= domain::kMinPasswordChars && password_chars <= domain::kMaxPasswordChars);
  return 200;
}

// POST /api/user/orders: 202 when the number would be uploaded.
inline unsigned Upload(const infra::http::HttpRequest& request) {
  if (auto refused = infra::http::RequireMediaType(request, "text/plain")) return refused->status;
  auto number = domain::OrderNumber::Parse(TrimWhitespace(request.body));
  if (!number) return number.Error() == domain::OrderNumberError::kEmpty ? 400 : 422;
  CheckOrderNumber(number.Value());
  return 202;
}

struct Withdrawal {
  unsigned status = 0;  // 200 when the withdrawal would be decided
  std::string order;
  domain::Points sum;
};

// POST /api/user/balance/withdraw, up to the decision.
inline Withdrawal ParseWithdrawal(const infra::http::HttpRequest& request) {
  auto object = infra::http::ParseJsonObject(request);
  if (!object) return {object.Error().status, {}, {}};
  const auto* order_text = infra::http::StringField(object.Value(), "order");
  const auto* sum_value = object.Value().if_contains("sum");
  if (order_text == nullptr) return {400, {}, {}};
  if (sum_value == nullptr || !sum_value->is_number()) return {400, {}, {}};
  auto order = domain::OrderNumber::Parse(*order_text);
  if (!order) return {422, {}, {}};
  CheckOrderNumber(order.Value());
  auto sum = infra::PointsFromJson(*sum_value);
  if (!sum) return {sum.Error() == infra::JsonPointsError::kNotANumber ? 400U : 422U, {}, {}};
  CheckPoints(sum.Value());
  return {200, order.Value().Digits(), sum.Value()};
}

}  // namespace gm::fuzz
