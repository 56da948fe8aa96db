#include "infra/amqp/outbox_relay.hpp"

#include <boost/asio.hpp>

#include "infra/amqp/broker_accrual_queue.hpp"
#include "infra/async.hpp"
#include "infra/observability/log.hpp"
#include "infra/time.hpp"

namespace gm::infra::amqp {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

// Publishes every order and resumes the caller once the broker has
// answered each: whether it confirmed it, in the same order. An answer may
// come at once, on this thread (a refused publish), and resume the caller
// inside the last Publish call, which ends this lambda's object and the
// caller's `orders`: so the loop works only on its own stack.
awaitable<std::vector<bool>> PublishedAll(BrokerLink& link, const std::vector<app::PendingOrder>& orders) {
  struct Tally {
    std::mutex mutex;
    std::vector<bool> confirmed;
    std::size_t left = 0;
  };
  return Asked<std::vector<bool>>([&link, &orders](auto reply) {
    BrokerLink* const broker = &link;
    const std::string queue = link.Names().WorkQueue();
    std::vector<std::string> bodies;
    bodies.reserve(orders.size());
    for (const auto& order : orders) bodies.push_back(BrokerAccrualQueue::Body(order.number, order.attempts));
    auto tally = std::make_shared<Tally>();
    tally->confirmed.assign(bodies.size(), false);
    tally->left = bodies.size();
    for (std::size_t i = 0; i < bodies.size(); ++i) {
      broker->Publish(queue, std::move(bodies[i]), [tally, i, reply](bool confirmed) mutable {
        std::unique_lock lock(tally->mutex);
        tally->confirmed[i] = confirmed;
        if (--tally->left > 0) return;
        auto all = std::move(tally->confirmed);
        lock.unlock();
        reply(nullptr, std::move(all));
      });
    }
  });
}

}  // namespace

struct OutboxRelay::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, app::AsyncAccrualQueue& outbox, BrokerLink& broker, OutboxRelayOptions relay_options)
      : strand(asio::make_strand(io)), table(outbox), link(broker), options(relay_options) {}

  asio::strand<asio::io_context::executor_type> strand;
  app::AsyncAccrualQueue& table;
  BrokerLink& link;
  OutboxRelayOptions options;
  Sleepers sleepers;  // on the strand

  // One batch: answers how long to wait before the next.
  awaitable<std::chrono::milliseconds> RelayOnce() {
    const auto now = NowMs();
    const auto claimed = co_await table.ClaimDue(now, now + options.lease.count(), options.batch);
    if (claimed.empty()) co_return options.idle_check;
    const auto confirmed = co_await PublishedAll(link, claimed);
    bool all = true;
    for (std::size_t i = 0; i < claimed.size(); ++i) {
      const auto& order = claimed[i];
      const auto until = NowMs() + (confirmed[i] ? options.hold : options.backoff).count();
      co_await table.Reschedule(order.number, order.attempts, until);
      all = all && confirmed[i];
    }
    if (!all) LogLine().Warn("amqp: the broker did not confirm every publish; the rest go again later");
    co_return all ? std::chrono::milliseconds(0) : options.backoff;
  }

  awaitable<void> Loop() {
    auto self = shared_from_this();
    asio::steady_timer timer(strand);
    for (;;) {
      std::chrono::milliseconds wait = options.backoff;
      try {
        wait = co_await RelayOnce();
      } catch (const std::exception& error) {
        LogLine().Add("error", error.what()).Error("amqp: outbox relay step failed");
      }
      if (wait.count() > 0) co_await sleepers.Sleep(timer, wait);
    }
  }
};

OutboxRelay::OutboxRelay(asio::io_context& io, app::AsyncAccrualQueue& table, BrokerLink& link,
                         OutboxRelayOptions options)
    : impl_(std::make_shared<Impl>(io, table, link, options)) {}

OutboxRelay::~OutboxRelay() = default;

void OutboxRelay::Start() { asio::co_spawn(impl_->strand, impl_->Loop(), LogFailure("amqp: outbox relay failed")); }

void OutboxRelay::Nudge() {
  asio::post(impl_->strand, [impl = impl_] { impl->sleepers.WakeAll(); });
}

}  // namespace gm::infra::amqp
