// Failed sign-ins slow down per login and per client address.
#include <gtest/gtest.h>

#include "infra/auth/login_throttle.hpp"

namespace gm::infra {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const LoginThrottle::Clock::time_point kStart{seconds(1000)};

TEST(LoginThrottle, AfterTheBurstEachFailureDoublesTheWait) {
  LoginThrottle throttle;
  auto now = kStart;
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", now), milliseconds(0)) << i;
    throttle.Failed("alice", "10.0.0.1", now);
  }
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", now), milliseconds(0)) << "five failures are free";
  throttle.Failed("alice", "10.0.0.1", now);
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", now), milliseconds(1000));
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", now + milliseconds(400)), milliseconds(600));
  now += seconds(1);
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", now), milliseconds(0));
  throttle.Failed("alice", "10.0.0.1", now);
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", now), milliseconds(2000));
  for (int i = 0; i < 20; ++i) throttle.Failed("alice", "10.0.0.9", now);
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.2", now), milliseconds(300'000)) << "capped";
  EXPECT_EQ(throttle.Wait("bob", "10.0.0.2", now), milliseconds(0)) << "other logins are not held back";
}

TEST(LoginThrottle, ASuccessResetsTheLoginButNotTheAddress) {
  LoginThrottle throttle;
  for (int i = 0; i < 25; ++i) throttle.Failed("alice", "10.0.0.1", kStart);
  throttle.Succeeded("alice");
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.2", kStart), milliseconds(0));
  EXPECT_GT(throttle.Wait("alice", "10.0.0.1", kStart), milliseconds(0)) << "the address still waits";
  EXPECT_GT(throttle.Wait("carol", "10.0.0.1", kStart), milliseconds(0)) << "whichever login it tries";
}

TEST(LoginThrottle, AnAddressTryingManyLoginsWaitsToo) {
  LoginThrottle throttle;
  for (int i = 0; i < 20; ++i) throttle.Failed("user" + std::to_string(i), "10.0.0.1", kStart);
  EXPECT_EQ(throttle.Wait("someone-new", "10.0.0.1", kStart), milliseconds(0));
  throttle.Failed("user20", "10.0.0.1", kStart);
  EXPECT_EQ(throttle.Wait("someone-new", "10.0.0.1", kStart), milliseconds(1000));
  EXPECT_EQ(throttle.Wait("someone-new", "10.0.0.2", kStart), milliseconds(0));
}

TEST(LoginThrottle, AQuietSpellForgetsTheFailures) {
  LoginThrottle throttle;
  for (int i = 0; i < 10; ++i) throttle.Failed("alice", "10.0.0.1", kStart);
  EXPECT_GT(throttle.Wait("alice", "10.0.0.1", kStart + seconds(10)), milliseconds(0)) << "waits 16 s after ten";
  const auto later = kStart + seconds(900);
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", later), milliseconds(0));
  throttle.Failed("alice", "10.0.0.1", later);
  EXPECT_EQ(throttle.Wait("alice", "10.0.0.1", later), milliseconds(0)) << "counting starts again at one";
}

TEST(LoginThrottle, KeysAreBoundedForgettingTheOldestFailure) {
  LoginThrottle throttle({.login_burst = 0, .address_burst = 1000, .max_keys = 3});
  for (int i = 0; i < 4; ++i) throttle.Failed("user" + std::to_string(i), "10.0.0.1", kStart + seconds(i));
  const auto now = kStart + seconds(3);
  EXPECT_EQ(throttle.Wait("user0", "10.0.0.1", now), milliseconds(0)) << "forgotten, the oldest";
  EXPECT_GT(throttle.Wait("user3", "10.0.0.1", now), milliseconds(0));
}

}  // namespace
}  // namespace gm::infra
