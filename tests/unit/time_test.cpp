// Dates in API answers: RFC 3339, UTC, whole seconds.
#include <gtest/gtest.h>

#include "infra/time.hpp"

namespace gm::infra {
namespace {

TEST(FormatRfc3339, Epoch) { EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00+00:00"); }

TEST(FormatRfc3339, TheSpecExampleDropsMilliseconds) {
  EXPECT_EQ(FormatRfc3339(1607613345999), "2020-12-10T15:15:45+00:00");
}

TEST(FormatRfc3339, LeapDayAndLastSecondOfTheYear) {
  EXPECT_EQ(FormatRfc3339(1709164800000), "2024-02-29T00:00:00+00:00");
  EXPECT_EQ(FormatRfc3339(1735689599000), "2024-12-31T23:59:59+00:00");
}

TEST(FormatRfc3339, FarFuture) { EXPECT_EQ(FormatRfc3339(4102444800000), "2100-01-01T00:00:00+00:00"); }

TEST(ParseRfc3339, ReadsWhatFormatRfc3339Writes) {
  for (const domain::TimeMs time : {0LL, 1607613345000LL, 1709164800000LL, 4102444800000LL}) {
    EXPECT_EQ(ParseRfc3339(FormatRfc3339(time)), time);
  }
}

TEST(ParseRfc3339, OffsetsFractionsAndLowerCase) {
  EXPECT_EQ(ParseRfc3339("2020-12-10T15:15:45+03:00"), 1607602545000);
  EXPECT_EQ(ParseRfc3339("2020-12-10T12:15:45Z"), 1607602545000);
  EXPECT_EQ(ParseRfc3339("2020-12-10t12:15:45z"), 1607602545000);
  EXPECT_EQ(ParseRfc3339("2020-12-10 12:15:45Z"), 1607602545000);
  EXPECT_EQ(ParseRfc3339("2020-12-10T06:45:45-05:30"), 1607602545000);
  EXPECT_EQ(ParseRfc3339("2020-12-10T12:15:45.2Z"), 1607602545200);
  EXPECT_EQ(ParseRfc3339("2020-12-10T12:15:45.123456789Z"), 1607602545123);
  EXPECT_EQ(ParseRfc3339("1969-12-31T23:59:59Z"), -1000);
  EXPECT_EQ(ParseRfc3339("2016-12-31T23:59:60Z"), 1483228800000);  // a leap second
}

TEST(ParseRfc3339, RefusesAnythingElse) {
  for (const char* text :
       {"", "2020-12-10", "2020-12-10T12:15Z", "2020-12-10T12:15:45", "2020-12-10T12:15:45+0300",
        "2020-12-10T12:15:45+03", "2020-12-10T12:15:45.Z", "2020-12-10T12:15:45Zjunk", "2020-13-10T12:15:45Z",
        "2021-02-29T12:15:45Z", "2020-12-32T12:15:45Z", "2020-12-10T24:00:00Z", "2020-12-10T12:60:00Z",
        "2020-12-10T12:15:61Z", "2020-12-10T12:15:45+24:00", "2020-12-10T12:15:45+03:60", "+020-12-10T12:15:45Z",
        "2020-12-10X12:15:45Z", "1607602545", "now", "2020-12-10T12:15:45 Z", "２020-12-10T12:15:45Z"}) {
    EXPECT_FALSE(ParseRfc3339(text)) << text;
  }
}

}  // namespace
}  // namespace gm::infra
