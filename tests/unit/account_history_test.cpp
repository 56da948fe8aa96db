// The points history and the balance at an instant, folded from an account
// stream.
#include <gtest/gtest.h>

#include "domain/account_history.hpp"

namespace gm::domain {
namespace {

using Kind = HistoryEntry::Kind;

const std::vector<Event> kStream{
    PointsAccrued{"u1", "9278923470", Points{50000}, 1000},
    PointsWithdrawn{"u1", "2377225624", Points{2000}, 2000},
    PointsAccrued{"u1", "12345678903", Points{5}, 3000},
};

TEST(AccountHistory, OneEntryPerChangeWithTheBalanceRightAfterIt) {
  const auto history = AccountHistory(kStream);
  ASSERT_EQ(history.size(), 3U);
  EXPECT_EQ(history[0].kind, Kind::kAccrual);
  EXPECT_EQ(history[0].order, "9278923470");
  EXPECT_EQ(history[0].amount, Points{50000});
  EXPECT_EQ(history[0].balance, Points{50000});
  EXPECT_EQ(history[0].at, 1000);
  EXPECT_EQ(history[1].kind, Kind::kWithdrawal);
  EXPECT_EQ(history[1].order, "2377225624");
  EXPECT_EQ(history[1].amount, Points{-2000});
  EXPECT_EQ(history[1].balance, Points{48000});
  EXPECT_EQ(history[2].amount, Points{5});
  EXPECT_EQ(history[2].balance, Points{48005});
  EXPECT_EQ(history[2].at, 3000);
}

TEST(AccountHistory, OtherEventsAreNotEntries) {
  const std::vector<Event> stream{OrderUploaded{"12345678903", "u1", 1}, PointsAccrued{"u1", "12345678903", {7}, 2}};
  const auto history = AccountHistory(stream);
  ASSERT_EQ(history.size(), 1U);
  EXPECT_EQ(history[0].balance, Points{7});
  EXPECT_TRUE(AccountHistory({}).empty());
}

TEST(AccountHistory, TimeNeverGoesBackwardsInStreamOrder) {
  // A withdrawal stamped a little before the credit it spends (another
  // instance's clock), appended after it.
  const std::vector<Event> stream{PointsAccrued{"u1", "9278923470", {100}, 5000},
                                  PointsWithdrawn{"u1", "2377225624", {100}, 4990}};
  const auto history = AccountHistory(stream);
  EXPECT_EQ(history[1].at, 5000);
  // So no instant shows the withdrawal without the credit.
  EXPECT_EQ(AccountAt(stream, 4995).current, Points{0});
  EXPECT_EQ(AccountAt(stream, 4995).withdrawn, Points{0});
  EXPECT_EQ(AccountAt(stream, 5000).withdrawn, Points{100});
}

TEST(AccountAt, FoldsWhatHappenedUpToTheInstant) {
  EXPECT_EQ(AccountAt(kStream, 999).current, Points{0});
  EXPECT_EQ(AccountAt(kStream, 1000).current, Points{50000});
  EXPECT_EQ(AccountAt(kStream, 1999).current, Points{50000});
  EXPECT_EQ(AccountAt(kStream, 2000).current, Points{48000});
  EXPECT_EQ(AccountAt(kStream, 2000).withdrawn, Points{2000});
  EXPECT_EQ(AccountAt(kStream, 1'000'000).current, Points{48005});
  EXPECT_EQ(AccountAt(kStream, -5).withdrawn, Points{0});
}

}  // namespace
}  // namespace gm::domain
