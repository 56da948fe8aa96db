#include "infra/amqp/topology.hpp"

namespace gm::infra::amqp {

std::string Topology::TierName(std::chrono::milliseconds delay) const {
  return options_.prefix + ".retry." + std::to_string(delay.count()) + "ms";
}

std::string Topology::RetryQueue(std::chrono::milliseconds delay) const {
  auto tier = options_.retry_delays.front();
  for (const auto candidate : options_.retry_delays) {
    if (candidate <= delay && candidate > tier) tier = candidate;
  }
  return TierName(tier);
}

void Topology::Declare(AmqpConnection& connection) const {
  // The default exchange routes by queue name, so dead-lettering "to the
  // default exchange with routing key Q" puts a message in Q. Every queue a
  // message moves out of by dead-lettering is a quorum queue that does so
  // at least once: a classic queue's dead-lettering is at most once, and
  // drops what it moves while the target is not up (a broker restarting
  // with re-checks due in its tiers lost them).
  const Arguments at_least_once = {{"x-queue-type", std::string("quorum")},
                                   {"x-dead-letter-strategy", std::string("at-least-once")},
                                   {"x-overflow", std::string("reject-publish")},
                                   {"x-dead-letter-exchange", std::string()}};
  connection.DeclareQueue(DeadLetterQueue(), {{"x-queue-type", std::string("quorum")}});
  auto work = at_least_once;
  work.emplace("x-delivery-limit", options_.delivery_limit);
  work.emplace("x-dead-letter-routing-key", DeadLetterQueue());
  connection.DeclareQueue(WorkQueue(), work);
  for (const auto delay : options_.retry_delays) {
    auto tier = at_least_once;
    tier.emplace("x-message-ttl", static_cast<std::int64_t>(delay.count()));
    tier.emplace("x-dead-letter-routing-key", WorkQueue());
    connection.DeclareQueue(TierName(delay), tier);
  }
  connection.DeclareExchange(ControlExchange(), "fanout");
}

}  // namespace gm::infra::amqp
