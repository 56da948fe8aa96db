#pragma once

#include <cstddef>
#include <string>

#include "infra/amqp/topology.hpp"

// The operator's way back for orders that reached the dead-letter queue
// (the `requeue-dead-letters` verb).
namespace gm::infra::amqp {

// Moves the messages in the dead-letter queue when it starts back to the
// work queue, one at a time: each is published with a confirm before it
// is acknowledged, so a failure half-way loses none (at worst one is in
// both queues, and a duplicate is harmless). Messages that die again while
// it runs are left for the next run, not chased. Answers how many it
// moved; throws AmqpError.
std::size_t RequeueDeadLetters(const std::string& uri, const Topology& topology);

}  // namespace gm::infra::amqp
