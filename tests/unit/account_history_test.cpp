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

// A long stream is walked a page at a time: stretch by stretch, from where
// the last one left the walk, it gives what the whole stream gives.
TEST(AccountHistory, WalkedInStretchesItIsTheWholeStreamsHistory) {
  std::vector<Event> stream;
  for (int i = 0; i < 10; ++i) {
    const TimeMs at = 1000 * i - (i % 4 == 2 ? 1500 : 0);  // some stamped before the one ahead
    if (i % 3 == 2) {
      stream.push_back(PointsWithdrawn{"u1", "w" + std::to_string(i), Points{7}, at});
    } else {
      stream.push_back(PointsAccrued{"u1", "a" + std::to_string(i), Points{100 + i}, at});
    }
  }
  const auto whole = AccountHistory(stream);
  for (const std::size_t stretch : {1U, 3U, 4U}) {
    AccountWalk walk;
    std::vector<HistoryEntry> walked;
    for (std::size_t first = 0; first < stream.size(); first += stretch) {
      const std::vector<Event> part(stream.begin() + static_cast<std::ptrdiff_t>(first),
                                    stream.begin() + static_cast<std::ptrdiff_t>(std::min(first + stretch, stream.size())));
      for (auto& entry : AccountHistory(part, walk)) walked.push_back(std::move(entry));
    }
    ASSERT_EQ(walked.size(), whole.size()) << stretch;
    for (std::size_t i = 0; i < whole.size(); ++i) {
      EXPECT_EQ(walked[i].order, whole[i].order) << stretch;
      EXPECT_EQ(walked[i].balance, whole[i].balance) << stretch;
      EXPECT_EQ(walked[i].at, whole[i].at) << stretch;
    }
    for (const TimeMs instant : {-1, 0, 499, 1000, 2500, 5000, 8999, 100000}) {
      AccountWalk at_instant;
      for (std::size_t first = 0; first < stream.size(); first += stretch) {
        const std::vector<Event> part(
            stream.begin() + static_cast<std::ptrdiff_t>(first),
            stream.begin() + static_cast<std::ptrdiff_t>(std::min(first + stretch, stream.size())));
        if (!WalkUntil(part, instant, at_instant)) break;
      }
      EXPECT_EQ(at_instant.state.current, AccountAt(stream, instant).current) << stretch << " " << instant;
      EXPECT_EQ(at_instant.state.withdrawn, AccountAt(stream, instant).withdrawn) << stretch << " " << instant;
    }
  }
}

}  // namespace
}  // namespace gm::domain
