#include "infra/amqp/dead_letters.hpp"

#include <variant>

namespace gm::infra::amqp {
namespace {

constexpr std::chrono::seconds kConfirmWait{10};

// Waits for the broker's confirm of publish `sequence` (nothing else comes
// on a connection that does not consume).
bool Confirmed(AmqpConnection& connection, std::uint64_t sequence) {
  const auto deadline = std::chrono::steady_clock::now() + kConfirmWait;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto incoming = connection.Next(std::chrono::milliseconds(200));
    if (const auto* confirm = std::get_if<Confirm>(&incoming)) {
      if (confirm->sequence >= sequence) return confirm->ack;  // one publish at a time: earlier ones were answered
    }
  }
  throw AmqpError("amqp: no confirm from the broker within " + std::to_string(kConfirmWait.count()) + " s");
}

}  // namespace

std::size_t RequeueDeadLetters(const std::string& uri, const Topology& topology) {
  AmqpConnection connection(uri, std::chrono::seconds(30));
  topology.Declare(connection);
  connection.EnableConfirms();
  const auto waiting = connection.CheckQueue(topology.DeadLetterQueue());
  std::size_t moved = 0;
  while (moved < waiting) {
    const auto message = connection.Get(topology.DeadLetterQueue());
    if (!message) break;
    const auto sequence = connection.Publish("", topology.WorkQueue(), message->body);
    if (!Confirmed(connection, sequence)) {
      connection.Reject(message->tag, true);
      throw AmqpError("amqp: the broker refused a message for " + topology.WorkQueue());
    }
    connection.Ack(message->tag);
    ++moved;
  }
  return moved;
}

}  // namespace gm::infra::amqp
