// What the loyalty API does with a request's body before it touches the
// store (src/infra/http/request_bodies.cpp: ParseCredentials, ParseUpload,
// ParseWithdrawal), with checks of what an accepted value promises.
#pragma once

#include <string>
#include <string_view>

#include "domain/credentials.hpp"
#include "domain/order_number.hpp"
#include "domain/points.hpp"
#include "fuzz_check.hpp"
#include "infra/http/request_bodies.hpp"

namespace gm::fuzz {

using infra::http::TrimWhitespace;

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
  auto credentials = infra::http::ParseCredentials(request);
  if (!credentials) {
    const unsigned status = credentials.Error().status;
    GM_FUZZ_CHECK(status >= 400 && status < 500);
    return status;
  }
  const std::string_view accepted = credentials.Value().login;
  GM_FUZZ_CHECK(!accepted.empty() && accepted.front() != ' ' && accepted.back() != ' ');
  GM_FUZZ_CHECK(domain::CountCodePoints(accepted) <= domain::kMaxLoginChars);
  for (const char c : accepted) GM_FUZZ_CHECK(static_cast<unsigned char>(c) >= 0x20U && c != 0x7F);
  const std::size_t password_chars = domain::CountCodePoints(credentials.Value().password);
  GM_FUZZ_CHECK(password_chars >= domain::kMinPasswordChars && password_chars <= domain::kMaxPasswordChars);
  return 200;
}

// POST /api/user/orders: 202 when the number would be uploaded.
inline unsigned Upload(const infra::http::HttpRequest& request) {
  auto number = infra::http::ParseUpload(request);
  if (!number) {
    const unsigned status = number.Error().status;
    GM_FUZZ_CHECK(status >= 400 && status < 500);
    return status;
  }
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
  auto command = infra::http::ParseWithdrawal(request, "user-1");
  if (!command) {
    const unsigned status = command.Error().status;
    GM_FUZZ_CHECK(status >= 400 && status < 500);
    return {status, {}, {}};
  }
  CheckOrderNumber(command.Value().order);
  CheckPoints(command.Value().sum);
  return {200, command.Value().order.Digits(), command.Value().sum};
}

}  // namespace gm::fuzz
