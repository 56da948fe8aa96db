// The RabbitMQ client and the accrual topology against a real broker
// (GM_AMQP_URI, started by scripts/test with scripts/start-rabbitmq): the
// topology declared by two connections at once and again, a confirmed
// publish delivered once and gone once acknowledged, the delivery limit
// sending a poison message to the dead-letter queue, a retry tier handing a
// message back to the work queue after its delay, dead letters put back
// by the operator's verb, and refusals as errors.
// Each test has topology names of its own.
#include <gtest/gtest.h>

#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>
#include <unistd.h>

#include "infra/amqp/amqp_connection.hpp"
#include "infra/amqp/broker_accrual_queue.hpp"
#include "infra/amqp/broker_link.hpp"
#include "infra/amqp/dead_letters.hpp"
#include "infra/amqp/pause_notice.hpp"
#include "infra/amqp/topology.hpp"

namespace gm::infra::amqp {
namespace {

using namespace std::chrono_literals;

TEST(AmqpTopology, ARetryIsQueuedInTheLongestTierNoLongerThanItsDelay) {
  const Topology topology({"t", 5, {1s, 5s, 30s}});
  EXPECT_EQ(topology.RetryQueue(500ms), "t.retry.1000ms") << "shorter than every tier: the shortest";
  EXPECT_EQ(topology.RetryQueue(1s), "t.retry.1000ms");
  EXPECT_EQ(topology.RetryQueue(4999ms), "t.retry.1000ms");
  EXPECT_EQ(topology.RetryQueue(5s), "t.retry.5000ms");
  EXPECT_EQ(topology.RetryQueue(10min), "t.retry.30000ms") << "past the longest tier: the longest";
}

TEST(AmqpWork, AMessageBodyIsAnOrderNumberAndItsAttempts) {
  EXPECT_EQ(BrokerAccrualQueue::Body("12345678903", 4), "12345678903 4");
  const auto order = BrokerAccrualQueue::ParseBody("12345678903 4");
  ASSERT_TRUE(order.has_value());
  EXPECT_EQ(order->number, "12345678903");
  EXPECT_EQ(order->attempts, 4);
  for (const std::string bad : {"", " 4", "12345678903", "12345678903 ", "12345678903 -1", "12345678903 4x",
                                "1234a678903 4", "12345678903 99999999999"}) {
    EXPECT_FALSE(BrokerAccrualQueue::ParseBody(bad).has_value()) << "'" << bad << "'";
  }
}

TEST(AmqpControl, APauseNoticeCarriesTheWaitAndTheLimit) {
  const auto notice = ParsePauseNotice(FormatPauseNotice({2500ms, 120}));
  ASSERT_TRUE(notice.has_value());
  EXPECT_EQ(notice->retry_after, 2500ms);
  EXPECT_EQ(notice->requests_per_minute, 120);
  const auto no_limit = ParsePauseNotice(FormatPauseNotice({1s, std::nullopt}));
  ASSERT_TRUE(no_limit.has_value());
  EXPECT_FALSE(no_limit->requests_per_minute.has_value());
  EXPECT_EQ(ParsePauseNotice("pause 99999999999 0")->retry_after, 1h) << "cut to an hour";
  for (const std::string bad : {"", "pause", "pause 5", "pause 5 ", "pause -5 0", "pause 5 x", "resume 5 0",
                                "pause 5 0 0", "pause 5 99999999"}) {
    EXPECT_FALSE(ParsePauseNotice(bad).has_value()) << "'" << bad << "'";
  }
}

class AmqpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* uri = std::getenv("GM_AMQP_URI");
    if (uri == nullptr) GTEST_SKIP() << "GM_AMQP_URI is not set (scripts/test sets it)";
    uri_ = uri;
    static int counter = 0;
    options_.prefix = "gm-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
  }

  // The test's queues go with it: every quorum queue left behind would slow
  // each later start of the broker (the fault tests restart it).
  void TearDown() override {
    if (uri_.empty()) return;
    try {
      auto connection = Connect();
      const Topology topology(options_);
      std::vector<std::string> names{topology.WorkQueue(), topology.DeadLetterQueue()};
      for (const auto delay : options_.retry_delays) names.push_back(topology.RetryQueue(delay));
      for (const auto& name : names) connection->DeleteQueue(name);
    } catch (const AmqpError& error) {
      ADD_FAILURE() << "could not delete the test's queues: " << error.what();
    }
  }

  std::unique_ptr<AmqpConnection> Connect() { return std::make_unique<AmqpConnection>(uri_, 10s); }

  // The next delivery, skipping idle waits, for at most `patience`.
  static std::optional<Delivery> NextDelivery(AmqpConnection& connection, std::chrono::milliseconds patience) {
    const auto deadline = std::chrono::steady_clock::now() + patience;
    while (std::chrono::steady_clock::now() < deadline) {
      auto incoming = connection.Next(100ms);
      if (auto* delivery = std::get_if<Delivery>(&incoming)) return *delivery;
    }
    return std::nullopt;
  }

