// AsyncCommands against a scripted store (pure code: no database): new
// orders and logins append at once, a taken login is refused, a fault
// from the store is the reply's error, endless version conflicts end in
// ContentionError after a bounded number of attempts, and the keyed queue
// runs one account's tasks one at a time, in order.
#include <gtest/gtest.h>

#include <deque>

#include "app/async_commands.hpp"
#include "inline_commands.hpp"

namespace gm::app {
namespace {

// Answers every call at once; appends conflict when `conflicts` says so.
class ScriptedStore final : public AsyncEventStore {
 public:
  void Load(const std::string&, Answer<LoadedStream> answer) override {
    ++loads;
    answer(load_error, loaded);
  }
  void LoadAccount(const std::string&, Answer<AccountSnapshot> answer) override {
    answer(nullptr, {{domain::Points{5000}, domain::Points{0}}, 1});
  }
  void Append(std::vector<StreamAppend> appends, Answer<AppendOutcome> answer) override {
    ++appends_tried;
    last = std::move(appends);
    answer(nullptr, conflicts ? AppendOutcome::kVersionConflict : AppendOutcome::kAppended);
  }

  bool conflicts = false;
  std::exception_ptr load_error;
  LoadedStream loaded;  // what every Load finds
  int loads = 0;
  int appends_tried = 0;
  std::vector<StreamAppend> last;
};

domain::UploadOrder Upload() { return {domain::OrderNumber::Parse("12345678903").Value(), "u1", 1}; }
domain::WithdrawPoints Withdrawal() { return {"u1", domain::OrderNumber::Parse("2377225624").Value(), {100}, 1}; }

TEST(AsyncCommandsTest, ANewOrderIsOneAppendAtVersionZero) {
  ScriptedStore store;
  testing::InlineCommands commands(store);
  const auto uploaded = commands.UploadOrder(Upload());
  ASSERT_TRUE(uploaded.HasValue());
  EXPECT_TRUE(uploaded.Value());
  EXPECT_EQ(store.loads, 0) << "the first attempt assumes a new order";
  ASSERT_EQ(store.last.size(), 1U);
  EXPECT_EQ(store.last[0].expected_version, kNoStream);
}

TEST(AsyncCommandsTest, ANewLoginIsOneAppendAtVersionZero) {
  ScriptedStore store;
  testing::InlineCommands commands(store);
  EXPECT_TRUE(commands.Register({"u1", "alice", "hash", 1}).HasValue());
  EXPECT_EQ(store.loads, 0) << "the first attempt assumes a new login";
  ASSERT_EQ(store.last.size(), 1U);
  EXPECT_EQ(store.last[0].stream, domain::UserStream("alice"));
  EXPECT_EQ(store.last[0].expected_version, kNoStream);
}

TEST(AsyncCommandsTest, ATakenLoginIsRefusedOnceItsAppendConflicts) {
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

TEST(AsyncCommandsTest, AWithdrawalAppendsAtTheVersionsItRead) {
  ScriptedStore store;
  testing::InlineCommands commands(store);
  ASSERT_TRUE(commands.Withdraw(Withdrawal()).HasValue());
  ASSERT_EQ(store.last.size(), 2U);
  for (const auto& append : store.last) {
    EXPECT_EQ(append.expected_version, append.stream == domain::AccountStream("u1") ? 1 : 0) << append.stream;
  }
}

TEST(AsyncCommandsTest, AFinalAccrualCreditsAtTheOrderVersionItRead) {
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

TEST(AsyncCommandsTest, EndlessConflictsEndInContention) {
  ScriptedStore store;
  store.conflicts = true;
  testing::InlineCommands commands(store);
  EXPECT_THROW(commands.Withdraw(Withdrawal()), ContentionError);
  EXPECT_EQ(store.appends_tried, kMaxAttempts);
}

TEST(AsyncCommandsTest, AStoreFaultIsTheReplysError) {
  ScriptedStore store;
  store.conflicts = true;  // the first upload attempt conflicts, so the second must load
  store.load_error = std::make_exception_ptr(std::runtime_error("database gone"));
  testing::InlineCommands commands(store);
  EXPECT_THROW(commands.UploadOrder(Upload()), std::runtime_error);
  EXPECT_EQ(store.appends_tried, 1);
}

TEST(KeyedQueueTest, TasksOfOneKeyTakeTurnsInOrder) {
  KeyedQueue queue;
  std::vector<std::string> log;
  std::deque<KeyedQueue::Done> unfinished;
  for (const std::string task : {"a1", "a2", "b1", "a3"}) {
    queue.Run(task.substr(0, 1), [&, task](KeyedQueue::Done done) {
      log.push_back(task);
      unfinished.push_back(std::move(done));
    });
  }
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1"})) << "a2 waits for a1; b1 does not";
  auto finish = [&] {
    auto done = std::move(unfinished.front());
    unfinished.pop_front();
    done();
  };
  finish();  // a1
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "a2"}));
  finish();  // b1
  finish();  // a2
  EXPECT_EQ(log, (std::vector<std::string>{"a1", "b1", "a2", "a3"}));
  finish();  // a3
  queue.Run("a", [&](KeyedQueue::Done done) {
    log.push_back("a4");
    done();
  });
  EXPECT_EQ(log.back(), "a4") << "a key with nothing running starts at once";
}

}  // namespace
}  // namespace gm::app
