// Order numbers and amounts of points as text: what a client uploads
// (text/plain), what a withdrawal's JSON number becomes, and what we print.
// Also RFC 3339 date-times (the balance's ?at=), which are text a client
// chooses too.
//
// Input: the text.
//
// Checked: no crash, leak or undefined behaviour; an accepted order number
// is 1 to 32 digits passing Luhn, and is the text itself; an accepted
// amount is within the limit and prints and reads back the same; the same
// decimal read as a JSON number (PointsFromJson) is the same amount; any
// 64-bit amount prints as [-]digits[.d[d]]; a date-time that reads prints
// and reads back to the same second.
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "api_bodies.hpp"
#include "domain/order_number.hpp"
#include "domain/points.hpp"
#include "fuzz_check.hpp"
#include "infra/json/json_text.hpp"
#include "infra/time.hpp"

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// [-]digits[.d[d]], no leading zero but in "0" or "0.x", never "-0".
bool WellPrinted(std::string_view text) {
  if (text.starts_with('-')) {
    text.remove_prefix(1);
    if (text == "0") return false;
  }
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  if (whole.empty() || (whole.size() > 1 && whole.front() == '0')) return false;
  for (const char c : whole) {
    if (!IsDigit(c)) return false;
  }
  if (dot == std::string_view::npos) return true;
  const std::string_view fraction = text.substr(dot + 1);
  if (fraction.empty() || fraction.size() > 2 || fraction.back() == '0') return false;
  for (const char c : fraction) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

void OrderNumbers(std::string_view text) {
  (void)gm::domain::PassesLuhn(text);
  auto number = gm::domain::OrderNumber::Parse(text);
  if (!number) return;
  gm::fuzz::CheckOrderNumber(number.Value());
  GM_FUZZ_CHECK(number.Value().Digits() == text);
}

void Amounts(std::string_view text) {
  const auto points = gm::domain::ParsePoints(text);
  if (points) {
    gm::fuzz::CheckPoints(points.Value());
    GM_FUZZ_CHECK(WellPrinted(gm::domain::FormatPoints(points.Value())));
  }
  // A withdrawal's sum arrives as a JSON number: for the decimals
  // ParsePoints takes (at most 15 significant digits), it must mean the same.
  boost::system::error_code error;
  const auto value = boost::json::parse(boost::json::string_view(text.data(), text.size()), error);
  if (error || !value.is_number()) return;
  const auto from_json = gm::infra::PointsFromJson(value);
  if (from_json) gm::fuzz::CheckPoints(from_json.Value());
  if (points) GM_FUZZ_CHECK(from_json && from_json.Value() == points.Value());
}

void AnyAmount(const std::uint8_t* data, std::size_t size) {
  if (size < sizeof(std::int64_t)) return;
  std::int64_t hundredths = 0;
  std::memcpy(&hundredths, data, sizeof hundredths);
  const std::string text = gm::domain::FormatPoints({hundredths});
  GM_FUZZ_CHECK(WellPrinted(text));
  GM_FUZZ_CHECK(gm::infra::JsonPoints({hundredths}) == text);
}

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999Z: FormatRfc3339 writes
// four-digit years (an offset can carry a date-time just past them).
constexpr gm::domain::TimeMs kFirstPrintable = -62'167'219'200'000;
constexpr gm::domain::TimeMs kLastPrintable = 253'402'300'799'999;

void DateTimes(std::string_view text) {
  const auto at = gm::infra::ParseRfc3339(text);
  if (!at || *at < kFirstPrintable || *at > kLastPrintable) return;
  const std::string printed = gm::infra::FormatRfc3339(*at);
  const auto again = gm::infra::ParseRfc3339(printed);
  GM_FUZZ_CHECK(again.has_value());
  const gm::domain::TimeMs second = *at - ((*at % 1000) + 1000) % 1000;
  GM_FUZZ_CHECK(*again == second);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  OrderNumbers(text);
  OrderNumbers(gm::fuzz::TrimWhitespace(text));
  Amounts(text);
  AnyAmount(data, size);
  DateTimes(text);
  return 0;
}
