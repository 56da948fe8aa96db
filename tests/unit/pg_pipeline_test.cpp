// The event-loop PostgreSQL pipeline against a real server (GM_POSTGRES_URI,
// started by scripts/test): many queries in flight at once each get their
// own answer, a failing query does not fail its neighbours, a lost
// connection fails as "unavailable" and the next query reconnects, and the
// pipelined read models answer exactly what the blocking store does. Also
// the blocking connection's deferred writes inside a transaction.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <cstdlib>
#include <latch>
#include <mutex>
#include <thread>

#include "app/commands.hpp"
#include "infra/store/async_read_models.hpp"
#include "infra/store/postgres/connection.hpp"
#include "infra/store/postgres/pipeline.hpp"
#include "infra/store/sql_store.hpp"

namespace gm::infra::postgres {
namespace {

namespace asio = boost::asio;

struct Outcome {
  std::exception_ptr error;
  PgRows rows;
};

// Two I/O threads, like the service, and a pool on them.
class PgPipelineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* admin = std::getenv("GM_POSTGRES_URI");
    if (admin == nullptr) GTEST_SKIP() << "GM_POSTGRES_URI is not set (scripts/test sets it)";
    admin_uri_ = admin;
  }

  void Open(std::vector<PgStatementText> statements, std::size_t connections = 2, std::string uri = {}) {
    pool_ = std::make_unique<PgPipelinePool>(io_, uri.empty() ? admin_uri_ : uri, std::move(statements), connections);
    for (auto& thread : threads_) thread = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    work_.reset();
    io_.stop();
    for (auto& thread : threads_) {
      if (thread.joinable()) thread.join();
    }
    pool_.reset();
  }

  // Runs one query and waits for its answer.
  Outcome Ask(std::string_view statement, std::vector<std::string> params) {
    std::latch done(1);
    Outcome outcome;
    pool_->Query(statement, std::move(params), [&](std::exception_ptr error, PgRows rows) {
      outcome = {error, std::move(rows)};
      done.count_down();
    });
    done.wait();
    return outcome;
  }

  static std::string Message(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& failure) {
      return failure.what();
    }
  }

  std::string admin_uri_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_ = asio::make_work_guard(io_);
  std::unique_ptr<PgPipelinePool> pool_;
  std::array<std::thread, 2> threads_;
};

TEST_F(PgPipelineTest, ManyQueriesInFlightEachGetTheirOwnAnswer) {
  Open({{"double", "SELECT ?::bigint * 2"}});
  constexpr int kQueries = 2000;
  std::latch done(kQueries);
  std::mutex mutex;
  std::vector<std::string> wrong;
  // From two threads at once, so batches interleave on both connections.
  auto submit = [&](int first) {
    for (int i = first; i < kQueries; i += 2) {
      pool_->Query("double", {std::to_string(i)}, [&, i](std::exception_ptr error, PgRows rows) {
        if (error || rows.Size() != 1 || rows.Int64(0, 0) != 2 * i) {
          std::lock_guard lock(mutex);
          wrong.push_back(std::to_string(i) + (error ? ": " + Message(error) : ""));
        }
        done.count_down();
      });
    }
  };
  std::thread other(submit, 1);
  submit(0);
  other.join();
  done.wait();
  EXPECT_TRUE(wrong.empty()) << wrong.size() << " wrong answers, first: " << wrong.front();
}

TEST_F(PgPipelineTest, AFailingQueryDoesNotFailItsNeighbours) {
  Open({{"divide", "SELECT 100 / ?::int"}}, 1);
  const std::vector<int> divisors{1, 0, 2, 5, 0, 4, 10, 3, 0, 25};
  std::latch done(static_cast<std::ptrdiff_t>(divisors.size()));
  std::vector<Outcome> outcomes(divisors.size());
  for (std::size_t i = 0; i < divisors.size(); ++i) {  // one burst: they share batches
    pool_->Query("divide", {std::to_string(divisors[i])}, [&, i](std::exception_ptr error, PgRows rows) {
      outcomes[i] = {error, std::move(rows)};
      done.count_down();
    });
  }
  done.wait();
  for (std::size_t i = 0; i < divisors.size(); ++i) {
    if (divisors[i] == 0) {
      ASSERT_TRUE(outcomes[i].error) << "query " << i;
      EXPECT_NE(Message(outcomes[i].error).find("division by zero"), std::string::npos) << Message(outcomes[i].error);
    } else {
      ASSERT_FALSE(outcomes[i].error) << "query " << i << ": " << Message(outcomes[i].error);
      EXPECT_EQ(outcomes[i].rows.Int64(0, 0), 100 / divisors[i]);
    }
  }
}

