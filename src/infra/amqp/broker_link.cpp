#include "infra/amqp/broker_link.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <map>
#include <stdexcept>

#include "infra/observability/log.hpp"

namespace gm::infra::amqp {
namespace {

// The longest the thread sits in poll(): the library sends heartbeats only
// from inside its own calls, which follow each wake.
constexpr int kPollMs = 1000;
using Clock = std::chrono::steady_clock;

}  // namespace

BrokerLink::BrokerLink(BrokerLinkOptions options, Delivered on_delivery, Heard on_control)
    : options_(std::move(options)),
      topology_(options_.topology),
      on_delivery_(std::move(on_delivery)),
      on_control_(std::move(on_control)) {
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) throw std::runtime_error("amqp: eventfd failed");
}

BrokerLink::~BrokerLink() {
  {
    const std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  stopped_.notify_all();
  Wake();
  if (thread_.joinable()) thread_.join();
  std::deque<Command> left;
  {
    const std::lock_guard lock(mutex_);
    left.swap(commands_);
  }
  for (auto& command : left) {
    if (command.done) command.done(false);
  }
  ::close(wake_fd_);
}

void BrokerLink::Start() {
  thread_ = std::thread([this] { Run(); });
}

void BrokerLink::Wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(wake_fd_, &one, sizeof one);
}

void BrokerLink::Submit(Command command) {
  bool refused = false;
  {
    const std::lock_guard lock(mutex_);
    if (command.kind == Command::Kind::kPublish) {
      // Not connected: answered at once, not kept for a broker that may
      // not come back (see FailQueuedPublishes).
      refused = stopping_ || !connected_.load() || pending_ >= options_.max_pending;
      if (!refused) ++pending_;
    }
    if (!refused) commands_.push_back(std::move(command));
  }
  if (refused) {
    command.done(false);  // on the caller's thread, outside the lock
    return;
  }
  Wake();
}

BrokerStatus BrokerLink::Status() const {
  BrokerStatus status;
  status.connected = connected_.load();
  status.connections = connections_.load();
  status.dead_letters = dead_letters_.load();
  const std::lock_guard lock(mutex_);
  status.pending_publishes = pending_;
  return status;
}

void BrokerLink::Broadcast(std::string body) {
  Command command;
  command.kind = Command::Kind::kPublish;
  command.exchange = topology_.ControlExchange();
  command.body = std::move(body);
  command.done = [](bool) {};
  Submit(std::move(command));
}

void BrokerLink::Publish(std::string queue, std::string body, Confirmed done) {
  Command command;
  command.kind = Command::Kind::kPublish;
  command.queue = std::move(queue);
  command.body = std::move(body);
  command.done = std::move(done);
  Submit(std::move(command));
}

void BrokerLink::Ack(std::uint64_t epoch, std::uint64_t tag) {
  Command command;
  command.kind = Command::Kind::kAck;
  command.epoch = epoch;
  command.tag = tag;
  Submit(std::move(command));
}

void BrokerLink::Reject(std::uint64_t epoch, std::uint64_t tag, bool requeue) {
  Command command;
  command.kind = requeue ? Command::Kind::kRequeue : Command::Kind::kReject;
  command.epoch = epoch;
  command.tag = tag;
  Submit(std::move(command));
}

void BrokerLink::FailQueuedPublishes() {
  // While there is no connection nothing waits: a publish is answered false
  // now and its caller goes again later (the relay's row, the worker's
  // order), rather than waiting for a broker that may not come back.
  std::deque<Command> publishes;
  {
    const std::lock_guard lock(mutex_);
    for (auto it = commands_.begin(); it != commands_.end();) {
      if (it->kind == Command::Kind::kPublish) {
        publishes.push_back(std::move(*it));
        it = commands_.erase(it);
        --pending_;
      } else {
        ++it;
      }
    }
  }
  for (auto& command : publishes) command.done(false);
}

