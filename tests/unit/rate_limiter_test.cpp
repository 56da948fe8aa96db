// Proves the accrual system's per-client, per-minute limit and its Retry-After.
#include <gtest/gtest.h>

#include "accrual/rate_limiter.hpp"

namespace gm::accrual {
namespace {

using namespace std::chrono_literals;

TEST(RateLimiter, AdmitsNThenRefusesUntilTheWindowEnds) {
  RateLimiter limiter(3);
  const auto start = RateLimiter::Clock::time_point{} + 1h;
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(limiter.Admit("a", start + i * 1s).allowed);
  const auto refused = limiter.Admit("a", start + 10500ms);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, 50s);  // 49.5 s left, rounded up
  EXPECT_FALSE(limiter.Admit("a", start + 59s).allowed);
  EXPECT_TRUE(limiter.Admit("a", start + 60s).allowed);
}

TEST(RateLimiter, ClientsHaveTheirOwnWindows) {
  RateLimiter limiter(1);
  const auto now = RateLimiter::Clock::time_point{} + 1h;
  EXPECT_TRUE(limiter.Admit("a", now).allowed);
  EXPECT_FALSE(limiter.Admit("a", now).allowed);
  EXPECT_TRUE(limiter.Admit("b", now).allowed);
}

}  // namespace
}  // namespace gm::accrual
