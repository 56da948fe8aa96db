#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

// One blocking connection to RabbitMQ (rabbitmq-c) with one channel. Not
// thread-safe: one thread owns it and makes every call (decision 0012),
// including the waits that let the library answer heartbeats.
namespace gm::infra::amqp {

// The broker refused something, or the connection failed. A refusal closes
// the channel (and here the connection): open a new connection after one.
class AmqpError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Arguments of a queue declaration (x-queue-type, x-delivery-limit, ...).
using Arguments = std::map<std::string, std::variant<std::string, std::int64_t>>;

struct Delivery {
  std::uint64_t tag = 0;
  std::string body;
  bool redelivered = false;
  std::string routing_key;
  std::string exchange;  // "" for the default exchange (and for dead-lettered messages)
};

// A publisher confirm: the broker took (ack) or refused (nack) every
// message up to `sequence` (when `multiple`), or that one message.
struct Confirm {
  std::uint64_t sequence = 0;
  bool multiple = false;
  bool ack = true;
};

class AmqpConnection {
 public:
  // Connects, logs in and opens the channel, within `timeout`; throws
  // AmqpError. `heartbeat`: the interval asked of the broker (0: none).
  AmqpConnection(const std::string& uri, std::chrono::seconds heartbeat,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5));
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  void DeclareQueue(const std::string& name, const Arguments& arguments);
  // Only checks that the queue exists (AmqpError when not); answers how
  // many messages are ready in it.
  std::uint32_t CheckQueue(const std::string& name);
  void DeleteQueue(const std::string& name);
  void DeclareExchange(const std::string& name, const std::string& type);
  // A queue of this connection's own, named by the broker, gone with it.
  std::string DeclareExclusiveQueue();
  void Bind(const std::string& queue, const std::string& exchange, const std::string& routing_key);

  // Publisher confirms on the channel: every publish after this one gets a
  // sequence number, 1, 2, 3..., which Confirm refers to.
  void EnableConfirms();
  // A persistent message; answers its sequence number (0 without confirms).
  std::uint64_t Publish(const std::string& exchange, const std::string& routing_key, const std::string& body);

  void Prefetch(std::uint16_t count);
  // `no_ack`: the broker counts a delivery settled once sent (for messages
  // that may be lost, such as this connection's control messages).
  void Consume(const std::string& queue, bool no_ack = false);
  // The next message of `queue`, taken one at a time (basic.get), to be
  // acknowledged; none when the queue is empty. Not while consuming.
  std::optional<Delivery> Get(const std::string& queue);

  // What the broker sends next: a delivery, a confirm, or nothing within
  // `timeout` (heartbeats are answered meanwhile).
  using Incoming = std::variant<std::monostate, Delivery, Confirm>;
  Incoming Next(std::chrono::milliseconds timeout);

  // For a caller that waits on the socket itself (with other things) before
  // calling Next: the socket, and whether frames already wait in the
  // library's buffer (then the socket may never become readable for them).
  [[nodiscard]] int Socket() const;
  [[nodiscard]] bool HasBuffered() const;

  void Ack(std::uint64_t tag);
  // Gives a delivery back: requeued, or (requeue false) dead-lettered.
  void Reject(std::uint64_t tag, bool requeue);

 private:
  struct State;
  std::unique_ptr<State> state_;
  std::uint64_t next_sequence_ = 0;  // 0 while confirms are off
};

}  // namespace gm::infra::amqp
