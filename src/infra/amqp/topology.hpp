#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "infra/amqp/amqp_connection.hpp"

// The queues and exchanges the accrual work goes through on RabbitMQ
// (decision 0012). Every name starts with the prefix, so tests can keep
// topologies apart on one broker.
namespace gm::infra::amqp {

struct TopologyOptions {
  std::string prefix = "gophermart.accrual";
  // Deliveries of one message before the broker dead-letters it: a poison
  // message cannot circle for ever (RabbitMQ 3.10 sets no limit).
  std::int64_t delivery_limit = 20;
  // Delayed re-checks: a message published to a tier waits there this long,
  // then dead-letters back into the work queue. One TTL per queue, so
  // messages expire in the order they came (a per-message TTL would only
  // expire at the head). Doubling, so a delay rounded down to its tier is
  // at most halved.
  std::vector<std::chrono::milliseconds> retry_delays = {
      std::chrono::milliseconds(250), std::chrono::milliseconds(500), std::chrono::seconds(1),
      std::chrono::seconds(2),        std::chrono::seconds(4),        std::chrono::seconds(8),
      std::chrono::seconds(16),       std::chrono::seconds(32),       std::chrono::seconds(64),
      std::chrono::seconds(128),      std::chrono::seconds(256)};
};

class Topology {
 public:
  explicit Topology(TopologyOptions options) : options_(std::move(options)) {}

  // A durable quorum queue of orders to check, with the delivery limit and
  // the dead-letter queue behind it.
  [[nodiscard]] std::string WorkQueue() const { return options_.prefix + ".work"; }
  // Where poison messages end; nothing reads it but an operator.
  [[nodiscard]] std::string DeadLetterQueue() const { return options_.prefix + ".dead"; }
  // The retry tier of `delay`: the longest one no longer than it (a
  // re-check a little early is harmless: the worker still keeps its pauses
  // and pace), or the shortest.
  [[nodiscard]] std::string RetryQueue(std::chrono::milliseconds delay) const;
  // A fanout exchange every instance hears (pause on a 429).
  [[nodiscard]] std::string ControlExchange() const { return options_.prefix + ".control"; }

  // Declares all of it. Idempotent, and safe from several instances at
  // once; a queue declared before with other arguments is an AmqpError
  // naming it (PRECONDITION_FAILED).
  void Declare(AmqpConnection& connection) const;

 private:
  [[nodiscard]] std::string TierName(std::chrono::milliseconds delay) const;

  TopologyOptions options_;
};

}  // namespace gm::infra::amqp
