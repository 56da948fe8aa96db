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
  // default exchange with routing key Q" puts a message in Q.
  connection.DeclareQueue(DeadLetterQueue(), {{"x-queue-type", std::string("quorum")}});
  connection.DeclareQueue(WorkQueue(), {{"x-queue-type", std::string("quorum")},
                                        {"x-delivery-limit", options_.delivery_limit},
                                        {"x-dead-letter-exchange", std::string()},
                                        {"x-dead-letter-routing-key", DeadLetterQueue()}});
  for (const auto delay : options_.retry_delays) {
    connection.DeclareQueue(TierName(delay), {{"x-message-ttl", static_cast<std::int64_t>(delay.count())},
                                              {"x-dead-letter-exchange", std::string()},
                                              {"x-dead-letter-routing-key", WorkQueue()}});
  }
  connection.DeclareExchange(ControlExchange(), "fanout");
}

}  // namespace gm::infra::amqp