  // Publishes one message and waits for the broker's confirm of it
  // (confirms of earlier publishes may come first).
  static void PublishConfirmed(AmqpConnection& connection, const std::string& queue, const std::string& body) {
    const auto sequence = connection.Publish("", queue, body);
    for (int i = 0; i < 50; ++i) {
      auto incoming = connection.Next(100ms);
      if (auto* confirm = std::get_if<Confirm>(&incoming)) {
        ASSERT_TRUE(confirm->ack);
        if (confirm->sequence >= sequence) return;
      }
    }
    FAIL() << "no confirm of " << sequence << " within 5 s";
  }

  // Waits until `queue` holds `count` ready messages (dead-lettering and
  // expiry happen inside the broker, a moment later); answers the last count.
  std::uint32_t WaitForCount(AmqpConnection& connection, const std::string& queue, std::uint32_t count) {
    std::uint32_t seen = 0;
    for (int i = 0; i < 100 && seen != count; ++i) {
      seen = connection.CheckQueue(queue);
      if (seen != count) std::this_thread::sleep_for(50ms);
    }
    return seen;
  }

  std::string uri_;
  TopologyOptions options_;
};

TEST_F(AmqpTest, TheTopologyIsDeclaredByTwoConnectionsAtOnceAndAgain) {
  const Topology topology(options_);
  std::vector<std::string> failures(2);
  std::vector<std::thread> instances;
  for (std::size_t i = 0; i < 2; ++i) {
    instances.emplace_back([&, i] {
      try {
        auto connection = Connect();
        topology.Declare(*connection);
      } catch (const std::exception& error) {
        failures[i] = error.what();
      }
    });
  }
  for (auto& instance : instances) instance.join();
  EXPECT_EQ(failures, std::vector<std::string>(2)) << "both declarations succeed";
  auto connection = Connect();
  topology.Declare(*connection);
  EXPECT_EQ(connection->CheckQueue(topology.WorkQueue()), 0U);
  EXPECT_EQ(connection->CheckQueue(topology.DeadLetterQueue()), 0U);
  for (const auto delay : options_.retry_delays) EXPECT_EQ(connection->CheckQueue(topology.RetryQueue(delay)), 0U);
}

TEST_F(AmqpTest, AConfirmedPublishIsDeliveredOnceAndGoneOnceAcknowledged) {
  const Topology topology(options_);
  auto publisher = Connect();
  topology.Declare(*publisher);
  publisher->EnableConfirms();
  EXPECT_EQ(publisher->Publish("", topology.WorkQueue(), "12345678903"), 1U) << "the first sequence number";
  PublishConfirmed(*publisher, topology.WorkQueue(), "79927398713");
  EXPECT_EQ(WaitForCount(*publisher, topology.WorkQueue(), 2), 2U);

  auto consumer = Connect();
  consumer->Prefetch(1);
  consumer->Consume(topology.WorkQueue());
  std::vector<std::string> bodies;
  for (int i = 0; i < 2; ++i) {
    const auto delivery = NextDelivery(*consumer, 5s);
    ASSERT_TRUE(delivery.has_value()) << i;
    EXPECT_FALSE(delivery->redelivered);
    EXPECT_EQ(delivery->routing_key, topology.WorkQueue());
    bodies.push_back(delivery->body);
    consumer->Ack(delivery->tag);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"12345678903", "79927398713"})) << "in the order published";
  EXPECT_FALSE(NextDelivery(*consumer, 300ms).has_value()) << "nothing is delivered twice";
  consumer.reset();  // unacknowledged deliveries would now be ready again
  EXPECT_EQ(WaitForCount(*publisher, topology.WorkQueue(), 0), 0U) << "both acknowledged";
}

TEST_F(AmqpTest, PastTheDeliveryLimitAMessageGoesToTheDeadLetterQueue) {
  options_.delivery_limit = 2;
  const Topology topology(options_);
  auto publisher = Connect();
  topology.Declare(*publisher);
  publisher->EnableConfirms();
  PublishConfirmed(*publisher, topology.WorkQueue(), "poison");

  auto consumer = Connect();
  consumer->Consume(topology.WorkQueue());
  int deliveries = 0;
  while (auto delivery = NextDelivery(*consumer, 1s)) {
    EXPECT_EQ(delivery->body, "poison");
    EXPECT_EQ(delivery->redelivered, deliveries > 0);
    ++deliveries;
    consumer->Reject(delivery->tag, true);
    ASSERT_LE(deliveries, 10) << "the limit did not stop it";
  }
  EXPECT_EQ(deliveries, options_.delivery_limit + 1) << "delivered once, then redelivered up to the limit";
  EXPECT_EQ(WaitForCount(*publisher, topology.DeadLetterQueue(), 1), 1U) << "kept, not dropped";
  EXPECT_EQ(publisher->CheckQueue(topology.WorkQueue()), 0U);
}

