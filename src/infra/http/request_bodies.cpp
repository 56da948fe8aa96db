#include "infra/http/request_bodies.hpp"

#include <boost/json.hpp>

#include "domain/credentials.hpp"
#include "infra/http/json_body.hpp"
#include "infra/json/json_text.hpp"
#include "infra/time.hpp"

namespace gm::infra::http {

using domain::Result;

std::string_view TrimWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

Result<Credentials, HttpResponse> ParseCredentials(const HttpRequest& request) {
  auto object = ParseJsonObject(request);
  if (!object) return object.Error();
  const auto* login = StringField(object.Value(), "login");
  const auto* password = StringField(object.Value(), "password");
  if (login == nullptr || password == nullptr) {
    return HttpResponse::Error(400, "login and password must be JSON strings");
  }
  if (auto broken = domain::CheckCredentials(*login, *password)) {
    switch (*broken) {
      case domain::CredentialsError::kLoginLength:
        return HttpResponse::Error(400, "login must be 1 to 64 characters");
      case domain::CredentialsError::kLoginCharacters:
        return HttpResponse::Error(400, "login must not contain control characters or surrounding spaces");
      case domain::CredentialsError::kPasswordLength:
        return HttpResponse::Error(400, "password must be 1 to 256 characters");
    }
  }
  return Credentials{std::string(*login), std::string(*password)};
}

Result<domain::OrderNumber, HttpResponse> ParseUpload(const HttpRequest& request) {
  if (auto refused = RequireMediaType(request, "text/plain")) return *refused;
  auto number = domain::OrderNumber::Parse(TrimWhitespace(request.body));
  if (!number) {
    switch (number.Error()) {
      case domain::OrderNumberError::kEmpty:
        return HttpResponse::Error(400, "the body must be an order number");
      case domain::OrderNumberError::kNotDigits:
        return HttpResponse::Error(422, "an order number is made of digits only");
      case domain::OrderNumberError::kTooLong:
        return HttpResponse::Error(422, "an order number has at most 32 digits");
      case domain::OrderNumberError::kFailsLuhn:
        return HttpResponse::Error(422, "the order number fails the Luhn check");
    }
  }
  return number.Value();
}

Result<domain::WithdrawPoints, HttpResponse> ParseWithdrawal(const HttpRequest& request, const std::string& user_id) {
  auto object = ParseJsonObject(request);
  if (!object) return object.Error();
  const auto* order_text = StringField(object.Value(), "order");
  const auto* sum_value = object.Value().if_contains("sum");
  if (order_text == nullptr) return HttpResponse::Error(400, "order must be a JSON string");
  if (sum_value == nullptr || !sum_value->is_number()) return HttpResponse::Error(400, "sum must be a JSON number");
  auto order = domain::OrderNumber::Parse(*order_text);
  if (!order) return HttpResponse::Error(422, "bad order number: digits passing the Luhn check expected");
  auto sum = PointsFromJson(*sum_value);
  if (!sum) {
    switch (sum.Error()) {
      case JsonPointsError::kNotANumber:
        return HttpResponse::Error(400, "sum must be a JSON number");
      case JsonPointsError::kTooPrecise:
        return HttpResponse::Error(422, "sum has more than two decimals");
      case JsonPointsError::kOutOfRange:
        return HttpResponse::Error(422, "sum is out of range");
    }
  }
  return domain::WithdrawPoints{user_id, order.Value(), sum.Value(), NowMs()};
}

}  // namespace gm::infra::http
