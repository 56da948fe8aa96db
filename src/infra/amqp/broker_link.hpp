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
  std::uint16_t prefetch = 32;  // deliveries in hand, unacknowledged, at most
  std::chrono::seconds heartbeat{10};
  // Publishes queued or awaiting their confirm, at most: past it a publish
  // fails at once rather than queueing without bound.
  std::size_t max_pending = 4096;
  std::chrono::milliseconds reconnect_first{200};
  std::chrono::milliseconds reconnect_max{10'000};
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

  BrokerLink(BrokerLinkOptions options, Delivered on_delivery);
  ~BrokerLink();  // stops the thread; pending publishes are answered false
  BrokerLink(const BrokerLink&) = delete;
  BrokerLink& operator=(const BrokerLink&) = delete;

  void Start();
  [[nodiscard]] const Topology& Names() const { return topology_; }
  [[nodiscard]] bool Connected() const { return connected_.load(); }

  // Thread-safe. A persistent message to `queue` through the default
  // exchange; `done` runs once, on the link's thread.
  void Publish(std::string queue, std::string body, Confirmed done);
  // Thread-safe. Settles a delivery of connection `epoch`; one of an older
  // connection is dropped (the broker gave it back when that one closed).
  void Ack(std::uint64_t epoch, std::uint64_t tag);
  void Reject(std::uint64_t epoch, std::uint64_t tag, bool requeue);

 private:
  struct Command {
    enum class Kind { kPublish, kAck, kReject, kRequeue } kind = Kind::kPublish;
    std::string queue;
    std::string body;
    Confirmed done;
    std::uint64_t epoch = 0;
    std::uint64_t tag = 0;
  };

  void Submit(Command command);
  void Run();
  void Serve(AmqpConnection& connection, std::uint64_t epoch);
  void Wake();
  void FailQueuedPublishes();

  BrokerLinkOptions options_;
  Topology topology_;
  Delivered on_delivery_;
  int wake_fd_ = -1;  // an eventfd the thread polls beside the socket

  std::mutex mutex_;
  std::condition_variable stopped_;
  std::deque<Command> commands_;
  std::size_t pending_ = 0;  // publishes queued or unconfirmed
  bool stopping_ = false;

  std::atomic<bool> connected_{false};
  std::thread thread_;
};

}  // namespace gm::infra::amqp