TEST_F(AmqpTest, TheOperatorsVerbPutsDeadLettersBackOnTheWorkQueue) {
  const Topology topology(options_);
  auto publisher = Connect();
  topology.Declare(*publisher);
  publisher->EnableConfirms();
  EXPECT_FALSE(publisher->Get(topology.DeadLetterQueue()).has_value()) << "empty";
  for (const std::string body : {"1 0", "2 0", "3 0"}) PublishConfirmed(*publisher, topology.DeadLetterQueue(), body);

  EXPECT_EQ(RequeueDeadLetters(uri_, topology), 3U);
  EXPECT_EQ(publisher->CheckQueue(topology.DeadLetterQueue()), 0U);
  std::vector<std::string> bodies;
  while (auto message = publisher->Get(topology.WorkQueue())) {
    bodies.push_back(message->body);
    publisher->Ack(message->tag);
  }
  EXPECT_EQ(bodies, (std::vector<std::string>{"1 0", "2 0", "3 0"})) << "each once, in their order";
  EXPECT_EQ(RequeueDeadLetters(uri_, topology), 0U) << "nothing left to move";
}

TEST_F(AmqpTest, ARetryTierHandsAMessageBackToTheWorkQueueAfterItsDelay) {
  options_.retry_delays = {400ms};
  const Topology topology(options_);
  auto publisher = Connect();
  topology.Declare(*publisher);
  publisher->EnableConfirms();
  auto consumer = Connect();
  consumer->Consume(topology.WorkQueue());
  const auto sent = std::chrono::steady_clock::now();
  PublishConfirmed(*publisher, topology.RetryQueue(1s), "later");
  const auto delivery = NextDelivery(*consumer, 5s);
  ASSERT_TRUE(delivery.has_value()) << "the tier dead-letters into the work queue";
  EXPECT_EQ(delivery->body, "later");
  EXPECT_GE(std::chrono::steady_clock::now() - sent, 350ms) << "not before the tier's delay";
  consumer->Ack(delivery->tag);
}

TEST_F(AmqpTest, ADeclarationThatDisagreesWithTheBrokerIsAnErrorNamingTheQueue) {
  const Topology topology(options_);
  auto connection = Connect();
  topology.Declare(*connection);
  options_.delivery_limit += 1;
  auto other = Connect();
  try {
    Topology(options_).Declare(*other);
    FAIL() << "a different delivery limit was accepted";
  } catch (const AmqpError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("PRECONDITION_FAILED"), std::string::npos) << message;
    EXPECT_NE(message.find(topology.WorkQueue()), std::string::npos) << message;
  }
}

TEST_F(AmqpTest, AnUnreachableBrokerAndRefusedCredentialsAreErrorsThatSaySo) {
  const auto message = [](const std::string& uri) {
    try {
      AmqpConnection connection(uri, 10s, 2s);
    } catch (const AmqpError& error) {
      return std::string(error.what());
    }
    return std::string("connected");
  };
  EXPECT_NE(message("amqp://guest:guest@127.0.0.1:1").find("connect to 127.0.0.1:1"), std::string::npos);
  const auto refused = message("amqp://nobody:wrong@" + uri_.substr(uri_.find('@') + 1));
  EXPECT_NE(refused.find("log in to"), std::string::npos) << refused;
  EXPECT_NE(message("http://x").find("cannot parse"), std::string::npos);
}

TEST_F(AmqpTest, AnIdleLinkStaysUpAndHearsTheControlExchange) {
  // Silence for three heartbeats (6 s) would end the connection. Counted
  // every half heartbeat, as in service, the dead letters' answers keep
  // the broker from sending heartbeats, and they are read inside the
  // calls, never seen on the socket: the link must count them as heard.
  BrokerLinkOptions options;
  options.uri = uri_;
  options.topology = options_;
  options.heartbeat = 2s;
  options.dead_letter_check = 1s;
  std::mutex mutex;
  std::vector<std::string> heard;
  BrokerLink link(
      options, [](Delivery, std::uint64_t) {},
      [&](const std::string& body) {
        const std::lock_guard lock(mutex);
        heard.push_back(body);
      });
  link.Start();
  for (int i = 0; i < 100 && !link.Connected(); ++i) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(link.Connected());
  std::this_thread::sleep_for(7500ms);
  const auto status = link.Status();
  EXPECT_TRUE(status.connected);
  EXPECT_EQ(status.connections, 1U) << "idle, not dead";
  EXPECT_EQ(status.dead_letters, 0);
  link.Broadcast("pause 10 0");
  for (int i = 0; i < 100; ++i) {
    {
      const std::lock_guard lock(mutex);
      if (!heard.empty()) break;
    }
    std::this_thread::sleep_for(20ms);
  }
  const std::lock_guard lock(mutex);
  EXPECT_EQ(heard, std::vector<std::string>{"pause 10 0"}) << "its own broadcast, once";
}

}  // namespace
}  // namespace gm::infra::amqp
