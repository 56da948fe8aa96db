// Proves registration: Given events / When RegisterUser / Then events or error.
#include <gtest/gtest.h>

#include "domain/user.hpp"

namespace gm::domain {
namespace {

TEST(RegisterUser, NewLoginIsRegistered) {
  auto events = DecideRegister(UserState{}, {"u1", "alice", "hash", 1000});
  ASSERT_TRUE(events.HasValue());
  ASSERT_EQ(events.Value().size(), 1U);
  const auto& registered = std::get<UserRegistered>(events.Value()[0]);
  EXPECT_EQ(registered.user_id, "u1");
  EXPECT_EQ(registered.login, "alice");
  EXPECT_EQ(StreamOf(events.Value()[0]), "user-alice");
}

TEST(RegisterUser, TakenLoginIsRefused) {
  const UserState given = Evolve(UserState{}, UserRegistered{"u1", "alice", "hash", 1000});
  EXPECT_EQ(DecideRegister(given, {"u2", "alice", "other", 2000}).Error(), RegisterError::kLoginTaken);
}

}  // namespace
}  // namespace gm::domain
