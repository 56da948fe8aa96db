// Proves the event store on both backends, a real SQLite file and a real
// PostgreSQL database (GM_POSTGRES_URI, started by scripts/test): expected
// versions, atomic multi-stream appends with inline projections, the queue,
// a rebuild that reproduces the read models, and racing withdrawals that
// never overdraw.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <set>
#include <thread>

#include "app/commands.hpp"
#include "domain/account.hpp"
#include "infra/store/event_codec.hpp"
#include "infra/store/operator/bulk_insert.hpp"
#include "infra/store/postgres/connection.hpp"
#include "infra/store/sql_store.hpp"
#include "infra/store/watched_log.hpp"
#include "inline_commands.hpp"

namespace gm::infra::store {
namespace {

using namespace domain;

// A fresh PostgreSQL database in the cluster named by GM_POSTGRES_URI.
std::string FreshPostgresDatabase(const std::string& admin_uri) {
  static int counter = 0;
  const std::string name = "gm_unit_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  postgres::PgConnection admin(admin_uri);
  admin.Execute("CREATE DATABASE " + name);
  return admin_uri.substr(0, admin_uri.rfind('/') + 1) + name;
}

class SqlStoreTest : public ::testing::TestWithParam<Dialect> {
 protected:
  void SetUp() override {
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    directory_ = std::filesystem::temp_directory_path() / ("gm-store-" + std::to_string(::getpid()) + "-" +
                                                           std::to_string(std::hash<std::string>{}(test->name())));
    std::filesystem::remove_all(directory_);
    std::filesystem::create_directories(directory_);
    if (GetParam() == Dialect::kPostgres) {
      const char* admin = std::getenv("GM_POSTGRES_URI");
      if (admin == nullptr) GTEST_SKIP() << "GM_POSTGRES_URI is not set (scripts/test sets it)";
      database_ = FreshPostgresDatabase(admin);
      store_ = std::make_unique<SqlStore>(DatabaseLocation{Dialect::kPostgres, database_});
    } else {
      store_ =
          std::make_unique<SqlStore>(DatabaseLocation{Dialect::kSqlite, (directory_ / "test.db").string()});
    }
    lane_.emplace(*store_);
    async_.emplace(lane_->Events());
  }
  void TearDown() override {
    async_.reset();
    lane_.reset();
    store_.reset();
    std::filesystem::remove_all(directory_);
  }

  void Register(const std::string& user_id) {
    ASSERT_TRUE(async_->Register({user_id, "login-" + user_id, "hash", 1}).HasValue());
  }
  void Credit(const std::string& user_id, const std::string& number, std::int64_t hundredths) {
    ASSERT_TRUE(async_->UploadOrder({OrderNumber::Parse(number).Value(), user_id, 2}).HasValue());
    ASSERT_TRUE(async_->ApplyAccrualResult({number, AccrualStatus::kProcessed, {hundredths}, 3}).HasValue());
  }

  // Reads the whole visible log from `cursor` on, page by page.
  std::vector<RecordedEvent> ReadOn(LogCursor& cursor) {
    std::vector<RecordedEvent> read;
    for (;;) {
      auto page = store_->ReadAll(cursor, 7);
      if (page.events.empty()) return read;
      cursor = page.next;
      for (auto& event : page.events) read.push_back(std::move(event));
    }
  }

