#include "infra/amqp/broker_accrual_queue.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <charconv>

#include "app/faults.hpp"
#include "infra/async.hpp"
#include "infra/observability/log.hpp"
#include "infra/observability/metrics.hpp"
#include "infra/time.hpp"

namespace gm::infra::amqp {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

// Publishes and resumes the caller with whether the broker confirmed it.
// (A refusal answers at once and may resume the caller inside Publish,
// ending this lambda's object: nothing of it is touched after the call.)
awaitable<bool> Published(BrokerLink& link, std::string queue, std::string body) {
  return Asked<bool>([&link, queue = std::move(queue), body = std::move(body)](auto reply) mutable {
    BrokerLink* const broker = &link;
    std::string to = std::move(queue);
    std::string text = std::move(body);
    broker->Publish(std::move(to), std::move(text), [reply](bool confirmed) mutable { reply(nullptr, confirmed); });
  });
}

}  // namespace

// Everything here is touched on `strand` only.
struct BrokerAccrualQueue::State {
  explicit State(asio::io_context& io) : strand(asio::make_strand(io)) {}

  asio::strand<asio::io_context::executor_type> strand;
  std::deque<std::pair<app::PendingOrder, Held>> waiting;  // delivered, not claimed yet
  std::map<std::string, std::pair<app::PendingOrder, Held>> in_hand;  // claimed, by order number
  // Deliveries of an order already in hand (a re-check back before the
  // first was settled, or a copy redelivered after a reconnect): set aside
  // until that one is settled, then claimed in their turn.
  std::multimap<std::string, std::pair<app::PendingOrder, Held>> parked;
  Sleepers sleepers;  // claims waiting for a delivery

  // Settles the delivery in hand of `number` (`ack`, or give it back) and
  // lets its parked copies be claimed; false when none was in hand.
  bool Settle(const std::string& number, bool ack) {
    const auto it = in_hand.find(number);
    if (it == in_hand.end()) return false;
    const Held& held = it->second.second;
    if (ack) {
      held.link->Ack(held.epoch, held.tag);
    } else {
      held.link->Reject(held.epoch, held.tag, true);
    }
    in_hand.erase(it);
    const auto [first, last] = parked.equal_range(number);
    for (auto copy = first; copy != last; ++copy) waiting.push_front(std::move(copy->second));
    if (first != last) sleepers.WakeAll();
    parked.erase(first, last);
    return true;
  }
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
    CountDelivery("poison");
    link.Reject(epoch, delivery.tag, false);
    return;
  }
  asio::post(state_->strand, [state = state_, order = std::move(*order), held = Held{&link, epoch, delivery.tag},
                              max = options_.max_waiting]() mutable {
    if (state->waiting.size() + state->parked.size() >= max) {
      // Deliveries of a connection gone count for nothing: the broker has
      // them again (a rejection here would count towards the delivery
      // limit of a healthy order).
      std::erase_if(state->waiting, [](const auto& waiting) {
        return waiting.second.epoch != waiting.second.link->Epoch();
      });
      std::erase_if(state->parked, [](const auto& parked) {
        return parked.second.second.epoch != parked.second.second.link->Epoch();
      });
    }
    if (state->waiting.size() + state->parked.size() >= max) {
      held.link->Reject(held.epoch, held.tag, true);
      return;
    }
    state->waiting.emplace_back(std::move(order), held);
    state->sleepers.WakeOne();  // one delivery, one claim: the others would wake for nothing
  });
}

