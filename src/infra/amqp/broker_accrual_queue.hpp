#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/strand.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "app/ports.hpp"
#include "infra/amqp/broker_link.hpp"

namespace gm::infra {
class Metrics;
}  // namespace gm::infra

namespace gm::infra::amqp {

// The accrual queue as the worker sees it when RabbitMQ carries the work
// (decision 0012): a claim is the next delivery of the work queue; a
// re-check is a message to the retry tier of its delay, confirmed before
// the delivery is acknowledged, with the order's row held back from the
// relay meanwhile; a final status acknowledges it. Acknowledged only after
// the database commit, so a crash redelivers, and the result applied twice
// changes nothing. A delivery of an order that is no longer pending (final
// already, or unknown to this database) is acknowledged and skipped.
class BrokerAccrualQueue final : public app::AsyncAccrualQueue {
 public:
  struct Options {
    // How long a claim waits for a delivery before it answers none.
    std::chrono::milliseconds claim_wait{500};
    // How long past its next check an order's row stays away from the
    // relay: the safety net that publishes again an order whose message
    // the broker lost (a duplicate is harmless).
    std::chrono::milliseconds hold{600'000};
    // Deliveries waiting for a claim, at most (the prefetch bounds them
    // too); past it one is given back to the broker.
    std::size_t max_waiting = 256;
    // Counts deliveries by what became of them (claimed, duplicate,
    // poison) when set.
    Metrics* metrics = nullptr;
  };

  // `table` is the SQL accrual queue; `link` must outlive this object.
  BrokerAccrualQueue(boost::asio::io_context& io, app::AsyncAccrualQueue& table, Options options);

  // What the link calls with each delivery, on its thread.
  void Deliver(BrokerLink& link, Delivery delivery, std::uint64_t epoch);

  app::Async<std::vector<app::PendingOrder>> ClaimDue(domain::TimeMs now, domain::TimeMs lease_until,
                                                      std::size_t limit) override;
  app::Async<void> Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at) override;
  app::Async<bool> IsPending(const std::string& number) override { return table_.IsPending(number); }
  app::Async<void> Complete(const std::string& number) override;
  app::Async<void> Abandon(const std::string& number) override;

  // The message body of an order: "<number> <attempts>".
  static std::string Body(const std::string& number, int attempts);
  static std::optional<app::PendingOrder> ParseBody(const std::string& body);

 private:
  struct Held {
    BrokerLink* link = nullptr;
    std::uint64_t epoch = 0;
    std::uint64_t tag = 0;
  };
  struct State;

  app::Async<bool> Settled(const std::string& number, bool ack);
  // The delivery in hand of `number`, when one is.
  app::Async<std::optional<std::pair<app::PendingOrder, Held>>> InHand(const std::string& number);
  void CountDelivery(std::string_view outcome) const;

  std::shared_ptr<State> state_;
  app::AsyncAccrualQueue& table_;
  Options options_;
};

}  // namespace gm::infra::amqp