  // Reads on until `count` events have come, or 10 s have passed. On
  // PostgreSQL the log shows an event only once every older transaction in
  // the cluster has ended, and a test running beside this one (ctest -j)
  // may hold one open for a moment.
  std::vector<RecordedEvent> ReadUntil(LogCursor& cursor, std::size_t count) {
    std::vector<RecordedEvent> read;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (read.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto more = ReadOn(cursor);
      if (more.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      for (auto& event : more) read.push_back(std::move(event));
    }
    return read;
  }

  std::filesystem::path directory_;
  std::string database_;
  std::unique_ptr<SqlStore> store_;
  std::optional<testing::StoreOnLane> lane_;  // the adapters over the store, on the test lane
  std::optional<testing::InlineCommands> async_;
};

TEST_P(SqlStoreTest, AppendChecksTheExpectedVersion) {
  const std::vector<app::StreamAppend> first{{"order-0", app::kNoStream, {OrderUploaded{"0", "u1", 1}}}};
  EXPECT_EQ(lane_->Append(first), app::AppendOutcome::kAppended);
  EXPECT_EQ(lane_->Append(first), app::AppendOutcome::kVersionConflict);
  const auto loaded = lane_->Load("order-0");
  EXPECT_EQ(loaded.version, 1);
  ASSERT_EQ(loaded.events.size(), 1U);
  EXPECT_EQ(std::get<OrderUploaded>(loaded.events[0]).user_id, "u1");
}

TEST_P(SqlStoreTest, AConflictOnOneStreamAppendsNothing) {
  ASSERT_EQ(lane_->Append({{"order-0", app::kNoStream, {OrderUploaded{"0", "u1", 1}}}}),
            app::AppendOutcome::kAppended);
  const auto outcome = lane_->Append({
      {"order-18", app::kNoStream, {OrderUploaded{"18", "u1", 1}}},
      {"order-0", app::kNoStream, {OrderUploaded{"0", "u2", 1}}},
  });
  EXPECT_EQ(outcome, app::AppendOutcome::kVersionConflict);
  EXPECT_EQ(lane_->Load("order-18").version, 0);
  EXPECT_TRUE(lane_->OrdersOf("u1").size() == 1U);
}

TEST_P(SqlStoreTest, ProjectionsFollowTheLog) {
  Register("u1");
  Credit("u1", "12345678903", 50050);
  ASSERT_TRUE(async_->Withdraw({"u1", OrderNumber::Parse("2377225624").Value(), {751}, 4}).HasValue());
  const auto balance = lane_->BalanceOf("u1");
  EXPECT_EQ(balance.current.hundredths, 50050 - 751);
  EXPECT_EQ(balance.withdrawn.hundredths, 751);
  const auto orders = lane_->OrdersOf("u1");
  ASSERT_EQ(orders.size(), 1U);
  EXPECT_EQ(orders[0].status, OrderStatus::kProcessed);
  EXPECT_EQ(orders[0].accrual.hundredths, 50050);
  ASSERT_EQ(lane_->WithdrawalsOf("u1").size(), 1U);
  EXPECT_EQ(lane_->FindUserByLogin("login-u1")->user_id, "u1");
  const auto account = lane_->AccountEventsOf("u1");
  ASSERT_EQ(account.size(), 2U);
  EXPECT_EQ(std::get<PointsAccrued>(account[0]).amount.hundredths, 50050);
  EXPECT_EQ(std::get<PointsWithdrawn>(account[1]).order, "2377225624");
  EXPECT_TRUE(lane_->AccountEventsOf("nobody").empty());
}

// A page shorter than kPageRows is taken for the last one: a LIMIT below
// it would cut every long list short without a word.
TEST(SqlReadModels, EveryPagedQueryAsksForKPageRows) {
  const std::string limit = "LIMIT " + std::to_string(SqlReadModels::kPageRows);
  int paged = 0;
  for (const auto& query : SqlReadModels::Queries()) {
    for (const char* sql : {query.sql, query.sqlite_sql, query.many_sql}) {
      if (sql == nullptr || std::string_view(sql).find("LIMIT") == std::string_view::npos) continue;
      ++paged;
      const std::string text(sql);
      EXPECT_NE(text.find(limit), std::string::npos) << query.name << ": " << text;
      EXPECT_EQ(text.find("LIMIT"), text.rfind("LIMIT")) << query.name << ": one LIMIT";
    }
  }
  EXPECT_EQ(paged, 9) << "three lists, each a first page (and its many-users form) and a next page";
}

TEST_P(SqlStoreTest, ListsComeInPagesNewestFirstEachItemOnce) {
  // 2 000 orders of u1 (two full pages, then an empty one), 1 001
  // withdrawals (a full page and one more), with u2's in between.
  std::vector<app::StreamAppend> orders;
  for (int i = 0; i < 1999; ++i) {
    for (const char* user : {"u1", "u2"}) {
      if (std::string(user) == "u2" && i % 100 != 0) continue;
      const std::string number = user + std::to_string(i);
      orders.push_back({"order-" + number, app::kNoStream, {OrderUploaded{number, user, i}}});
    }
  }
  ASSERT_EQ(lane_->Append(std::move(orders)), app::AppendOutcome::kAppended);
  Register("u1");
  Credit("u1", "12345678903", 100000);
  for (int i = 0; i < 1001; ++i) {
    const auto number = OrderNumber::Parse(testing::LuhnComplete(std::to_string(4000000000LL + i))).Value();
    ASSERT_TRUE(async_->Withdraw({"u1", number, {1}, i}).HasValue());
  }
  std::vector<std::string> seen;
  std::vector<std::size_t> sizes;
  for (std::string after;;) {
    const auto page = lane_->OrdersPage("u1", after);
    sizes.push_back(page.items.size());
    for (const auto& order : page.items) seen.push_back(order.number);
    if (page.next.empty()) break;
    after = page.next;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1000, 1000, 0}));
  ASSERT_EQ(seen.size(), 2000U);
  EXPECT_EQ(seen.front(), "12345678903");  // credited last: the newest
  for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_EQ(seen[i], "u1" + std::to_string(1999 - i)) << i;
  std::size_t withdrawals = 0;
  sizes.clear();
  for (std::string after;;) {
    const auto page = lane_->WithdrawalsPage("u1", after);
    sizes.push_back(page.items.size());
    withdrawals += page.items.size();
    if (page.next.empty()) break;
    after = page.next;
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{1000, 1}));
  EXPECT_EQ(withdrawals, 1001U);
}

