// The event-loop PostgreSQL pipeline against a real server (GM_POSTGRES_URI,
// started by scripts/test): many queries in flight at once each get their
// own answer, a failing query does not fail its neighbours, a lost
// connection fails as "unavailable" and the next query reconnects, and the
// pipelined read models answer exactly what they do on a lane of blocking connections; the
// pipelined event store appends atomically (one Sync per write), reports
// version conflicts, is not re-sent after a lost connection, and keeps
// racing withdrawals from overdrawing. Also the blocking connection's
// deferred writes inside a transaction.
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <chrono>
#include <cstdlib>
#include <future>
#include <latch>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "app/commands.hpp"
#include "infra/event_loops.hpp"
#include "infra/store/postgres/connection.hpp"
#include "infra/store/postgres/pipeline.hpp"
#include "infra/store/pipeline_executor.hpp"
#include "inline_commands.hpp"

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

  void Open(std::vector<PgStatementText> statements, std::size_t connections = 2, std::string uri = {},
            std::chrono::milliseconds answer_within = kAnswerWithin) {
    OpenStopped(std::move(statements), connections, std::move(uri), answer_within);
    Run();
  }
  // Without running the event loop yet: queries submitted meanwhile all
  // reach their connection before it sends anything, as one batch.
  void OpenStopped(std::vector<PgStatementText> statements, std::size_t connections = 2, std::string uri = {},
                   std::chrono::milliseconds answer_within = kAnswerWithin) {
    pool_ = std::make_unique<PgPipelinePool>(std::vector<asio::io_context*>{&io_}, uri.empty() ? admin_uri_ : uri,
                                             std::move(statements), connections,
                                             PgPipelinePool::LoopThreads::kAny, answer_within);
  }
  void Run() {
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

  // A database of its own with the "pid" statement, answering once; see Refuse.
  void OpenOnADatabaseThatCanGoAway(const std::string& prefix, std::size_t connections) {
    away_ = prefix + std::to_string(::getpid());
    PgConnection(admin_uri_).Execute("CREATE DATABASE " + away_);
    Open({{"pid", "SELECT pg_backend_pid()"}}, connections, admin_uri_.substr(0, admin_uri_.rfind('/') + 1) + away_);
    ASSERT_FALSE(Ask("pid", {}).error);
  }
  // Takes that database away (no new connections, its backends terminated)
  // or gives it back.
  void Refuse(bool refuse) {
    PgConnection admin(admin_uri_);
    admin.Execute("ALTER DATABASE " + away_ + " ALLOW_CONNECTIONS " + (refuse ? "false" : "true"));
    if (refuse) admin.Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + away_ + "'");
  }

  static std::string Message(const std::exception_ptr& error) {
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& failure) {
      return failure.what();
    }
  }

  std::string admin_uri_;
  std::string away_;  // see OpenOnADatabaseThatCanGoAway
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

// Reads that arrive while a batch of reads is out wait for its answer and
// then go out together, under one Sync: PostgreSQL runs the statements up
// to a Sync as one transaction, so they all see the same now(). Sent one
// by one, each would have had a Sync (and a now()) of its own.
TEST_F(PgPipelineTest, AColumnReadsAsAnIntegerOnlyWhenItIsOneWhole) {
  Open({{"echo", "SELECT ?::text"}});
  EXPECT_EQ(Ask("echo", {"-9223372036854775808"}).rows.Int64(0, 0), std::numeric_limits<std::int64_t>::min());
  for (const std::string text : {"12x", "", "x", "1.5", "99999999999999999999"}) {
    const auto outcome = Ask("echo", {text});
    ASSERT_FALSE(outcome.error) << Message(outcome.error);
    EXPECT_THROW((void)outcome.rows.Int64(0, 0), std::runtime_error) << "'" << text << "'";
  }
}

// A reply that throws cannot be answered again; the loop that ran it must
// go on answering everyone else (before, the exception left io_context::run
// and ended the thread, which here ends the test process).
TEST_F(PgPipelineTest, AReplyThatThrowsLeavesTheEventLoopRunning) {
  Open({{"echo", "SELECT ?::text"}}, 1);
  std::latch thrown(1);
  pool_->Query("echo", {"boom"}, [&thrown](std::exception_ptr, PgRows) {
    thrown.count_down();
    throw std::runtime_error("a reply that fails");
  });
  thrown.wait();
  for (int i = 0; i < 4; ++i) {  // more than the two threads running the loop
    const auto outcome = Ask("echo", {std::to_string(i)});
    ASSERT_FALSE(outcome.error) << Message(outcome.error);
    EXPECT_EQ(outcome.rows.Text(0, 0), std::to_string(i));
  }
}

