#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace gm::domain {

// Loyalty points, exact to 0.01: an integer count of hundredths. Decimal text
// is parsed and printed here and nowhere else, so no floating point ever
// touches a balance.
struct Points {
  std::int64_t hundredths = 0;

  friend auto operator<=>(const Points&, const Points&) = default;
  friend Points operator+(Points a, Points b) { return {a.hundredths + b.hundredths}; }
  friend Points operator-(Points a, Points b) { return {a.hundredths - b.hundredths}; }
};

// The largest amount one operation may carry: 10^13 points. Far beyond any
// real purchase, and small enough that a balance summing millions of such
// amounts still fits in 64 bits, and that every accepted amount has at most
// 15 significant digits (so it survives a trip through an IEEE double intact).
inline constexpr std::int64_t kMaxPointsHundredths = 1'000'000'000'000'000;

enum class PointsError {
  kNotANumber,  // not of the form [-]digits[.digits]
  kTooPrecise,  // more than two decimals
  kOutOfRange,  // magnitude above kMaxPointsHundredths
};

// Parses "751", "0.1", "500.50", "-3". No exponent, no leading '+'.
Result<Points, PointsError> ParsePoints(std::string_view text);

// Prints the shortest exact decimal: "751", "500.5", "729.98", "-0.05".
std::string FormatPoints(Points points);

}  // namespace gm::domain
