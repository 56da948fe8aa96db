#include "infra/amqp/broker_accrual_queue.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <charconv>

#include "app/faults.hpp"
#include "infra/async.hpp"
#include "infra/observability/log.hpp"
#include "infra/time.hpp"

namespace gm::infra::amqp {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

// Publishes and resumes the caller with whether the broker confirmed it.
awaitable<bool> Published(BrokerLink& link, std::string queue, std::string body) {
  return Asked<bool>([&link, queue = std::move(queue), body = std::move(body)](auto reply) mutable {
    link.Publish(std::move(queue), std::move(body), [reply](bool confirmed) mutable { reply(nullptr, confirmed); });
  });
}

}  // namespace

// Everything here is touched on `strand` only.
struct BrokerAccrualQueue::State {
  explicit State(asio::io_context& io) : strand(asio::make_strand(io)) {}

  asio::strand<asio::io_context::executor_type> strand;
  std::deque<std::pair<app::PendingOrder, Held>> waiting;  // delivered, not claimed yet
  std::map<std::string, Held> in_hand;                     // claimed, by order number
  Sleepers sleepers;                                       // claims waiting for a delivery
};

BrokerAccrualQueue::BrokerAccrualQueue(asio::io_context& io, app::AsyncAccrualQueue& table, Options options)
    : state_(std::make_shared<State>(io)), table_(table), options_(options) {}

std::string BrokerAccrualQueue::Body(const std::string& number, int attempts) {
  return number + " " + std::to_string(attempts);
}

std::optional<app::PendingOrder> BrokerAccrualQueue::ParseBody(const std::string& body) {
  const auto space = body.find(' ');
  if (space == std::string::npos || space == 0 || space > 64) return std::nullopt;
  const std::string number = body.substr(0, space);
  if (!std::all_of(number.begin(), number.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  int attempts = 0;
  const char* first = body.data() + space + 1;
  const char* last = body.data() + body.size();
  const auto [end, error] = std::from_chars(first, last, attempts);
  if (error != std::errc{} || end != last || first == last || attempts < 0) return std::nullopt;
  return app::PendingOrder{number, attempts};
}

void BrokerAccrualQueue::Deliver(BrokerLink& link, Delivery delivery, std::uint64_t epoch) {
  auto order = ParseBody(delivery.body);
  if (!order) {
    // Poison: to the dead-letter queue at once, not round the work queue.
    LogLine().Add("body", delivery.body.substr(0, 80)).Error("amqp: a work message that is not an order");
    link.Reject(epoch, delivery.tag, false);
    return;
  }
  asio::post(state_->strand, [state = state_, order = std::move(*order), held = Held{&link, epoch, delivery.tag},
                              max = options_.max_waiting]() mutable {
    if (state->waiting.size() >= max) {
      held.link->Reject(held.epoch, held.tag, true);
      return;
    }
    state->waiting.emplace_back(std::move(order), held);
    state->sleepers.WakeAll();
  });
}

app::Async<std::vector<app::PendingOrder>> BrokerAccrualQueue::ClaimDue(domain::TimeMs, domain::TimeMs,
                                                                        std::size_t) {
  auto take = [state = state_, wait = options_.claim_wait]() -> awaitable<std::vector<app::PendingOrder>> {
    asio::steady_timer timer(state->strand);
    if (state->waiting.empty()) co_await state->sleepers.Sleep(timer, wait);
    if (state->waiting.empty()) co_return std::vector<app::PendingOrder>{};
    auto [order, held] = std::move(state->waiting.front());
    state->waiting.pop_front();
    if (state->in_hand.contains(order.number)) {
      held.link->Ack(held.epoch, held.tag);  // a duplicate of an order being handled now
      co_return std::vector<app::PendingOrder>{};
    }
    state->in_hand.emplace(order.number, held);
    co_return std::vector<app::PendingOrder>{std::move(order)};
  };
  for (;;) {
    auto taken = co_await asio::co_spawn(state_->strand, take, use_awaitable);
    if (taken.empty()) co_return taken;
    if (co_await table_.IsPending(taken.front().number)) co_return taken;
    co_await Complete(taken.front().number);  // a duplicate of a final order, or a stranger's
  }
}

app::Async<void> BrokerAccrualQueue::Reschedule(const std::string& number, int attempts,
                                                domain::TimeMs next_attempt_at) {
  const std::string order = number;
  auto peek = [state = state_, order]() -> awaitable<std::optional<Held>> {
    const auto it = state->in_hand.find(order);
    if (it == state->in_hand.end()) co_return std::nullopt;
    co_return it->second;
  };
  const auto held = co_await asio::co_spawn(state_->strand, std::move(peek), use_awaitable);
  if (held) {
    const auto delay = std::chrono::milliseconds(std::max<domain::TimeMs>(0, next_attempt_at - NowMs()));
    const bool confirmed =
        co_await Published(*held->link, held->link->Names().RetryQueue(delay), Body(order, attempts));
    if (!confirmed) throw app::StoreUnavailable("amqp: the broker did not confirm a re-check of order " + order);
  }
  // The row stays away from the relay until well after the re-check.
  co_await table_.Reschedule(order, attempts, next_attempt_at + options_.hold.count());
  if (held) co_await Complete(order);
}

app::Async<void> BrokerAccrualQueue::Complete(const std::string& number) {
  auto settle = [state = state_, order = number]() -> awaitable<bool> {
    const auto it = state->in_hand.find(order);
    if (it == state->in_hand.end()) co_return false;
    it->second.link->Ack(it->second.epoch, it->second.tag);
    state->in_hand.erase(it);
    co_return true;
  };
  co_await asio::co_spawn(state_->strand, std::move(settle), use_awaitable);
}

app::Async<void> BrokerAccrualQueue::Abandon(const std::string& number) {
  auto give_back = [state = state_, order = number]() -> awaitable<bool> {
    const auto it = state->in_hand.find(order);
    if (it == state->in_hand.end()) co_return false;
    it->second.link->Reject(it->second.epoch, it->second.tag, true);
    state->in_hand.erase(it);
    co_return true;
  };
  co_await asio::co_spawn(state_->strand, std::move(give_back), use_awaitable);
}

}  // namespace gm::infra::amqp