TEST_P(SqlStoreTest, QueueHoldsUploadedOrdersUntilFinal) {
  Register("u1");
  ASSERT_TRUE(async_->UploadOrder({OrderNumber::Parse("12345678903").Value(), "u1", 100}).HasValue());
  auto claimed = lane_->ClaimDue(100, 200, 10);
  ASSERT_EQ(claimed.size(), 1U);
  EXPECT_EQ(claimed[0].number, "12345678903");
  EXPECT_TRUE(lane_->ClaimDue(150, 300, 10).empty()) << "a leased order is hidden";
  EXPECT_EQ(lane_->ClaimDue(200, 300, 10).size(), 1U) << "an expired lease frees the order";
  lane_->Reschedule("12345678903", 1, 1000);
  EXPECT_TRUE(lane_->ClaimDue(999, 2000, 10).empty());
  ASSERT_TRUE(async_->ApplyAccrualResult({"12345678903", AccrualStatus::kInvalid, {}, 5}).HasValue());
  EXPECT_TRUE(lane_->ClaimDue(5000, 6000, 10).empty()) << "a final order leaves the queue";
}

TEST_P(SqlStoreTest, RebuildReproducesTheReadModels) {
  Register("u1");
  Register("u2");
  Credit("u1", "12345678903", 10000);
  Credit("u2", "9278923470", 333);
  ASSERT_TRUE(async_->UploadOrder({OrderNumber::Parse("79927398713").Value(), "u1", 9}).HasValue());
  ASSERT_TRUE(async_->Withdraw({"u1", OrderNumber::Parse("2377225624").Value(), {2550}, 10}).HasValue());
  const auto orders = lane_->OrdersOf("u1");
  const auto balance = lane_->BalanceOf("u1");
  const auto withdrawals = lane_->WithdrawalsOf("u1");

  // 2 registrations + 2 x (upload, processed, accrued) + 1 upload + 1 withdrawal (placed, withdrawn).
  EXPECT_EQ(store_->RebuildProjections(), 11);

  const auto rebuilt_orders = lane_->OrdersOf("u1");
  ASSERT_EQ(rebuilt_orders.size(), orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    EXPECT_EQ(rebuilt_orders[i].number, orders[i].number);
    EXPECT_EQ(rebuilt_orders[i].status, orders[i].status);
    EXPECT_EQ(rebuilt_orders[i].accrual, orders[i].accrual);
    EXPECT_EQ(rebuilt_orders[i].uploaded_at, orders[i].uploaded_at);
  }
  EXPECT_EQ(lane_->BalanceOf("u1").current, balance.current);
  EXPECT_EQ(lane_->BalanceOf("u1").withdrawn, balance.withdrawn);
  EXPECT_EQ(lane_->BalanceOf("u2").current.hundredths, 333);
  ASSERT_EQ(lane_->WithdrawalsOf("u1").size(), withdrawals.size());
  EXPECT_EQ(lane_->ClaimDue(1'000'000, 2'000'000, 10).size(), 1U) << "the pending order is queued again";
}

