#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <memory>

#include "app/ports.hpp"
#include "infra/amqp/broker_link.hpp"

namespace gm::infra::amqp {

struct OutboxRelayOptions {
  std::size_t batch = 128;                     // rows claimed and published at once
  std::chrono::milliseconds lease{5'000};      // a claimed row stays hidden this long before its confirm
  std::chrono::milliseconds hold{600'000};     // a published row stays away this long (BrokerAccrualQueue)
  std::chrono::milliseconds idle_check{5'000};  // rows whose lease or hold ran out, when nothing nudges
  std::chrono::milliseconds backoff{1'000};    // after a publish the broker did not confirm
};

// Publishes the "check this order" work that each upload records in the
// accrual queue's table, in the same transaction as its events (the
// outbox), to the work queue: claims due rows (SKIP LOCKED on PostgreSQL,
// so several instances relay different rows), publishes them with
// confirms, and only after a row's confirm holds it back for `hold`. A
// publish that is not confirmed makes its row due again after `backoff`; a
// crash leaves it to its lease. Late, never lost; a duplicate is harmless
// (the consumer applies a result once). Nudged by uploads; otherwise it
// looks again every `idle_check`.
class OutboxRelay {
 public:
  OutboxRelay(boost::asio::io_context& io, app::AsyncAccrualQueue& table, BrokerLink& link,
              OutboxRelayOptions options = {});
  ~OutboxRelay();
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void Start();
  void Nudge();  // thread-safe

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gm::infra::amqp
