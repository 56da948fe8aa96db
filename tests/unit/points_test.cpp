// Proves points are parsed and printed exactly, in integer hundredths.
#include <gtest/gtest.h>

#include "domain/points.hpp"

namespace gm::domain {
namespace {

std::int64_t Parsed(std::string_view text) {
  auto points = ParsePoints(text);
  EXPECT_TRUE(points.HasValue()) << text;
  return points ? points.Value().hundredths : -1;
}

TEST(Points, ParsesWholeAndDecimalAmounts) {
  EXPECT_EQ(Parsed("751"), 75100);
  EXPECT_EQ(Parsed("0.1"), 10);
  EXPECT_EQ(Parsed("500.5"), 50050);
  EXPECT_EQ(Parsed("500.50"), 50050);
  EXPECT_EQ(Parsed("729.98"), 72998);
  EXPECT_EQ(Parsed("0"), 0);
  EXPECT_EQ(Parsed("-3.25"), -325);
  EXPECT_EQ(Parsed("1.500"), 150);
}

TEST(Points, RefusesMoreThanTwoDecimals) {
  EXPECT_EQ(ParsePoints("0.001").Error(), PointsError::kTooPrecise);
  EXPECT_EQ(ParsePoints("10.125").Error(), PointsError::kTooPrecise);
}

TEST(Points, RefusesWhatIsNotADecimal) {
  for (std::string_view text : {"", "-", "1.", ".5", "1e3", "+1", "1,5", "abc", "1.2.3", " 1"}) {
    EXPECT_EQ(ParsePoints(text).Error(), PointsError::kNotANumber) << text;
  }
}

TEST(Points, RefusesAmountsBeyondTheBound) {
  EXPECT_EQ(Parsed("10000000000000"), kMaxPointsHundredths);
  EXPECT_EQ(ParsePoints("10000000000000.01").Error(), PointsError::kOutOfRange);
  EXPECT_EQ(ParsePoints(std::string(5000, '9')).Error(), PointsError::kOutOfRange);
}

TEST(Points, PrintsTheShortestExactDecimal) {
  EXPECT_EQ(FormatPoints({75100}), "751");
  EXPECT_EQ(FormatPoints({50050}), "500.5");
  EXPECT_EQ(FormatPoints({72998}), "729.98");
  EXPECT_EQ(FormatPoints({5}), "0.05");
  EXPECT_EQ(FormatPoints({0}), "0");
  EXPECT_EQ(FormatPoints({-5}), "-0.05");
  EXPECT_EQ(FormatPoints({INT64_MIN}), "-92233720368547758.08");
}

TEST(Points, TenthsAddUpExactly) {
  Points total{10000};
  for (int i = 0; i < 10; ++i) total = total - ParsePoints("0.1").Value();
  EXPECT_EQ(FormatPoints(total), "99");
}

}  // namespace
}  // namespace gm::domain
