// The account feed on a real SQLite file: a watcher gets its catch-up and
// what follows, and one that does not keep up is dropped, not buffered
// without limit (GET /api/user/events).
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <filesystem>
#include <functional>

#include "infra/live/account_feed.hpp"
#include "inline_commands.hpp"

namespace gm::infra::live {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Messages = std::optional<std::vector<FeedMessage>>;

using testing::LuhnComplete;

class AccountFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = std::filesystem::temp_directory_path() / ("gm-feed-" + std::to_string(::getpid()));
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    store_.emplace(DatabaseLocation{Dialect::kSqlite, (directory_ / "feed.db").string()});
    lane_.emplace(*store_);
    commands_.emplace(lane_->Events());
    ASSERT_TRUE(commands_->Register({"u1", "login-u1", "hash", 1}).HasValue());
  }
  void TearDown() override { std::filesystem::remove_all(directory_); }

  void Credit(int i) {
    const std::string number = LuhnComplete("4000" + std::to_string(1000 + i));
    ASSERT_TRUE(commands_->UploadOrder({domain::OrderNumber::Parse(number).Value(), "u1", 2}).HasValue());
    ASSERT_TRUE(
        commands_->ApplyAccrualResult({number, domain::AccrualStatus::kProcessed, {100}, 3}).HasValue());
  }

  // Runs `io` until `done` holds, or 5 s.
  static void RunUntil(asio::io_context& io, const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) io.run_for(5ms);
  }

  std::filesystem::path directory_;
  std::optional<store::SqlStore> store_;
  std::optional<testing::StoreOnLane> lane_;
  std::optional<testing::InlineCommands> commands_;
};

TEST_F(AccountFeedTest, AWatcherThatDoesNotKeepUpIsDroppedAfterWhatItHad) {
  asio::io_context io;
  asio::thread_pool database(1);
  AccountFeed feed(*store_, database.get_executor(), io.get_executor(), {.poll = 5ms, .max_pending = 4});
  feed.Start();
  auto watched = feed.Watch("u1", std::nullopt, io.get_executor());
  ASSERT_TRUE(watched);
  const auto watcher = watched.Value();
  EXPECT_EQ(feed.Watching(), 1U);
  std::vector<Messages> got;
  const auto next = [&] {
    asio::co_spawn(
        io, [&]() -> asio::awaitable<void> { got.push_back(co_await watcher->Next(5s)); }, asio::detached);
  };
  next();
  RunUntil(io, [&] { return got.size() == 1; });
  ASSERT_EQ(got.size(), 1U);
  ASSERT_TRUE(got[0]);
  ASSERT_EQ(got[0]->size(), 1U) << "the balance as it stands";
  EXPECT_TRUE(std::holds_alternative<domain::BalanceChanged>((*got[0])[0].update));

  // It reads nothing more while ten credits (three events each) come.
  for (int i = 0; i < 10; ++i) Credit(i);
  RunUntil(io, [&] { return feed.Watching() == 0; });
  EXPECT_EQ(feed.Watching(), 0U) << "dropped";
  next();
  RunUntil(io, [&] { return got.size() == 2; });
  ASSERT_EQ(got.size(), 2U);
  ASSERT_TRUE(got[1]);
  EXPECT_EQ(got[1]->size(), 4U) << "what was waiting for it, and no more";
  next();
  RunUntil(io, [&] { return got.size() == 3; });
  ASSERT_EQ(got.size(), 3U);
  EXPECT_FALSE(got[2]) << "then the stream ends: the client comes back with its last id";
}

TEST_F(AccountFeedTest, PastTheCapsAWatcherIsRefused) {
  asio::io_context io;
  asio::thread_pool database(1);
  AccountFeed feed(*store_, database.get_executor(), io.get_executor(),
                   {.max_watchers = 3, .max_watchers_per_user = 2});
  std::vector<std::shared_ptr<Watcher>> held;
  for (const char* user : {"u1", "u1", "u2"}) held.push_back(feed.Watch(user, std::nullopt, io.get_executor()).Value());
  EXPECT_EQ(feed.Watch("u1", std::nullopt, io.get_executor()).Error(), WatchRefusal::kTooMany);
  held.pop_back();
  EXPECT_EQ(feed.Watch("u1", std::nullopt, io.get_executor()).Error(), WatchRefusal::kTooManyForUser);
  EXPECT_TRUE(feed.Watch("u3", std::nullopt, io.get_executor())) << "another user still may";
}

}  // namespace
}  // namespace gm::infra::live