void BrokerLink::Run() {
  auto pause = options_.reconnect_first;
  for (std::uint64_t epoch = 1;; ++epoch) {
    {
      const std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    try {
      AmqpConnection connection(options_.uri, options_.heartbeat);
      topology_.Declare(connection);
      connection.EnableConfirms();
      if (options_.consume) {
        connection.Prefetch(options_.prefetch);
        connection.Consume(topology_.WorkQueue());
        if (on_control_) {
          // A queue of this connection's own: every instance hears every
          // control message, and none is left behind when it goes.
          const auto control = connection.DeclareExclusiveQueue();
          connection.Bind(control, topology_.ControlExchange(), "");
          connection.Consume(control, true);
        }
      }
      CountDeadLetters(connection);
      connected_ = true;
      epoch_ = epoch;
      ++connections_;
      pause = options_.reconnect_first;
      LogLine().Add("queue", topology_.WorkQueue()).Info("connected to RabbitMQ");
      Serve(connection, epoch);
      connected_ = false;
      epoch_ = 0;
      return;  // stopping
    } catch (const std::exception& error) {
      const bool was_connected = connected_.exchange(false);
      epoch_ = 0;
      LogLine()
          .Add("error", error.what())
          .Add("retry_ms", static_cast<std::int64_t>(pause.count()))
          .Warn(was_connected ? "lost the connection to RabbitMQ" : "cannot connect to RabbitMQ");
    } catch (...) {
      connected_ = false;
      epoch_ = 0;
      LogLine().Add("retry_ms", static_cast<std::int64_t>(pause.count())).Warn("lost the connection to RabbitMQ");
    }
    FailQueuedPublishes();
    std::unique_lock lock(mutex_);
    if (stopped_.wait_for(lock, pause, [this] { return stopping_; })) return;
    pause = std::min(pause * 2, options_.reconnect_max);
  }
}

void BrokerLink::CountDeadLetters(AmqpConnection& connection) {
  const auto count = static_cast<std::int64_t>(connection.CheckQueue(topology_.DeadLetterQueue()));
  const auto before = dead_letters_.exchange(count);
  if (count > 0 && count > before) {
    // Never silent: each rise is a line naming the way back.
    LogLine()
        .Add("queue", topology_.DeadLetterQueue())
        .Add("messages", count)
        .Error("orders wait in the RabbitMQ dead-letter queue: `gophermart requeue-dead-letters` puts them back");
  }
}

void BrokerLink::Serve(AmqpConnection& connection, std::uint64_t epoch) {
  std::map<std::uint64_t, Confirmed> unconfirmed;  // by sequence number
  std::deque<Command> batch;                       // taken from commands_, carried out in order
  auto last_heard = Clock::now();
  auto last_counted = Clock::now();
  const auto answer = [this](Confirmed& done, bool confirmed) {
    done(confirmed);
    const std::lock_guard lock(mutex_);
    --pending_;
  };
  const auto settle = [&](std::uint64_t sequence, bool multiple, bool ack) {
    const auto end = multiple ? unconfirmed.upper_bound(sequence) : unconfirmed.find(sequence);
    if (!multiple) {
      if (end == unconfirmed.end()) return;
      answer(end->second, ack);
      unconfirmed.erase(end);
      return;
    }
    for (auto it = unconfirmed.begin(); it != end; it = unconfirmed.erase(it)) answer(it->second, ack);
  };
  // What is not confirmed when the connection goes (or the link stops)
  // is answered false; acks of this connection are void with it.
  const auto fail_all = [&] {
    for (auto& [sequence, done] : unconfirmed) answer(done, false);
    unconfirmed.clear();
    for (auto& command : batch) {
      if (command.kind == Command::Kind::kPublish) answer(command.done, false);
    }
    batch.clear();
  };
  try {
    for (;;) {
      // The wake is taken before the commands: one submitted in between
      // wakes the next poll instead of waiting out its timeout.
      std::uint64_t drained = 0;
      [[maybe_unused]] const auto read = ::read(wake_fd_, &drained, sizeof drained);
      {
        const std::lock_guard lock(mutex_);
        if (stopping_) break;
        batch.swap(commands_);
      }
      while (!batch.empty()) {
        Command& command = batch.front();
        switch (command.kind) {
          case Command::Kind::kPublish: {
            const auto sequence = connection.Publish(command.exchange, command.queue, command.body);
            unconfirmed.emplace(sequence, std::move(command.done));
            break;
          }
          case Command::Kind::kAck:
            if (command.epoch == epoch) connection.Ack(command.tag);
            break;
          case Command::Kind::kReject:
          case Command::Kind::kRequeue:
            if (command.epoch == epoch) connection.Reject(command.tag, command.kind == Command::Kind::kRequeue);
            break;
        }
        batch.pop_front();
      }
      if (connection.HasBuffered()) {
        last_heard = Clock::now();
      } else {
        pollfd fds[2] = {{connection.Socket(), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
        if (::poll(fds, 2, kPollMs) > 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
          last_heard = Clock::now();
        }
      }
      // The broker sends a heartbeat at least every half interval when it
      // has nothing else to send; the library swallows them, but the socket
      // shows them. Silence for three intervals is a dead broker or network.
      if (options_.heartbeat.count() > 0 && Clock::now() - last_heard > 3 * options_.heartbeat) {
        throw AmqpError("amqp: nothing heard from the broker for three heartbeat intervals");
      }
      if (Clock::now() - last_counted >= options_.dead_letter_check) {
        // A call and its answer: what arrives meanwhile waits in the
        // library's queue for the reads below.
        CountDeadLetters(connection);
        last_counted = Clock::now();
        last_heard = last_counted;  // the broker answered (and its answer never shows on the socket below)
      }
      for (;;) {
        auto incoming = connection.Next(std::chrono::milliseconds(0));
        if (auto* delivery = std::get_if<Delivery>(&incoming)) {
          if (delivery->exchange == topology_.ControlExchange()) {
            on_control_(delivery->body);
          } else {
            on_delivery_(std::move(*delivery), epoch);
          }
        } else if (auto* confirm = std::get_if<Confirm>(&incoming)) {
          settle(confirm->sequence, confirm->multiple, confirm->ack);
        } else {
          break;
        }
      }
    }
  } catch (...) {
    fail_all();
    throw;
  }
  fail_all();
}

}  // namespace gm::infra::amqp
