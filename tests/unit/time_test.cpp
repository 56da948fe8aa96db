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

}  // namespace
}  // namespace gm::infra