// Every column of every read-model table, as text, in key order.
std::vector<std::vector<std::string>> Dump(sql::Connection& c) {
  static constexpr const char* kTables[] = {
      "SELECT * FROM users_view ORDER BY 1",       "SELECT * FROM orders_view ORDER BY 1",
      "SELECT * FROM balances_view ORDER BY 1",    "SELECT * FROM withdrawals_view ORDER BY 1",
      "SELECT * FROM accrual_queue ORDER BY 1"};
  std::vector<std::vector<std::string>> rows;
  for (const char* query : kTables) {
    auto statement = c.Prepare(query);
    while (statement.Step()) {
      std::vector<std::string> row{query};
      for (int i = 0; i < statement.Columns(); ++i) row.push_back(statement.IsNull(i) ? "NULL" : statement.Text(i));
      rows.push_back(std::move(row));
    }
  }
  return rows;
}

// The pipelines' plans follow the planner's statistics: a rebuild (or an
// import) that leaves them describing empty tables left a big customer's
// next page read by sorting all their rows.
TEST_P(SqlStoreTest, RebuildRefreshesThePlannersStatistics) {
  if (GetParam() != Dialect::kPostgres) GTEST_SKIP() << "SQLite plans without statistics";
  std::vector<app::StreamAppend> orders;
  for (int i = 0; i < 40; ++i) {  // fewer than autovacuum's threshold: only the rebuild analyses
    const std::string number = std::to_string(1000 + i);
    orders.push_back({"order-" + number, app::kNoStream, {OrderUploaded{number, "u1", i}}});
  }
  ASSERT_EQ(lane_->Append(std::move(orders)), app::AppendOutcome::kAppended);
  const auto estimated_rows = [this] {
    auto c = store_->Pool().Acquire();
    auto statement = c->Prepare("SELECT reltuples::bigint FROM pg_class WHERE relname = 'orders_view'");
    return statement.Step() ? statement.Int64(0) : -2;
  };
  EXPECT_LE(estimated_rows(), 0) << "analysed when the table was created, empty";
  store_->RebuildProjections();
  EXPECT_EQ(estimated_rows(), 40);
}

// The rebuild writes the in-memory fold, the appends the SQL projector:
// the same rows, to the last column (the queue's schedule, the account's
// stream version, NULL accruals), or `verify` would be comparing unlike.
TEST_P(SqlStoreTest, RebuildWritesExactlyWhatTheProjectorWrote) {
  Register("u1");
  Register("u2");
  Credit("u1", "12345678903", 10000);
  Credit("u2", "9278923470", 333);
  ASSERT_TRUE(async_->UploadOrder({OrderNumber::Parse("79927398713").Value(), "u1", 9}).HasValue());
  ASSERT_TRUE(async_->UploadOrder({OrderNumber::Parse("4561261212345467").Value(), "u2", 10}).HasValue());
  ASSERT_TRUE(async_->ApplyAccrualResult({"4561261212345467", AccrualStatus::kProcessing, {}, 11}).HasValue());
  ASSERT_TRUE(async_->UploadOrder({OrderNumber::Parse("2377225624").Value(), "u2", 12}).HasValue());
  ASSERT_TRUE(async_->ApplyAccrualResult({"2377225624", AccrualStatus::kInvalid, {}, 13}).HasValue());
  ASSERT_TRUE(async_->ApplyAccrualResult({"9278923470", AccrualStatus::kProcessed, {5}, 14}).HasValue());
  ASSERT_TRUE(async_->Withdraw({"u1", OrderNumber::Parse("49927398716").Value(), {2550}, 15}).HasValue());
  ASSERT_TRUE(async_->Withdraw({"u1", OrderNumber::Parse("1234567812345670").Value(), {1}, 16}).HasValue());
  auto c = store_->Pool().Acquire();
  const auto projected = Dump(*c);
  ASSERT_EQ(projected.size(), 2U + 5U + 2U + 2U + 2U) << "users, orders, balances, withdrawals, pending";
  EXPECT_GT(store_->RebuildProjections(), 0);
  EXPECT_EQ(Dump(*c), projected);
}

