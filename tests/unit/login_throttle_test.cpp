// Failed sign-ins slow down per login and per client address.
#include <gtest/gtest.h>

#include "infra/auth/login_throttle.hpp"

namespace gm::infra {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
const LoginThrottle::Clock::time_point kStart{seconds(1000)};

// One attempt that fails; what Attempt said.
milliseconds Fail(LoginThrottle& throttle, const std::string& login, const std::string& address,
                  LoginThrottle::Clock::time_point now) {
  const auto wait = throttle.Attempt(login, address, now);
  if (wait == milliseconds(0)) throttle.Failed(login, address, now);
  return wait;
}

TEST(LoginThrottle, AfterTheBurstEachFailureDoublesTheWait) {
  LoginThrottle throttle;
  auto now = kStart;
  for (int i = 0; i < 6; ++i) EXPECT_EQ(Fail(throttle, "alice", "10.0.0.1", now), milliseconds(0)) << i;
  EXPECT_EQ(throttle.Attempt("alice", "10.0.0.1", now), milliseconds(1000)) << "five failures are free, then waits";
  EXPECT_EQ(throttle.Attempt("alice", "10.0.0.1", now + milliseconds(400)), milliseconds(600));
  now += seconds(1);
  EXPECT_EQ(Fail(throttle, "alice", "10.0.0.1", now), milliseconds(0));
  EXPECT_EQ(throttle.Attempt("alice", "10.0.0.1", now), milliseconds(2000)) << "doubled";
  EXPECT_EQ(throttle.Attempt("bob", "10.0.0.2", now), milliseconds(0)) << "other logins are not held back";
}

TEST(LoginThrottle, TheWaitIsCapped) {
  LoginThrottle throttle;
  auto now = kStart;
  for (int i = 0; i < 40; ++i) now += Fail(throttle, "alice", "10.0.0." + std::to_string(i), now);
  while (Fail(throttle, "alice", "10.0.1.1", now) > milliseconds(0)) now += seconds(1);
  EXPECT_EQ(throttle.Attempt("alice", "10.0.1.2", now), milliseconds(300'000));
}

TEST(LoginThrottle, PastTheBurstGuessesSentSideBySideAreCheckedOneAtATime) {
  LoginThrottle throttle;
  for (int i = 0; i < 6; ++i) Fail(throttle, "alice", "10.0.0." + std::to_string(i), kStart);
  const auto later = kStart + seconds(1);
  int let_through = 0;
  for (int i = 0; i < 64; ++i) let_through += throttle.Attempt("alice", "10.0.1.1", later) == milliseconds(0);
  EXPECT_EQ(let_through, 1) << "of 64 at once when the wait ends";
  throttle.Failed("alice", "10.0.1.1", later);
  EXPECT_EQ(throttle.Attempt("alice", "10.0.1.1", later), milliseconds(2000));
}

TEST(LoginThrottle, BelowTheBurstSignInsGoSideBySide) {
  LoginThrottle throttle;
  for (int i = 0; i < 40; ++i) EXPECT_EQ(throttle.Attempt("alice", "10.0.0.1", kStart), milliseconds(0));
  for (int i = 0; i < 40; ++i) throttle.Succeeded("alice", "10.0.0.1");
  EXPECT_EQ(throttle.Attempt("alice", "10.0.0.1", kStart), milliseconds(0));
}

TEST(LoginThrottle, ASuccessResetsTheLoginButNotTheAddress) {
  LoginThrottle throttle;
  for (int i = 0; i < 25; ++i) Fail(throttle, "alice", "10.0.0.1", kStart + seconds(i * 400));
  const auto now = kStart + seconds(10'000);
  ASSERT_EQ(throttle.Attempt("alice", "10.0.0.2", now), milliseconds(0));
  throttle.Succeeded("alice", "10.0.0.2");
  EXPECT_EQ(Fail(throttle, "alice", "10.0.0.2", now), milliseconds(0)) << "counting starts again";
  EXPECT_EQ(throttle.Attempt("alice", "10.0.0.2", now), milliseconds(0));
  EXPECT_GT(throttle.Attempt("carol", "10.0.0.1", kStart + seconds(9600)), milliseconds(0))
      << "the address still waits, whichever login it tries";
}

TEST(LoginThrottle, AnAbandonedAttemptCountsForNothing) {
  LoginThrottle throttle;
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(throttle.Attempt("alice", "10.0.0.1", kStart), milliseconds(0)) << i;
    throttle.Abandoned("alice", "10.0.0.1");
  }
}

TEST(LoginThrottle, AnAddressTryingManyLoginsWaitsToo) {
  LoginThrottle throttle;
  for (int i = 0; i < 21; ++i) Fail(throttle, "user" + std::to_string(i), "10.0.0.1", kStart);
  EXPECT_EQ(throttle.Attempt("someone-new", "10.0.0.1", kStart), milliseconds(1000));
  EXPECT_EQ(throttle.Attempt("someone-new", "10.0.0.2", kStart), milliseconds(0));
}

TEST(LoginThrottle, AQuietSpellForgetsTheFailures) {
  LoginThrottle throttle;
  for (int i = 0; i < 10; ++i) Fail(throttle, "alice", "10.0.0.1", kStart + seconds(i * 20));
  EXPECT_GT(throttle.Attempt("alice", "10.0.0.1", kStart + seconds(185)), milliseconds(0)) << "16 s after the tenth";
  const auto later = kStart + seconds(180 + 900);
  EXPECT_EQ(Fail(throttle, "alice", "10.0.0.1", later), milliseconds(0));
  EXPECT_EQ(throttle.Attempt("alice", "10.0.0.1", later), milliseconds(0)) << "counting starts again at one";
}

TEST(LoginThrottle, KeysAreBoundedForgettingTheOldestFailure) {
  LoginThrottle throttle({.login_burst = 0, .address_burst = 1000, .max_keys = 3});
  for (int i = 0; i < 4; ++i) Fail(throttle, "user" + std::to_string(i), "10.0.0.1", kStart + seconds(i));
  const auto now = kStart + seconds(3);
  EXPECT_EQ(throttle.Attempt("user0", "10.0.0.1", now), milliseconds(0)) << "forgotten, the oldest";
  EXPECT_GT(throttle.Attempt("user3", "10.0.0.1", now), milliseconds(0));
}

}  // namespace
}  // namespace gm::infra