// A coroutine over the pool whose mapping throws gives its caller that
// fault rather than leaving it waiting, and the loop goes on.
TEST_F(PgPipelineTest, AMappingThatThrowsReachesItsCaller) {
  Open({{"echo", "SELECT ?::text"}});
  const auto integer = [this](std::string text) -> asio::awaitable<std::int64_t> {
    const auto rows = co_await pool_->Ask("echo", store::Params(std::move(text)));
    co_return rows.Int64(0, 0);
  };
  EXPECT_THROW(testing::Run(integer("not a number")), std::runtime_error);
  EXPECT_EQ(testing::Run(integer("42")), 42);
}

TEST_F(PgPipelineTest, ReadsArrivingWhileABatchIsOutGoOutTogetherAfterIt) {
  Open({{"slow", "SELECT pg_sleep(1)"}, {"now", "SELECT now()::text"}}, 1);
  std::latch done(6);
  pool_->Query("slow", {}, [&](std::exception_ptr, PgRows) { done.count_down(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // the slow batch is out
  std::mutex mutex;
  std::vector<Outcome> nows;
  for (int i = 0; i < 5; ++i) {
    pool_->Query("now", {}, [&](std::exception_ptr error, PgRows rows) {
      {
        std::lock_guard lock(mutex);
        nows.push_back({error, std::move(rows)});
      }
      done.count_down();  // last: once it is down, the test may end and take the mutex with it
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  done.wait();
  ASSERT_EQ(nows.size(), 5U);
  std::set<std::string> seen;
  for (const auto& now : nows) {
    ASSERT_FALSE(now.error) << Message(now.error);
    seen.insert(now.rows.Text(0, 0));
  }
  EXPECT_EQ(seen.size(), 1U) << "the five reads went out in " << seen.size() << " batches";
}

// Reads of one statement that meet in a batch are asked as one query for
// all their keys; each still gets exactly its own key's rows, in order.
TEST_F(PgPipelineTest, ReadsOfManyKeysInOneBatchAreOneQueryWithEachKeysRows) {
  const std::string table = "(VALUES ('a', '1'), ('a', '2'), ('b', '3'), ('we\"ird,{}\\', '4')) AS t (k, v)";
  OpenStopped({{"lookup", "SELECT v, 'alone' FROM " + table + " WHERE k = ? ORDER BY v",
                "SELECT k, v, 'together' FROM " + table + " WHERE k = ANY(?::text[]) ORDER BY k, v"}},
              1);
  const std::vector<std::string> keys{"a", "b", "c", "a", "we\"ird,{}\\", "b", "a"};
  const std::map<std::string, std::vector<std::string>> expected{
      {"a", {"1", "2"}}, {"b", {"3"}}, {"c", {}}, {"we\"ird,{}\\", {"4"}}};
  std::vector<Outcome> outcomes(keys.size());
  std::latch done(static_cast<std::ptrdiff_t>(keys.size()));
  for (std::size_t i = 0; i < keys.size(); ++i) {
    pool_->Query("lookup", {keys[i]}, [&, i](std::exception_ptr error, PgRows rows) {
      outcomes[i] = {error, std::move(rows)};
      done.count_down();
    });
  }
  Run();
  done.wait();
  for (std::size_t i = 0; i < keys.size(); ++i) {
    ASSERT_FALSE(outcomes[i].error) << keys[i] << ": " << Message(outcomes[i].error);
    const auto& rows = outcomes[i].rows;
    ASSERT_EQ(rows.Size(), static_cast<int>(expected.at(keys[i]).size())) << keys[i];
    for (int row = 0; row < rows.Size(); ++row) {
      EXPECT_EQ(rows.Text(row, 0), expected.at(keys[i])[static_cast<std::size_t>(row)]) << keys[i];
      EXPECT_EQ(rows.Text(row, 1), "together") << "one batch, so one query for all keys";
    }
  }

  // A query alone in its batch goes as it is.
  const auto alone = Ask("lookup", {"b"});
  ASSERT_FALSE(alone.error) << Message(alone.error);
  ASSERT_EQ(alone.rows.Size(), 1);
  EXPECT_EQ(alone.rows.Text(0, 1), "alone");
}

// Statements are planned once per connection, not on every execution.
TEST_F(PgPipelineTest, ConnectionsUseGenericPlans) {
  Open({{"plan_cache_mode", "SELECT current_setting('plan_cache_mode')"}}, 1);
  const auto mode = Ask("plan_cache_mode", {});
  ASSERT_FALSE(mode.error) << Message(mode.error);
  EXPECT_EQ(mode.rows.Text(0, 0), "force_generic_plan");
}

// What the service relies on to keep a request on one thread (EventLoops).
TEST_F(PgPipelineTest, AQueryMadeOnALoopIsAnsweredOnThatLoopOverItsOwnConnection) {
  EventLoops loops(2);
  PgPipelinePool pool(loops.All(), admin_uri_, {{"backend", "SELECT pg_backend_pid()"}}, 1,
                      PgPipelinePool::LoopThreads::kOne);
  std::thread running([&loops] { loops.Run(); });
  struct Seen {  // touched only on its loop's thread
    int elsewhere = 0;
    std::set<std::int64_t> backends;
  };
  std::array<Seen, 2> seen;
  constexpr int kQueriesPerLoop = 200;
  std::latch done(2 * kQueriesPerLoop);
  for (std::size_t loop = 0; loop < 2; ++loop) {
    for (int i = 0; i < kQueriesPerLoop; ++i) {
      asio::post(*loops.All()[loop], [&, loop] {
        const auto asked_on = std::this_thread::get_id();
        pool.Query("backend", {}, [&, loop, asked_on](std::exception_ptr error, PgRows rows) {
          if (error || std::this_thread::get_id() != asked_on) {
            ++seen[loop].elsewhere;
          } else {
            seen[loop].backends.insert(rows.Int64(0, 0));
          }
          done.count_down();
        });
      });
    }
  }
  done.wait();
  loops.Stop();
  running.join();
  for (const auto& on_loop : seen) {
    EXPECT_EQ(on_loop.elsewhere, 0);
    EXPECT_EQ(on_loop.backends.size(), 1u);
  }
  EXPECT_NE(seen[0].backends, seen[1].backends);
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

// The server gives a statement up at 80 % of the deadline: a slow one (or
// one waiting for a lock) fails as unavailable, with nothing done, and the
// connection goes on.
TEST_F(PgPipelineTest, AStatementPastTheDeadlineFailsAsUnavailableOnAConnectionThatGoesOn) {
  Open({{"pid", "SELECT pg_backend_pid()"}, {"sleep", "SELECT pg_sleep(?::float8)"}}, 1, {},
       std::chrono::milliseconds(500));
  const auto before = Ask("pid", {});
  ASSERT_FALSE(before.error) << Message(before.error);
  const auto slow = Ask("sleep", {"3"});
  ASSERT_TRUE(slow.error) << "answered after its 3 s, past the deadline";
  EXPECT_THROW(std::rethrow_exception(slow.error), app::StoreUnavailable);
  const auto after = Ask("pid", {});
  ASSERT_FALSE(after.error) << Message(after.error);
  EXPECT_EQ(after.rows.Text(0, 0), before.rows.Text(0, 0)) << "the same connection";
}

// A server that says nothing (stopped, hung, a network path that still
// takes bytes) is taken for gone at the deadline: here one told to run
// statements as long as they take, then to sleep for 3 s.
TEST_F(PgPipelineTest, AServerSilentPastTheDeadlineLosesItsConnection) {
  Open({{"pid", "SELECT pg_backend_pid()"},
        {"no_deadline", "SELECT set_config('statement_timeout', '0', false)"},
        {"sleep", "SELECT pg_sleep(?::float8)"}},
       1, {}, std::chrono::milliseconds(500));
  const auto before = Ask("pid", {});
  ASSERT_FALSE(before.error) << Message(before.error);
  ASSERT_FALSE(Ask("no_deadline", {}).error);
  const auto silent = Ask("sleep", {"3"});
  ASSERT_TRUE(silent.error) << "answered after its 3 s: the silence went unnoticed";
  EXPECT_THROW(std::rethrow_exception(silent.error), app::StoreUnavailable);
  const auto after = Ask("pid", {});
  ASSERT_FALSE(after.error) << Message(after.error);
  EXPECT_NE(after.rows.Text(0, 0), before.rows.Text(0, 0)) << "a new connection";
}

TEST_F(PgPipelineTest, AnUnreachableDatabaseFailsAsUnavailableUntilItIsBack) {
  OpenOnADatabaseThatCanGoAway("gm_unreachable_", 1);
  Refuse(true);
  const auto lost = Ask("pid", {});
  ASSERT_TRUE(lost.error) << "no connection can be made";
  EXPECT_THROW(std::rethrow_exception(lost.error), app::StoreUnavailable);

  Refuse(false);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // past the pause between connection attempts
  const auto back = Ask("pid", {});
  EXPECT_FALSE(back.error) << Message(back.error);
}

TEST_F(PgPipelineTest, OnceTheDatabaseIsBackQueriesPassAConnectionThatJustFailedToConnect) {
  OpenOnADatabaseThatCanGoAway("gm_back_", 2);
  Refuse(true);
  ASSERT_TRUE(Ask("pid", {}).error) << "no connection can be made";  // one connection tried, and pauses
  Refuse(false);
  for (int i = 0; i < 4; ++i) {  // at once, well within the pause
    const auto back = Ask("pid", {});
    EXPECT_FALSE(back.error) << i << ": " << Message(back.error);
  }
}

TEST_F(PgPipelineTest, AnUnreachableDatabaseStopsStartUp) {
  EXPECT_THROW(PgPipelinePool({&io_}, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", {}, 1),
               std::runtime_error);
}

// The same read models over the pipeline (batched) and over blocking
// connections on a lane (each query alone) answer the same.
TEST_F(PgPipelineTest, PipelinedReadModelsAnswerWhatTheBlockingStoreDoes) {
  const std::string name = "gm_pipeline_" + std::to_string(::getpid());
  PgConnection(admin_uri_).Execute("CREATE DATABASE " + name);
  const std::string uri = admin_uri_.substr(0, admin_uri_.rfind('/') + 1) + name;
  store::SqlStore store(DatabaseLocation{Dialect::kPostgres, uri});
  testing::StoreOnLane lane(store);
  testing::InlineCommands async_commands(lane.Events());
  ASSERT_TRUE(async_commands.Register({"u1", "login", "hash", 1}).HasValue());
  for (const std::string number : {"79927398713", "4561261212345467", "12345678903"}) {
    ASSERT_TRUE(async_commands.UploadOrder({domain::OrderNumber::Parse(number).Value(), "u1", 2}).HasValue());
  }
  ASSERT_TRUE(async_commands.ApplyAccrualResult({"79927398713", domain::AccrualStatus::kProcessed, {72998}, 3}).HasValue());
  ASSERT_TRUE(async_commands.ApplyAccrualResult({"12345678903", domain::AccrualStatus::kInvalid, {0}, 3}).HasValue());
  ASSERT_TRUE(
      async_commands.Withdraw({"u1", domain::OrderNumber::Parse("2377225624").Value(), domain::Points{1050}, 4})
          .HasValue());

  OpenStopped(store::PipelineExecutor::Statements(store::SqlReadModels::Queries()), 2, uri);
  ASSERT_TRUE(async_commands.Register({"u2", "login2", "hash", 1}).HasValue());
  ASSERT_TRUE(async_commands.UploadOrder({domain::OrderNumber::Parse("4111111111111111").Value(), "u2", 5}).HasValue());

  // The answers of the pipelined read models for `users`, asked all at once.
  struct Answers {
    app::BalanceView balance;
    std::vector<app::OrderView> orders;
    std::vector<app::WithdrawalView> withdrawals;
  };
  store::PipelineExecutor executor(*pool_);
  store::SqlReadModels pipelined(executor);
  const auto ask = [&](const std::vector<std::string>& users, bool before_the_loop_runs) {
    std::vector<Answers> answers(users.size());
    std::latch done(static_cast<std::ptrdiff_t>(3 * users.size()));
    for (std::size_t i = 0; i < users.size(); ++i) {
      // Spawned on the pool's loop: before it runs, every query reaches
      // its connection before any goes out.
      asio::co_spawn(io_, pipelined.BalanceOf(users[i]), [&, i](std::exception_ptr error, app::BalanceView value) {
        EXPECT_FALSE(error) << Message(error);
        answers[i].balance = value;
        done.count_down();
      });
      asio::co_spawn(io_, pipelined.OrdersOf(users[i], {}),
                     [&, i](std::exception_ptr error, app::ListPage<app::OrderView> value) {
        EXPECT_FALSE(error) << Message(error);
        answers[i].orders = std::move(value.items);
        done.count_down();
      });
      asio::co_spawn(io_, pipelined.WithdrawalsOf(users[i], {}),
                     [&, i](std::exception_ptr error, app::ListPage<app::WithdrawalView> value) {
        EXPECT_FALSE(error) << Message(error);
        answers[i].withdrawals = std::move(value.items);
        done.count_down();
      });
    }
    if (before_the_loop_runs) Run();
    done.wait();
    return answers;
  };
  const auto expect_as_the_blocking_store = [&](const std::string& user, const Answers& got) {
    const auto balance = lane.BalanceOf(user);
    EXPECT_EQ(got.balance.current.hundredths, balance.current.hundredths) << user;
    EXPECT_EQ(got.balance.withdrawn.hundredths, balance.withdrawn.hundredths) << user;
    const auto orders = lane.OrdersOf(user);
    ASSERT_EQ(got.orders.size(), orders.size()) << user;
    for (std::size_t i = 0; i < orders.size(); ++i) {
      EXPECT_EQ(got.orders[i].number, orders[i].number) << user;
      EXPECT_EQ(got.orders[i].status, orders[i].status) << user;
      EXPECT_EQ(got.orders[i].accrual.hundredths, orders[i].accrual.hundredths) << user;
      EXPECT_EQ(got.orders[i].uploaded_at, orders[i].uploaded_at) << user;
    }
    const auto withdrawals = lane.WithdrawalsOf(user);
    ASSERT_EQ(got.withdrawals.size(), withdrawals.size()) << user;
    for (std::size_t i = 0; i < withdrawals.size(); ++i) {
      EXPECT_EQ(got.withdrawals[i].order, withdrawals[i].order) << user;
      EXPECT_EQ(got.withdrawals[i].sum.hundredths, withdrawals[i].sum.hundredths) << user;
      EXPECT_EQ(got.withdrawals[i].processed_at, withdrawals[i].processed_at) << user;
    }
  };

  // Several users in one batch: each statement asked once for all of them.
  const std::vector<std::string> users{"u1", "u2", "nobody", "u1", "u2"};
  const auto together = ask(users, true);
  for (std::size_t i = 0; i < users.size(); ++i) expect_as_the_blocking_store(users[i], together[i]);
  // One user alone: each statement as it is.
  const auto alone = ask({"u1"}, false)[0];
  expect_as_the_blocking_store("u1", alone);

  EXPECT_EQ(alone.balance.current.hundredths, 72998 - 1050);
  ASSERT_EQ(alone.orders.size(), 3U);
  EXPECT_EQ(alone.orders[0].number, "12345678903") << "newest first";
  EXPECT_EQ(alone.orders[0].status, domain::OrderStatus::kInvalid);
  EXPECT_EQ(alone.orders[2].accrual.hundredths, 72998);
  ASSERT_EQ(alone.withdrawals.size(), 1U);
  EXPECT_EQ(alone.withdrawals[0].sum.hundredths, 1050);
  ASSERT_EQ(together[1].orders.size(), 1U);
  EXPECT_EQ(together[1].orders[0].number, "4111111111111111");
  EXPECT_TRUE(together[2].orders.empty() && together[2].withdrawals.empty()) << "nobody has nothing";

  for (const std::string login : {"login", "login2", "nobody"}) {
    const auto found = testing::Run(pipelined.FindUserByLogin(login));
    const auto expected = lane.FindUserByLogin(login);
    ASSERT_EQ(found.has_value(), expected.has_value()) << login;
    if (found) {
      EXPECT_EQ(found->user_id, expected->user_id);
      EXPECT_EQ(found->password_hash, expected->password_hash);
    }
  }
  EXPECT_EQ(lane.FindUserByLogin("login2")->user_id, "u2");
}

// The event store over the pipeline, on a database of its own that the
// blocking store migrated (and the same adapters on a lane read back).
class PipelinedEventStoreTest : public PgPipelineTest {
 protected:
  void SetUp() override {
    PgPipelineTest::SetUp();
    if (IsSkipped()) return;
    static int counter = 0;
    const std::string name = "gm_events_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    PgConnection(admin_uri_).Execute("CREATE DATABASE " + name);
    name_ = name;
    uri_ = admin_uri_.substr(0, admin_uri_.rfind('/') + 1) + name;
    store_ = std::make_unique<store::SqlStore>(DatabaseLocation{Dialect::kPostgres, uri_});
    // As the service's command pool: the event store's and the queue's statements.
    auto queries = store::SqlEventStore::Queries();
    for (const auto& query : store::SqlAccrualQueue::Queries()) queries.push_back(query);
    Open(store::PipelineExecutor::Statements(queries), 2, uri_);
    executor_ = std::make_unique<store::PipelineExecutor>(*pool_);
    events_ = std::make_unique<store::SqlEventStore>(*executor_);
    queue_ = std::make_unique<store::SqlAccrualQueue>(*executor_);
    lane_ = std::make_unique<testing::StoreOnLane>(*store_);
  }
  void TearDown() override {
    PgPipelineTest::TearDown();
    lane_.reset();
    queue_.reset();
    events_.reset();
    executor_.reset();
    store_.reset();
  }

  app::AppendOutcome Append(std::vector<app::StreamAppend> appends) {
    return testing::Run(events_->Append(std::move(appends)));
  }
  app::LoadedStream Load(const std::string& stream) {
    return testing::Run(events_->Load(stream));
  }
  // A user with an account, registered over the pipeline.
  bool Register(const std::string& user_id) {
    return testing::InlineCommands(*events_).Register({user_id, "login-" + user_id, "hash", 1}).HasValue();
  }

  std::string name_;
  std::string uri_;
  std::unique_ptr<store::SqlStore> store_;
  std::unique_ptr<store::PipelineExecutor> executor_;
  std::unique_ptr<store::SqlEventStore> events_;
  std::unique_ptr<store::SqlAccrualQueue> queue_;
  std::unique_ptr<testing::StoreOnLane> lane_;  // the same adapters on blocking connections, to read back with
};

TEST_F(PipelinedEventStoreTest, AWriteCommitsWholeOrNotAtAll) {
  using domain::OrderUploaded;
  EXPECT_EQ(Append({{"order-0", app::kNoStream, {OrderUploaded{"0", "u1", 1}}}}), app::AppendOutcome::kAppended);
  EXPECT_EQ(Append({{"order-0", app::kNoStream, {OrderUploaded{"0", "u2", 1}}}}),
            app::AppendOutcome::kVersionConflict);
  // The second stream conflicts after the first one's event and projections
  // went out: the Sync's implicit transaction takes them all back.
  EXPECT_EQ(Append({{"order-18", app::kNoStream, {OrderUploaded{"18", "u1", 1}}},
                    {"order-0", app::kNoStream, {OrderUploaded{"0", "u1", 1}}}}),
            app::AppendOutcome::kVersionConflict);
  EXPECT_EQ(lane_->Load("order-18").version, 0);
  EXPECT_EQ(lane_->OrdersOf("u1").size(), 1U);
  EXPECT_EQ(lane_->ClaimDue(10, 20, 10).size(), 1U) << "no queue row left behind by the rolled-back write";
  // The connection carries on after the failed write.
  EXPECT_EQ(Append({{"order-18", app::kNoStream, {OrderUploaded{"18", "u1", 1}}}}), app::AppendOutcome::kAppended);
  EXPECT_EQ(lane_->OrdersOf("u1").size(), 2U);
  const auto loaded = Load("order-0");
  EXPECT_EQ(loaded.version, 1);
  ASSERT_EQ(loaded.events.size(), 1U);
  EXPECT_EQ(std::get<OrderUploaded>(loaded.events[0]).user_id, "u1");
}

TEST_F(PipelinedEventStoreTest, AppendsAtAnyVersionFollowTheStream) {
  const std::string stream = domain::AccountStream("u1");
  ASSERT_TRUE(Register("u1"));
  for (std::int64_t amount : {100, 250}) {
    EXPECT_EQ(Append({{stream, app::kAnyVersion,
                       {domain::PointsAccrued{"u1", std::to_string(amount), domain::Points{amount}, 2},
                        domain::PointsAccrued{"u1", std::to_string(amount) + "1", domain::Points{1}, 2}}}}),
              app::AppendOutcome::kAppended);
  }
  EXPECT_EQ(Load(stream).version, 4);
  const auto account = testing::Run(events_->LoadAccount("u1"));
  EXPECT_EQ(account.version, 4);
  EXPECT_EQ(account.state.current.hundredths, 352);
  EXPECT_EQ(account.version, lane_->LoadAccount("u1").version);
  EXPECT_EQ(lane_->BalanceOf("u1").current.hundredths, 352);
}

// A write whose connection breaks while it runs may or may not have
// committed: it fails as unavailable and is never sent again.
TEST_F(PipelinedEventStoreTest, AWriteCaughtByALostConnectionIsNotSentAgain) {
  PgConnection holder(uri_);  // makes the write wait, mid-flight, for a lock
  holder.Execute("BEGIN; LOCK TABLE events IN EXCLUSIVE MODE");
  auto pid = holder.Prepare("SELECT pg_backend_pid()");
  ASSERT_TRUE(pid.Step());
  const std::string holder_pid = pid.Text(0);

  std::promise<app::AppendOutcome> outcome;
  std::vector<app::StreamAppend> appends{{"order-0", app::kNoStream, {domain::OrderUploaded{"0", "u1", 1}}}};
  asio::co_spawn(io_, events_->Append(std::move(appends)),
                  [&outcome](std::exception_ptr error, app::AppendOutcome appended) {
                    if (error) {
                      outcome.set_exception(error);
                    } else {
                      outcome.set_value(appended);
                    }
                  });
  PgConnection admin(admin_uri_);
  for (;;) {  // until the write is waiting for the lock
    auto waiting = admin.Prepare(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = ? AND wait_event_type = 'Lock'");
    waiting.Bind(1, name_);
    ASSERT_TRUE(waiting.Step());
    if (waiting.Int64(0) > 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  admin.Execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name_ +
                "' AND pid <> " + holder_pid);
  EXPECT_THROW(outcome.get_future().get(), app::StoreUnavailable);
  holder.Execute("COMMIT");

  // Writes on each connection: anything sent again would run before them.
  // (A connection the termination caught idle may not have noticed it yet:
  // a write sent there fails as unavailable, as a client's would, and the
  // client tries again, on the next connection.)
  for (const std::string number : {"7", "8", "9"}) {
    for (int attempt = 1;; ++attempt) {
      try {
        EXPECT_EQ(Append({{"order-" + number, app::kNoStream, {domain::OrderUploaded{number, "u1", 1}}}}),
                  app::AppendOutcome::kAppended);
        break;
      } catch (const app::StoreUnavailable&) {
        ASSERT_LT(attempt, 3) << "order-" << number << " kept failing";
      }
    }
  }
  auto count = holder.Prepare("SELECT count(*) FROM events WHERE stream = 'order-0'");
  ASSERT_TRUE(count.Step());
  EXPECT_EQ(count.Int64(0), 0) << "the lost write was not sent again";
}

TEST_F(PipelinedEventStoreTest, TheQueueClaimsEachDueOrderOnceAndReschedulesIt) {
  ASSERT_TRUE(Register("u1"));
  testing::InlineCommands commands(*events_);
  for (const std::string number : {"79927398713", "12345678903"}) {
    ASSERT_TRUE(commands.UploadOrder({domain::OrderNumber::Parse(number).Value(), "u1", 1}).HasValue());
  }
  const auto claim = [this](domain::TimeMs now, std::size_t limit) {
    return testing::Run(queue_->ClaimDue(now, now + 1000, limit));
  };
  const auto first = claim(10, 1);
  ASSERT_EQ(first.size(), 1U);
  const auto second = claim(10, 5);
  ASSERT_EQ(second.size(), 1U);
  EXPECT_NE(second[0].number, first[0].number);
  EXPECT_TRUE(claim(10, 5).empty()) << "both are leased";

  testing::Run(queue_->Reschedule(first[0].number, 3, 500));
  EXPECT_TRUE(claim(499, 5).empty()) << "the first is not due yet, the second still leased";
  const auto again = claim(500, 5);
  ASSERT_EQ(again.size(), 1U);
  EXPECT_EQ(again[0].number, first[0].number);
  EXPECT_EQ(again[0].attempts, 3);
  const auto expired = claim(1010, 5);
  ASSERT_EQ(expired.size(), 1U) << "the second's lease ran out; the first's has not";
  EXPECT_EQ(expired[0].number, second[0].number);
}

// The pipelines plan each statement once per connection (generic plans, see
// ConnectionsUseGenericPlans), so a plan cannot adapt to the user it is
// asked for. Where one user holds almost every order, withdrawal and queued
// order (a big customer; a benchmark's writer), every statement must still
// reach its rows through an index: a sequential scan there made each other
// user's order list, and each claim of due orders, read the whole table.
TEST_F(PipelinedEventStoreTest, EveryPipelinedStatementUsesAnIndexWhenOneUserHoldsMostRows) {
  PgConnection c(uri_);
  // What the service would have written for 2,000 users, one of them with
  // 20,000 orders, each credited, and withdrawals; another has 3 orders.
  // User ids are 32 hex digits, as the service makes them.
  const std::string big = "md5('big')";
  const std::string owner = "CASE WHEN g <= 3 THEN md5('small') ELSE " + big + " END";
  c.Execute("INSERT INTO users_view (user_id, login, password_hash, registered_at) "
            "SELECT md5(g::text), 'login' || g, 'h', g FROM generate_series(1, 2000) g "
            "UNION ALL SELECT md5(name), name, 'h', 1 FROM (VALUES ('big'), ('small')) AS names (name)");
  c.Execute("INSERT INTO balances_view (user_id, current, withdrawn) SELECT user_id, 1, 1 FROM users_view");
  c.Execute("INSERT INTO orders_view (number, user_id, status, accrual, uploaded_at, position) "
            "SELECT 'n' || g, " + owner + ", 'PROCESSED', 100, g, g FROM generate_series(1, 20000) g");
  c.Execute("INSERT INTO withdrawals_view (order_number, user_id, sum, processed_at, position) "
            "SELECT 'w' || g, " + owner + ", 1, g, g FROM generate_series(1, 5000) g");
  c.Execute("INSERT INTO accrual_queue (order_number, next_attempt_at) "
            "SELECT 'n' || g, g FROM generate_series(1, 20000) g");
  c.Execute("INSERT INTO events (stream, version, type, data, recorded_at) "
            "SELECT 'order-n' || g, 1, 'order_uploaded.v1', '{}', g FROM generate_series(1, 20000) g "
            "UNION ALL SELECT 'account-' || " + big +
            ", g, 'points_accrued.v1', '{}', g FROM generate_series(1, 20000) g");
  c.Execute("ANALYZE");
  c.Execute("SET plan_cache_mode = force_generic_plan");

  auto statements = store::PipelineExecutor::Statements(store::SqlReadModels::Queries());
  for (auto& statement : store::PipelineExecutor::Statements(store::SqlEventStore::Queries())) {
    statements.push_back(std::move(statement));
  }
  for (auto& statement : store::PipelineExecutor::Statements(store::SqlAccrualQueue::Queries())) {
    statements.push_back(std::move(statement));
  }
  std::vector<std::string> explains;  // kept: the connection keys its statements by the text's address
  explains.reserve(statements.size() * 2);
  int checked = 0;
  for (const auto& statement : statements) {
    for (const auto& text : {statement.sql, statement.many_sql}) {
      if (text.empty()) continue;
      const std::string sql = ToDollarPlaceholders(text);
      int parameters = 0;
      for (std::size_t at = sql.find('$'); at != std::string::npos; at = sql.find('$', at + 1)) {
        parameters = std::max(parameters, std::atoi(sql.c_str() + at + 1));
      }
      const std::string name = "plan_" + std::to_string(++checked);
      c.Execute("PREPARE " + name + " AS " + sql);
      std::string arguments;
      for (int i = 0; i < parameters; ++i) arguments += (i == 0 ? "NULL" : ", NULL");
      explains.push_back("EXPLAIN EXECUTE " + name + (parameters == 0 ? "" : "(" + arguments + ")"));
      auto explain = c.Prepare(explains.back().c_str());
      std::string plan;
      while (explain.Step()) plan += explain.Text(0) + "\n";
      EXPECT_EQ(plan.find("Seq Scan"), std::string::npos) << statement.name << ": " << text << "\n" << plan;
      // A list's next page is read in the index's order from the cursor,
      // not by sorting every row below it.
      if (statement.name.ends_with("_after")) {
        EXPECT_EQ(plan.find("Sort"), std::string::npos) << statement.name << ": " << text << "\n" << plan;
      }
    }
  }
  EXPECT_EQ(checked, 17) << "every statement and many-keys form of the three adapters";
}

// A server that takes the connection and never answers (a host that hangs,
// a proxy with nothing behind it) is given up on: connect_timeout, unless
// the URI says otherwise, where before the connection waited forever.
TEST(PgConnectDefaults, ASilentServerIsGivenUpOnInsteadOfAwaitedForever) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor silent(io, {boost::asio::ip::address_v4::loopback(), 0});  // listens, never accepts
  const std::string uri = "postgres://nobody@127.0.0.1:" + std::to_string(silent.local_endpoint().port()) + "/none";
  EXPECT_THROW(postgres::PgConnection{uri}, app::StoreUnavailable) << "the default timeout";
  EXPECT_THROW(postgres::PgConnection{uri + "?connect_timeout=2"}, app::StoreUnavailable) << "the URI's own";
}

TEST_F(PipelinedEventStoreTest, RacingWithdrawalsNeverOverdraw) {
  ASSERT_TRUE(Register("u1"));
  ASSERT_EQ(Append({{domain::AccountStream("u1"), app::kAnyVersion,
                     {domain::PointsAccrued{"u1", "12345678903", domain::Points{10000}, 2}}}}),
            app::AppendOutcome::kAppended);
  // Four threads with a command handler each (so they race through version
  // conflicts), and a fifth handler shared by two threads (so its queue
  // makes them take turns).
  constexpr int kPerThread = 6;
  std::atomic<int> succeeded{0};
  std::atomic<int> refused{0};
  testing::InlineCommands shared(*events_);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      std::optional<testing::InlineCommands> own;
      if (t < 4) own.emplace(*events_);
      testing::InlineCommands& commands = own ? *own : shared;
      for (int i = 0; i < kPerThread; ++i) {
        const std::string base = std::to_string(2000 + t * kPerThread + i);
        for (char check = '0'; check <= '9'; ++check) {
          if (auto number = domain::OrderNumber::Parse(base + check)) {
            auto outcome = commands.Withdraw({"u1", number.Value(), domain::Points{1000}, 7});
            (outcome ? succeeded : refused)++;
            if (!outcome) {
              EXPECT_EQ(outcome.Error(), domain::WithdrawError::kInsufficientPoints);
            }
            break;
          }
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(succeeded.load(), 10);
  EXPECT_EQ(refused.load(), 6 * kPerThread - 10);
  EXPECT_EQ(lane_->BalanceOf("u1").current.hundredths, 0);
  EXPECT_EQ(lane_->BalanceOf("u1").withdrawn.hundredths, 10000);
  EXPECT_EQ(lane_->WithdrawalsOf("u1").size(), 10U);
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