// The account snapshot a withdrawal decides on is the stream folded, at the
// stream's version, before and after a rebuild of the read models.
TEST_P(SqlStoreTest, AccountSnapshotEqualsTheFoldedStream) {
  Register("u1");
  Credit("u1", "12345678903", 10000);
  Credit("u1", "9278923470", 333);
  Credit("u1", "79927398713", 5);
  ASSERT_TRUE(async_->Withdraw({"u1", OrderNumber::Parse("2377225624").Value(), {2550}, 10}).HasValue());
  const auto expect_folded = [this] {
    const auto stream = lane_->Load(AccountStream("u1"));
    AccountState folded;
    for (const auto& event : stream.events) folded = Evolve(folded, event);
    const auto snapshot = lane_->LoadAccount("u1");
    EXPECT_EQ(snapshot.version, 4);
    EXPECT_EQ(snapshot.version, stream.version);
    EXPECT_EQ(snapshot.state.current.hundredths, 10000 + 333 + 5 - 2550);
    EXPECT_EQ(snapshot.state.current, folded.current);
    EXPECT_EQ(snapshot.state.withdrawn, folded.withdrawn);
  };
  expect_folded();
  store_->RebuildProjections();
  expect_folded();
  EXPECT_EQ(lane_->LoadAccount("nobody").version, 0) << "an account with no events is empty";
}

