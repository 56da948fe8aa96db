#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "infra/amqp/amqp_connection.hpp"
#include "infra/amqp/topology.hpp"

namespace gm::infra::amqp {

struct BrokerLinkOptions {
  std::string uri;
  TopologyOptions topology;
  bool consume = true;          // consume the work queue (else only publish)
  std::uint16_t prefetch = 128;  // deliveries in hand, unacknowledged, at most
  std::chrono::seconds heartbeat{10};
  // Publishes queued or awaiting their confirm, at most: past it a publish
  // fails at once rather than queueing without bound.
  std::size_t max_pending = 4096;
  std::chrono::milliseconds reconnect_first{200};
  std::chrono::milliseconds reconnect_max{10'000};
  // How often the dead-letter queue is counted (for /readyz, /metrics and
  // the log line when it grows).
  std::chrono::milliseconds dead_letter_check{5'000};
};

// What /readyz and /metrics show of the link.
struct BrokerStatus {
  bool connected = false;
  std::uint64_t connections = 0;      // made since start (more than one: it came back)
  std::size_t pending_publishes = 0;  // queued or awaiting their confirm
  std::int64_t dead_letters = -1;     // messages in the dead-letter queue; -1 before the first count
};

// One connection to RabbitMQ, owned by a thread of its own (decision 0012):
// it connects (again, with back-off, after the broker goes away), declares
// the topology, turns publisher confirms on, consumes the work queue, and
// carries out what other threads ask of it. Deliveries and confirms are
// handed out on that thread: hand them on, do not block it.
class BrokerLink {
 public:
  // Says whether a publish was confirmed: false when the broker refused it,
  // the connection went first, too many were pending, or the link stopped.
  using Confirmed = std::function<void(bool confirmed)>;
  // A delivery of connection number `epoch` (see Ack).
  using Delivered = std::function<void(Delivery delivery, std::uint64_t epoch)>;
  // A message of the control exchange, from any instance (this one too).
  using Heard = std::function<void(const std::string& body)>;

  // `on_control`: set, a consuming link also hears the control exchange.
  BrokerLink(BrokerLinkOptions options, Delivered on_delivery, Heard on_control = {});
  ~BrokerLink();  // stops the thread; pending publishes are answered false
  BrokerLink(const BrokerLink&) = delete;
  BrokerLink& operator=(const BrokerLink&) = delete;

  void Start();
  [[nodiscard]] const Topology& Names() const { return topology_; }
  [[nodiscard]] bool Connected() const { return connected_.load(); }
  [[nodiscard]] BrokerStatus Status() const;  // thread-safe
  // The number of the connection up now, 0 while there is none: a delivery
  // of another is void (the broker took it back when that one closed).
  [[nodiscard]] std::uint64_t Epoch() const { return epoch_.load(); }

  // Thread-safe. A persistent message to `queue` through the default
  // exchange; `done` runs once, on the link's thread.
  void Publish(std::string queue, std::string body, Confirmed done);
  // Thread-safe. A message to every instance's control queue, unconfirmed:
  // one lost costs a pause there, nothing more.
  void Broadcast(std::string body);
  // Thread-safe. Settles a delivery of connection `epoch`; one of an older
  // connection is dropped (the broker gave it back when that one closed).
  void Ack(std::uint64_t epoch, std::uint64_t tag);
  void Reject(std::uint64_t epoch, std::uint64_t tag, bool requeue);

 private:
  struct Command {
    enum class Kind { kPublish, kAck, kReject, kRequeue } kind = Kind::kPublish;
    std::string exchange;  // publishes: "" (the default exchange, routing by queue name) or the control exchange
    std::string queue;
    std::string body;
    Confirmed done;
    std::uint64_t epoch = 0;
    std::uint64_t tag = 0;
  };

  void Submit(Command command);
  void Run();
  void Serve(AmqpConnection& connection, std::uint64_t epoch);
  void CountDeadLetters(AmqpConnection& connection);
  void Wake();
  void FailQueuedPublishes();

  BrokerLinkOptions options_;
  Topology topology_;
  Delivered on_delivery_;
  Heard on_control_;
  int wake_fd_ = -1;  // an eventfd the thread polls beside the socket

  mutable std::mutex mutex_;
  std::condition_variable stopped_;
  std::deque<Command> commands_;
  std::size_t pending_ = 0;  // publishes queued or unconfirmed
  bool stopping_ = false;

  std::atomic<bool> connected_{false};
  std::atomic<std::uint64_t> connections_{0};
  std::atomic<std::uint64_t> epoch_{0};
  std::atomic<std::int64_t> dead_letters_{-1};
  std::thread thread_;
};

}  // namespace gm::infra::amqp
