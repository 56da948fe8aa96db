// CommandService against a scripted store (pure code: no database): new
// orders and logins append at once, a taken login is refused, a fault
// from the store is thrown to the caller, endless version conflicts end in
// ContentionError after a bounded number of attempts, and stream turns
// go to one holder of a key at a time, in order.
#include <gtest/gtest.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <map>
#include <memory>

#include "app/command_service.hpp"
#include "inline_commands.hpp"

namespace gm::app {
namespace {

// Answers every call at once; appends conflict when `conflicts` says so.
class ScriptedStore final : public AsyncEventStore {
 public:
  Async<LoadedStream> Load(const std::string&) override {
    ++loads;
    if (load_error) std::rethrow_exception(load_error);
    co_return loaded;
  }
  Async<AccountSnapshot> LoadAccount(const std::string&) override {
    if (account_error) std::rethrow_exception(account_error);
    co_return AccountSnapshot{{domain::Points{5000}, domain::Points{0}}, 1};
  }
  Async<AppendOutcome> Append(std::vector<StreamAppend> appends) override {
    ++appends_tried;
    last = std::move(appends);
    co_return conflicts ? AppendOutcome::kVersionConflict : AppendOutcome::kAppended;
  }

  bool conflicts = false;
  std::exception_ptr load_error;
  std::exception_ptr account_error;
  LoadedStream loaded;  // what every Load finds
  int loads = 0;
  int appends_tried = 0;
  std::vector<StreamAppend> last;
};

domain::UploadOrder Upload() { return {domain::OrderNumber::Parse("12345678903").Value(), "u1", 1}; }
domain::WithdrawPoints Withdrawal() { return {"u1", domain::OrderNumber::Parse("2377225624").Value(), {100}, 1}; }

TEST(CommandServiceTest, ANewOrderIsOneAppendAtVersionZero) {
  ScriptedStore store;
  testing::InlineCommands commands(store);
  const auto uploaded = commands.UploadOrder(Upload());
  ASSERT_TRUE(uploaded.HasValue());
  EXPECT_TRUE(uploaded.Value());
  EXPECT_EQ(store.loads, 0) << "the first attempt assumes a new order";
  ASSERT_EQ(store.last.size(), 1U);
  EXPECT_EQ(store.last[0].expected_version, kNoStream);
}

TEST(CommandServiceTest, ANewLoginIsOneAppendAtVersionZero) {
  ScriptedStore store;
  testing::InlineCommands commands(store);
  EXPECT_TRUE(commands.Register({"u1", "alice", "hash", 1}).HasValue());
  EXPECT_EQ(store.loads, 0) << "the first attempt assumes a new login";
  ASSERT_EQ(store.last.size(), 1U);
  EXPECT_EQ(store.last[0].stream, domain::UserStream("alice"));
  EXPECT_EQ(store.last[0].expected_version, kNoStream);
}

TEST(CommandServiceTest, ATakenLoginIsRefusedOnceItsAppendConflicts) {
  ScriptedStore store;
  store.conflicts = true;
  store.loaded = {1, {domain::UserRegistered{"u0", "alice", "other hash", 1}}};
  testing::InlineCommands commands(store);
  const auto registered = commands.Register({"u1", "alice", "hash", 2});
  ASSERT_FALSE(registered.HasValue());
  EXPECT_EQ(registered.Error(), domain::RegisterError::kLoginTaken);
  EXPECT_EQ(store.appends_tried, 1);
  EXPECT_EQ(store.loads, 1);
}

TEST(CommandServiceTest, AWithdrawalAppendsAtTheVersionsItRead) {
  ScriptedStore store;
  testing::InlineCommands commands(store);
  ASSERT_TRUE(commands.Withdraw(Withdrawal()).HasValue());
  ASSERT_EQ(store.last.size(), 2U);
  for (const auto& append : store.last) {
    EXPECT_EQ(append.expected_version, append.stream == domain::AccountStream("u1") ? 1 : 0) << append.stream;
  }
}

TEST(CommandServiceTest, AFinalAccrualCreditsAtTheOrderVersionItRead) {
  ScriptedStore store;
  store.loaded = {1, {domain::OrderUploaded{"12345678903", "u1", 1}}};
  testing::InlineCommands commands(store);
  ASSERT_TRUE(
      commands.ApplyAccrualResult({"12345678903", domain::AccrualStatus::kProcessed, domain::Points{500}, 2}).HasValue());
  EXPECT_EQ(store.loads, 1);
  ASSERT_EQ(store.last.size(), 2U);
  for (const auto& append : store.last) {
    EXPECT_EQ(append.expected_version, append.stream == domain::AccountStream("u1") ? kAnyVersion : 1) << append.stream;
  }
}

TEST(CommandServiceTest, EndlessConflictsEndInContention) {
  ScriptedStore store;
  store.conflicts = true;
  testing::InlineCommands commands(store);
  EXPECT_THROW(commands.Withdraw(Withdrawal()), ContentionError);
  EXPECT_EQ(store.appends_tried, kMaxAttempts);
}

TEST(CommandServiceTest, AStoreFaultIsThrownToTheCaller) {
  ScriptedStore store;
  store.conflicts = true;  // the first upload attempt conflicts, so the second must load
  store.load_error = std::make_exception_ptr(std::runtime_error("database gone"));
  testing::InlineCommands commands(store);
  EXPECT_THROW(commands.UploadOrder(Upload()), std::runtime_error);
  EXPECT_EQ(store.appends_tried, 1);
}

// A withdrawal reads the account and its own stream at once; when both
// reads fail, the caller still gets the store's fault itself (the HTTP layer
// answers StoreUnavailable with 503), not a wrapper of the two.
TEST(CommandServiceTest, BothReadsOfAWithdrawalFailingThrowTheStoresFault) {
  ScriptedStore store;
  store.account_error = std::make_exception_ptr(StoreUnavailable("database gone"));
  store.load_error = std::make_exception_ptr(StoreUnavailable("database gone"));
  testing::InlineCommands commands(store);
  EXPECT_THROW(commands.Withdraw(Withdrawal()), StoreUnavailable);
  store.load_error = nullptr;  // the account read alone failing
  EXPECT_THROW(commands.Withdraw(Withdrawal()), StoreUnavailable);
  EXPECT_EQ(store.appends_tried, 0);
}

TEST(StreamTurnsTest, PastTheLimitOfWaitersATakeIsRefusedAtOnce) {
  namespace asio = boost::asio;
  asio::io_context io;
  StreamTurns turns(2);
  std::vector<std::string> log;
  asio::steady_timer held(io, std::chrono::hours(1));
  const auto take = [&](std::string task, bool hold) -> Async<void> {
    try {
      const auto turn = co_await turns.Take("a");
      log.push_back(task);
      if (hold) co_await held.async_wait(asio::as_tuple(asio::use_awaitable));
    } catch (const ContentionError&) {
      log.push_back(task + " refused");
    }
  };
  asio::co_spawn(io, take("holder", true), asio::detached);
  for (const std::string task : {"w1", "w2", "w3"}) asio::co_spawn(io, take(task, false), asio::detached);
  io.poll();
  EXPECT_EQ(log, (std::vector<std::string>{"holder", "w3 refused"})) << "two wait; the third is refused, not queued";
  held.cancel();
  io.restart();
  io.poll();
  EXPECT_EQ(log, (std::vector<std::string>{"holder", "w3 refused", "w1", "w2"}));
}

TEST(StreamTurnsTest, HoldersOfOneKeyTakeTurnsInOrder) {
  namespace asio = boost::asio;
  asio::io_context io;
  StreamTurns turns;
  std::vector<std::string> log;
  std::map<std::string, std::unique_ptr<asio::steady_timer>> holding;  // a holder lets go when its timer ends
  const auto hold = [&](std::string task) -> Async<void> {
    const auto turn = co_await turns.Take(task.substr(0, 1));
    log.push_back(task);
    auto& timer = *holding.emplace(task, std::make_unique<asio::steady_timer>(io, std::chrono::hours(1))).first->second;
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
  };
  const auto run_ready = [&io] {
    io.restart();  // after a poll that found nothing left to wait for
    io.poll();
  };
  for (const std::string task : {"a1", "a2", "b1", "a3"}) asio::co_spawn(io, hold(task), asio::detached);
  run_ready();
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1"})) << "a2 waits for a1; b1 does not";
  const auto finish = [&](const std::string& task) {
    holding.at(task)->cancel();
    run_ready();
  };
  finish("a1");
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "a2"}));
  finish("b1");
  finish("a2");
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "a2", "a3"}));
  finish("a3");
  asio::co_spawn(io, hold("a4"), asio::detached);
  run_ready();
  EXPECT_EQ(log.back(), "a4") << "a key nobody holds is taken at once";
  finish("a4");
}

}  // namespace
}  // namespace gm::app
