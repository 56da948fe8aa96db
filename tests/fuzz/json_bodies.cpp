// The JSON bodies clients send: the credentials of sign-up and sign-in, and
// a withdrawal, through the loyalty API's own parsers
// (src/infra/http/request_bodies.cpp), then the withdrawal's decision
// against an account.
//
// Input: the request body (Content-Type: application/json).
//
// Checked: no crash, leak or undefined behaviour; accepted credentials obey
// the rules (1 to 64 characters, no control characters or surrounding
// spaces; a password of 1 to 256); an accepted order number is 1 to 32
// digits passing Luhn; an accepted sum prints and reads back the same; a
// decided withdrawal never takes an account below zero, and takes exactly
// the sum.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "api_bodies.hpp"
#include "domain/account.hpp"
#include "domain/withdrawal.hpp"
#include "fuzz_check.hpp"

namespace {

using gm::domain::Points;

void Decide(const gm::fuzz::Withdrawal& parsed, Points balance, bool placed_before) {
  auto order = gm::domain::OrderNumber::Parse(parsed.order);
  GM_FUZZ_CHECK(order);
  const gm::domain::AccountState account{balance, {}};
  gm::domain::WithdrawalState withdrawal;
  if (placed_before) withdrawal = {true, "user-1", parsed.sum};
  const gm::domain::WithdrawPoints command{"user-1", order.Value(), parsed.sum, 1'700'000'000'000};
  const auto decided = gm::domain::DecideWithdraw(account, withdrawal, command);
  if (!decided) {
    const auto error = decided.Error();
    if (parsed.sum.hundredths <= 0) GM_FUZZ_CHECK(error == gm::domain::WithdrawError::kSumNotPositive);
    if (error == gm::domain::WithdrawError::kInsufficientPoints) GM_FUZZ_CHECK(balance < parsed.sum);
    return;
  }
  GM_FUZZ_CHECK(parsed.sum.hundredths > 0);
  if (placed_before) {
    GM_FUZZ_CHECK(decided.Value().empty());  // the same request again: charged once
    return;
  }
  gm::domain::AccountState after = account;
  for (const auto& event : decided.Value()) after = gm::domain::Evolve(after, event);
  GM_FUZZ_CHECK(after.current.hundredths >= 0);
  GM_FUZZ_CHECK(after.current == balance - parsed.sum && after.withdrawn == parsed.sum);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  gm::infra::http::HttpRequest request;
  request.method = "POST";
  request.headers.emplace_back("content-type", "application/json");
  request.body.assign(reinterpret_cast<const char*>(data), size);

  const unsigned credentials = gm::fuzz::Credentials(request);
  GM_FUZZ_CHECK(credentials == 200 || credentials == 400 || credentials == 415);

  const auto withdrawal = gm::fuzz::ParseWithdrawal(request);
  GM_FUZZ_CHECK(withdrawal.status == 200 || withdrawal.status == 400 || withdrawal.status == 422);
  if (withdrawal.status == 200) {
    for (const std::int64_t balance : {std::int64_t{0}, std::int64_t{50'000}, gm::domain::kMaxPointsHundredths}) {
      Decide(withdrawal, Points{balance}, false);
    }
    Decide(withdrawal, Points{50'000}, true);
  }
  return 0;
}