TEST_P(SqlStoreTest, RacingWithdrawalsNeverOverdraw) {
  Register("u1");
  Credit("u1", "12345678903", 10000);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5;
  std::atomic<int> succeeded{0};
  std::atomic<int> refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      testing::InlineCommands commands(lane_->Events());
      for (int i = 0; i < kPerThread; ++i) {
        // Distinct order numbers: 10*(t*kPerThread+i) with a Luhn digit.
        std::string base = std::to_string(1000 + t * kPerThread + i);
        for (char check = '0'; check <= '9'; ++check) {
          if (auto number = OrderNumber::Parse(base + check)) {
            auto outcome = commands.Withdraw({"u1", number.Value(), {1000}, 7});
            (outcome ? succeeded : refused)++;
            if (!outcome) {
              EXPECT_EQ(outcome.Error(), WithdrawError::kInsufficientPoints);
            }
            break;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 10);
  EXPECT_EQ(refused.load(), kThreads * kPerThread - 10);
  EXPECT_EQ(lane_->BalanceOf("u1").current.hundredths, 0);
  EXPECT_EQ(lane_->BalanceOf("u1").withdrawn.hundredths, 10000);
}

TEST_P(SqlStoreTest, ReadAllReturnsEveryEventOnceInOrder) {
  for (int i = 0; i < 20; ++i) {
    const std::string number = std::to_string(i);
    ASSERT_EQ(lane_->Append({{"order-" + number, app::kNoStream, {OrderUploaded{number, "u1", i}}}}),
              app::AppendOutcome::kAppended);
  }
  LogCursor cursor;
  const auto read = ReadUntil(cursor, 20);
  ASSERT_EQ(read.size(), 20U);
  for (std::size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(std::get<OrderUploaded>(read[i].event).number, std::to_string(i));
  }
  EXPECT_TRUE(ReadOn(cursor).empty()) << "nothing is read twice";
  ASSERT_EQ(lane_->Append({{"order-x", app::kNoStream, {OrderUploaded{"x", "u1", 99}}}}),
            app::AppendOutcome::kAppended);
  const auto more = ReadUntil(cursor, 1);
  ASSERT_EQ(more.size(), 1U);
  EXPECT_EQ(more[0].stream, "order-x");
}

// What watchers of accounts read (GET /api/user/events): accounts' and
// orders' events, each with its owner, after a cursor and up to the tip.
TEST_P(SqlStoreTest, TheWatchedLogNamesEachEventsOwner) {
  Register("u1");
  Register("u2");
  Credit("u1", "12345678903", 500);
  Credit("u2", "79927398713", 100);
  auto c = store_->Pool().Acquire();
  // Three of each user's four events are watched: the order's two, the
  // account's credit (on PostgreSQL they show once older transactions in
  // the cluster have ended).
  WatchedPage page;
  LogCursor tip;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  do {
    tip = CommittedTip(*c);
    page = ReadWatchedPage(*c, {}, 100);
  } while ((page.events.size() < 6 || page.next != tip) && std::chrono::steady_clock::now() < deadline);
  ASSERT_EQ(page.events.size(), 6U);
  EXPECT_EQ(page.next, tip);
  EXPECT_FALSE(page.full);
  const auto& uploaded = page.events[0];
  EXPECT_EQ(uploaded.user_id, "u1");
  EXPECT_EQ(std::get<OrderUploaded>(uploaded.event).number, "12345678903");
  EXPECT_EQ(uploaded.uploaded_at, 2);
  std::vector<std::string> owners;
  for (std::size_t i = 0; i < page.events.size(); ++i) {
    owners.push_back(page.events[i].user_id);
    if (i > 0) {
      EXPECT_LT(page.events[i - 1].cursor, page.events[i].cursor);
    }
  }
  EXPECT_EQ(owners, (std::vector<std::string>{"u1", "u1", "u1", "u2", "u2", "u2"}));
  const auto credit = std::find_if(page.events.begin(), page.events.end(), [](const WatchedEvent& e) {
    return std::holds_alternative<PointsAccrued>(e.event);
  });
  ASSERT_NE(credit, page.events.end());
  EXPECT_EQ(credit->user_id, "u1");
  EXPECT_EQ(credit->uploaded_at, 0);

  const auto again = ReadWatchedPage(*c, page.next, 100);
  EXPECT_TRUE(again.events.empty());
  EXPECT_EQ(again.next, page.next);
  const auto short_page = ReadWatchedPage(*c, {}, 3);
  EXPECT_TRUE(short_page.full);
  EXPECT_EQ(short_page.events.size(), 1U) << "the first three events: two registrations, u1's upload";

  const auto whole = ReadUserEvents(*c, "u1", {}, tip);
  ASSERT_EQ(whole.size(), 3U);
  for (std::size_t i = 0; i < whole.size(); ++i) {
    EXPECT_EQ(whole[i].cursor, page.events[i].cursor);
    EXPECT_EQ(whole[i].user_id, "u1");
  }
  EXPECT_EQ(whole[0].uploaded_at, 2);
  const auto account_only = ReadUserEvents(*c, "u1", tip, tip);
  ASSERT_EQ(account_only.size(), 1U) << "the account stream is always read whole";
  EXPECT_TRUE(std::holds_alternative<PointsAccrued>(account_only[0].event));
  const auto after_upload = ReadUserEvents(*c, "u1", uploaded.cursor, tip);
  EXPECT_EQ(after_upload.size(), 2U);
  const auto up_to_upload = ReadUserEvents(*c, "u1", {}, uploaded.cursor);
  ASSERT_EQ(up_to_upload.size(), 1U);
  EXPECT_TRUE(std::holds_alternative<OrderUploaded>(up_to_upload[0].event));
  EXPECT_TRUE(ReadUserEvents(*c, "nobody", {}, tip).empty());
}

// The sequence-gap trap: an append that takes its position first but commits
// last must not be skipped by a reader that already read past its position.
TEST_P(SqlStoreTest, ReaderNeverSkipsAnAppendThatCommitsLate) {
  if (GetParam() != Dialect::kPostgres) {
    GTEST_SKIP() << "SQLite has one writer: positions are assigned in commit order";
  }
  ASSERT_EQ(lane_->Append({{"order-first", app::kNoStream, {OrderUploaded{"first", "u1", 1}}}}),
            app::AppendOutcome::kAppended);
  postgres::PgConnection held(database_);
  held.BeginWrite();
  const EncodedEvent late = Encode(OrderUploaded{"late", "u1", 2});
  // Step, not Run: the insert must reach the server now (Run may wait for
  // the next round trip inside a write transaction).
  auto insert = held.Prepare(
      "INSERT INTO events (stream, version, type, data, recorded_at) VALUES (?, 1, ?, ?, 0) RETURNING position");
  ASSERT_TRUE(insert.Bind(1, "order-late").Bind(2, late.type).Bind(3, late.data).Step());
  for (int i = 0; i < 30; ++i) {
    const std::string number = "after-" + std::to_string(i);
    ASSERT_EQ(lane_->Append({{"order-" + number, app::kNoStream, {OrderUploaded{number, "u1", 3}}}}),
              app::AppendOutcome::kAppended);
  }

  LogCursor cursor;
  std::vector<std::string> seen;
  for (const auto& event : ReadOn(cursor)) seen.push_back(event.stream);
  EXPECT_EQ(seen, std::vector<std::string>{"order-first"}) << "nothing past the open transaction is visible yet";

  held.Execute("COMMIT");
  for (const auto& event : ReadOn(cursor)) seen.push_back(event.stream);
  ASSERT_EQ(seen.size(), 32U);
  EXPECT_EQ(seen[1], "order-late");
  std::set<std::string> unique(seen.begin(), seen.end());
  EXPECT_EQ(unique.size(), seen.size()) << "every event exactly once";
}

// The lane copies rows out as text; reading one back as an integer parses
// it, and a value that is not one is a fault, not a 0.
TEST_P(SqlStoreTest, TheLaneCopiesRowsAndRefusesANonIntegerAsAnInteger) {
  static constexpr SqlQuery kMixed{
      "mixed", "SELECT 'x', 42, NULL, -9223372036854775808, '' UNION ALL SELECT 'y', 7, 'z', 0, '1 '"};
  const auto rows = testing::Run(lane_->Executor().Run(kMixed, {}));
  ASSERT_EQ(rows.Size(), 2);
  EXPECT_EQ(rows.Text(0, 0), "x");
  EXPECT_EQ(rows.Int64(0, 1), 42);
  EXPECT_TRUE(rows.IsNull(0, 2));
  EXPECT_FALSE(rows.IsNull(1, 2));
  EXPECT_EQ(rows.Text(1, 2), "z");
  EXPECT_EQ(rows.Int64(0, 3), std::numeric_limits<std::int64_t>::min());
  EXPECT_THROW((void)rows.Int64(0, 0), std::runtime_error);
  EXPECT_THROW((void)rows.Int64(0, 4), std::runtime_error) << "an empty text";
  EXPECT_THROW((void)rows.Int64(1, 4), std::runtime_error) << "trailing characters";
  EXPECT_THROW((void)rows.Int64(0, 2), std::runtime_error) << "NULL";
}

// The rebuild's and the import's writer: every text comes back as it went
// in (PostgreSQL sends each column as an array literal), "" is NULL, the
// batches split anywhere, and a key taken twice is a UniqueViolation.
TEST_P(SqlStoreTest, BulkInsertWritesEveryRowAsGiven) {
  static const BulkTarget kScratch{"bulk_scratch", {{"k", false}, {"t", false}, {"n", true}}};
  const std::vector<std::vector<std::string>> rows{
      {"a", R"(say "hi", \ {x,y} NULL)", "-9223372036854775808"},
      {"b", "NULL", "0"},
      {"c", "", "9223372036854775807"},
      {"d", "алиса \"", ""},
      {"e", " spaced ", "7"},
      {"f", "}", "8"},
      {"g", "\\", "9"},
  };
  auto c = store_->Pool().Acquire();
  c->Execute("CREATE TABLE bulk_scratch (k TEXT PRIMARY KEY, t TEXT, n BIGINT)");
  {
    sql::WriteTransaction transaction(*c);
    BulkInsert insert(*c, kScratch, 3);
    for (const auto& row : rows) insert.Add(row);
    insert.Flush();
    transaction.Commit();
  }
  {
    auto read = c->Prepare("SELECT k, t, n FROM bulk_scratch ORDER BY k");
    for (const auto& row : rows) {
      ASSERT_TRUE(read.Step());
      EXPECT_EQ(read.Text(0), row[0]);
      EXPECT_EQ(read.IsNull(1) ? "" : read.Text(1), row[1]);
      EXPECT_EQ(read.IsNull(1), row[1].empty());
      EXPECT_EQ(read.IsNull(2) ? "" : std::to_string(read.Int64(2)), row[2]);
    }
    EXPECT_FALSE(read.Step());
  }
  sql::WriteTransaction transaction(*c);
  BulkInsert again(*c, kScratch, 3);
  EXPECT_THROW(
      {
        again.Add({"z", "new", "1"});
        again.Add({"a", "taken", "1"});
        again.Flush();
      },
      sql::UniqueViolation);
}

INSTANTIATE_TEST_SUITE_P(Backends, SqlStoreTest, ::testing::Values(Dialect::kSqlite, Dialect::kPostgres),
                         [](const auto& backend) {
                           return backend.param == Dialect::kSqlite ? "Sqlite" : "Postgres";
                         });

}  // namespace
}  // namespace gm::infra::store
