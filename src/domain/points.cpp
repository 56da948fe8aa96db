#include "domain/points.hpp"

#include <cstdlib>

namespace gm::domain {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

Result<Points, PointsError> ParsePoints(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text.front() == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) {
    return PointsError::kNotANumber;
  }
  for (const char c : whole) {
    if (!IsDigit(c)) return PointsError::kNotANumber;
  }
  for (const char c : fraction) {
    if (!IsDigit(c)) return PointsError::kNotANumber;
  }
  // Trailing zeros carry no precision: "1.500" is 1.5.
  std::string_view significant_fraction = fraction;
  while (!significant_fraction.empty() && significant_fraction.back() == '0') {
    significant_fraction.remove_suffix(1);
  }
  if (significant_fraction.size() > 2) return PointsError::kTooPrecise;

  std::int64_t hundredths = 0;
  for (const char c : whole) {
    hundredths = hundredths * 10 + (c - '0');
    if (hundredths > kMaxPointsHundredths / 100) return PointsError::kOutOfRange;
  }
  hundredths *= 100;
  if (!significant_fraction.empty()) hundredths += (significant_fraction[0] - '0') * 10;
  if (significant_fraction.size() > 1) hundredths += significant_fraction[1] - '0';
  if (hundredths > kMaxPointsHundredths) return PointsError::kOutOfRange;
  return Points{negative ? -hundredths : hundredths};
}

std::string FormatPoints(Points points) {
  const std::int64_t value = points.hundredths;
  // Work on the magnitude as unsigned so even INT64_MIN prints correctly.
  const std::uint64_t magnitude =
      value < 0 ? static_cast<std::uint64_t>(-(value + 1)) + 1U : static_cast<std::uint64_t>(value);
  std::string text = value < 0 ? "-" : "";
  text += std::to_string(magnitude / 100U);
  const auto cents = static_cast<unsigned>(magnitude % 100U);
  if (cents != 0) {
    text += '.';
    text += static_cast<char>('0' + cents / 10U);
    if (cents % 10U != 0) text += static_cast<char>('0' + cents % 10U);
  }
  return text;
}

}  // namespace gm::domain