TEST_F(PgPipelineTest, AQueryCaughtByALostConnectionIsAnsweredOnANewOne) {
  Open({{"pid", "SELECT pg_backend_pid()"}}, 1);
  const auto before = Ask("pid", {});
  ASSERT_FALSE(before.error) << Message(before.error);
  const auto pid = before.rows.Text(0, 0);
  PgConnection(admin_uri_).Execute("SELECT pg_terminate_backend(" + pid + ")");

  const auto after = Ask("pid", {});
  ASSERT_FALSE(after.error) << Message(after.error);
  EXPECT_NE(after.rows.Text(0, 0), pid) << "a new backend answers";
}

TEST_F(PgPipelineTest, AnUnreachableDatabaseFailsAsUnavailableUntilItIsBack) {
  const std::string name = "gm_unreachable_" + std::to_string(::getpid());
  PgConnection admin(admin_uri_);
  admin.Execute("CREATE DATABASE " + name);
  Open({{"pid", "SELECT pg_backend_pid()"}}, 1, admin_uri_.substr(0, admin_uri_.rfind('/') + 1) + name);
  ASSERT_FALSE(Ask("pid", {}).error);

  admin.Execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS false");
  admin.Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
  const auto lost = Ask("pid", {});
  ASSERT_TRUE(lost.error) << "no connection can be made";
  EXPECT_THROW(std::rethrow_exception(lost.error), sql::Unavailable);

  admin.Execute("ALTER DATABASE " + name + " ALLOW_CONNECTIONS true");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the pause between connection attempts
  const auto back = Ask("pid", {});
  EXPECT_FALSE(back.error) << Message(back.error);
}