app::Async<std::vector<app::PendingOrder>> BrokerAccrualQueue::ClaimDue(domain::TimeMs, domain::TimeMs,
                                                                        std::size_t) {
  auto take = [state = state_, wait = options_.claim_wait]() -> awaitable<std::vector<app::PendingOrder>> {
    asio::steady_timer timer(state->strand);
    if (state->waiting.empty()) co_await state->sleepers.Sleep(timer, wait);
    while (!state->waiting.empty()) {
      auto delivered = std::move(state->waiting.front());
      state->waiting.pop_front();
      // Of a connection gone: the broker has it again, and asking the
      // accrual system for it now would be wasted (its ack would be void).
      if (delivered.second.epoch != delivered.second.link->Epoch()) continue;
      const std::string number = delivered.first.number;
      if (state->in_hand.contains(number)) {
        state->parked.emplace(number, std::move(delivered));
        continue;
      }
      auto order = delivered.first;
      state->in_hand.emplace(number, std::move(delivered));
      co_return std::vector<app::PendingOrder>{std::move(order)};
    }
    co_return std::vector<app::PendingOrder>{};
  };
  for (;;) {
    auto taken = co_await asio::co_spawn(state_->strand, take, use_awaitable);
    if (taken.empty()) co_return taken;
    bool pending = false;
    std::exception_ptr fault;
    try {
      pending = co_await table_.IsPending(taken.front().number);
    } catch (const std::exception&) {
      fault = std::current_exception();
    }
    if (fault) {
      co_await Settled(taken.front().number, false);  // back to the broker, not stuck in hand
      std::rethrow_exception(fault);
    }
    if (pending) {
      CountDelivery("claimed");
      co_return taken;
    }
    CountDelivery("duplicate");
    co_await Complete(taken.front().number);  // a duplicate of a final order, or a stranger's
  }
}

void BrokerAccrualQueue::CountDelivery(std::string_view outcome) const {
  if (options_.metrics != nullptr) options_.metrics->Count("broker_deliveries_total", "outcome", outcome);
}

app::Async<bool> BrokerAccrualQueue::Settled(const std::string& number, bool ack) {
  auto settle = [state = state_, number, ack]() -> awaitable<bool> { co_return state->Settle(number, ack); };
  co_return co_await asio::co_spawn(state_->strand, std::move(settle), use_awaitable);
}

app::Async<std::optional<std::pair<app::PendingOrder, BrokerAccrualQueue::Held>>> BrokerAccrualQueue::InHand(
    const std::string& number) {
  auto peek = [state = state_, number]() -> awaitable<std::optional<std::pair<app::PendingOrder, Held>>> {
    const auto it = state->in_hand.find(number);
    if (it == state->in_hand.end()) co_return std::nullopt;
    co_return it->second;
  };
  co_return co_await asio::co_spawn(state_->strand, std::move(peek), use_awaitable);
}

app::Async<void> BrokerAccrualQueue::Reschedule(const std::string& number, int attempts,
                                                domain::TimeMs next_attempt_at) {
  const std::string order = number;
  const auto in_hand = co_await InHand(order);
  if (in_hand) {
    // A tenth more (and the time since the caller chose the delay) so an
    // exact tier is not rounded down to the one below.
    BrokerLink& link = *in_hand->second.link;
    const auto delay = std::chrono::milliseconds(std::max<domain::TimeMs>(0, next_attempt_at - NowMs()));
    const auto tier = link.Names().RetryQueue(delay + delay / 10 + std::chrono::milliseconds(20));
    const bool confirmed = co_await Published(link, tier, Body(order, attempts));
    if (!confirmed) throw app::StoreUnavailable("amqp: the broker did not confirm a re-check of order " + order);
  }
  // The row stays away from the relay until well after the re-check.
  co_await table_.Reschedule(order, attempts, next_attempt_at + options_.hold.count());
  if (in_hand) co_await Settled(order, true);
}

app::Async<void> BrokerAccrualQueue::Complete(const std::string& number) { co_await Settled(number, true); }

app::Async<void> BrokerAccrualQueue::Abandon(const std::string& number) {
  // Round the shortest retry tier rather than straight back: a requeue
  // would come back at once and count towards the delivery limit, so a
  // short outage could send healthy orders to the dead-letter queue.
  const std::string order = number;
  const auto in_hand = co_await InHand(order);
  if (!in_hand) co_return;
  BrokerLink& link = *in_hand->second.link;
  const auto tier = link.Names().RetryQueue(std::chrono::seconds(1));
  const bool confirmed = co_await Published(link, tier, Body(order, in_hand->first.attempts));
  co_await Settled(order, confirmed);  // unconfirmed: requeued after all
}

}  // namespace gm::infra::amqp