TEST_F(PgPipelineTest, AnUnreachableDatabaseStopsStartUp) {
  EXPECT_THROW(PgPipelinePool(io_, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", {}, 1), std::runtime_error);
}

TEST_F(PgPipelineTest, PipelinedReadModelsAnswerWhatTheBlockingStoreDoes) {
  const std::string name = "gm_pipeline_" + std::to_string(::getpid());
  PgConnection(admin_uri_).Execute("CREATE DATABASE " + name);
  const std::string uri = admin_uri_.substr(0, admin_uri_.rfind('/') + 1) + name;
  store::SqlStore store(sql::DatabaseLocation{sql::Dialect::kPostgres, uri});
  app::Commands commands(store);
  ASSERT_TRUE(commands.Register({"u1", "login", "hash", 1}).HasValue());
  for (const std::string number : {"79927398713", "4561261212345467", "12345678903"}) {
    ASSERT_TRUE(commands.UploadOrder({domain::OrderNumber::Parse(number).Value(), "u1", 2}).HasValue());
  }
  ASSERT_TRUE(commands.ApplyAccrualResult({"79927398713", domain::AccrualStatus::kProcessed, {72998}, 3}).HasValue());
  ASSERT_TRUE(commands.ApplyAccrualResult({"12345678903", domain::AccrualStatus::kInvalid, {0}, 3}).HasValue());
  ASSERT_TRUE(
      commands.Withdraw({"u1", domain::OrderNumber::Parse("2377225624").Value(), domain::Points{1050}, 4}).HasValue());

  Open(store::PipelinedReadModels::Statements(), 2, uri);
  store::PipelinedReadModels pipelined(*pool_);
  std::latch done(3);
  app::BalanceView balance;
  std::vector<app::OrderView> orders;
  std::vector<app::WithdrawalView> withdrawals;
  pipelined.BalanceOf("u1", [&](std::exception_ptr error, app::BalanceView value) {
    EXPECT_FALSE(error);
    balance = value;
    done.count_down();
  });
  pipelined.OrdersOf("u1", [&](std::exception_ptr error, std::vector<app::OrderView> value) {
    EXPECT_FALSE(error);
    orders = std::move(value);
    done.count_down();
  });
  pipelined.WithdrawalsOf("u1", [&](std::exception_ptr error, std::vector<app::WithdrawalView> value) {
    EXPECT_FALSE(error);
    withdrawals = std::move(value);
    done.count_down();
  });
  done.wait();

  const auto expected_balance = store.BalanceOf("u1");
  EXPECT_EQ(balance.current.hundredths, 72998 - 1050);
  EXPECT_EQ(balance.current.hundredths, expected_balance.current.hundredths);
  EXPECT_EQ(balance.withdrawn.hundredths, expected_balance.withdrawn.hundredths);
  const auto expected_orders = store.OrdersOf("u1");
  ASSERT_EQ(orders.size(), 3U);
  ASSERT_EQ(orders.size(), expected_orders.size());
  for (std::size_t i = 0; i < orders.size(); ++i) {
    EXPECT_EQ(orders[i].number, expected_orders[i].number);
    EXPECT_EQ(orders[i].status, expected_orders[i].status);
    EXPECT_EQ(orders[i].accrual.hundredths, expected_orders[i].accrual.hundredths);
    EXPECT_EQ(orders[i].uploaded_at, expected_orders[i].uploaded_at);
  }
  EXPECT_EQ(orders[0].number, "12345678903") << "newest first";
  EXPECT_EQ(orders[0].status, domain::OrderStatus::kInvalid);
  EXPECT_EQ(orders[2].accrual.hundredths, 72998);
  const auto expected_withdrawals = store.WithdrawalsOf("u1");
  ASSERT_EQ(withdrawals.size(), 1U);
  EXPECT_EQ(withdrawals[0].order, expected_withdrawals[0].order);
  EXPECT_EQ(withdrawals[0].sum.hundredths, 1050);
  EXPECT_EQ(withdrawals[0].processed_at, expected_withdrawals[0].processed_at);
}

// A connection with an empty temporary table `deferred (n PRIMARY KEY)`.
class DeferredWritesTest : public PgPipelineTest {
 protected:
  void SetUp() override {
    PgPipelineTest::SetUp();
    if (IsSkipped()) return;
    c_ = std::make_unique<PgConnection>(admin_uri_);
    c_->Execute("CREATE TEMPORARY TABLE deferred (n BIGINT PRIMARY KEY)");
  }
  void Insert(std::int64_t n) { c_->Prepare("INSERT INTO deferred (n) VALUES (?)").Bind(1, n).Run(); }
  std::int64_t Count() {
    auto count = c_->Prepare("SELECT count(*) FROM deferred");
    EXPECT_TRUE(count.Step());
    return count.Int64(0);
  }

  std::unique_ptr<PgConnection> c_;
};

// Statements run for effect wait inside a write transaction; they still run
// in order, before the next statement that needs an answer.
TEST_F(DeferredWritesTest, RunInOrderBeforeTheNextAnswer) {
  {
    sql::WriteTransaction transaction(*c_);
    Insert(1);
    Insert(2);
    auto seen = c_->Prepare("SELECT count(*), max(n) FROM deferred");
    ASSERT_TRUE(seen.Step());
    EXPECT_EQ(seen.Int64(0), 2);
    EXPECT_EQ(seen.Int64(1), 2);
    Insert(3);
    transaction.Commit();
  }
  EXPECT_EQ(Count(), 3) << "the write deferred to COMMIT was committed";
  EXPECT_TRUE(c_->Reusable());
}

TEST_F(DeferredWritesTest, AFailingOneFailsTheCommitAndKeepsNothing) {
  {
    sql::WriteTransaction transaction(*c_);
    Insert(1);
    Insert(1);
    EXPECT_THROW(transaction.Commit(), sql::UniqueViolation);
  }
  EXPECT_EQ(Count(), 0) << "rolled back as a whole";
  EXPECT_TRUE(c_->Reusable()) << "the connection is usable again after the rollback";
}

}  // namespace
}  // namespace gm::infra::postgres
