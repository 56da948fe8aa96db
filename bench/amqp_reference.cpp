// The reference for the drain benchmark (bench/accrual_drain.py): what a
// bare client does on the same broker, through the same rabbitmq-c
// wrapper. Publishes N messages like the service's to a quorum queue like
// its work queue, persistent, with confirms (up to 1 000 unconfirmed at a
// time), then consumes them with prefetch 256 and one ack each. Prints
//   publish_per_s=<n> consume_per_s=<n>
// Usage: amqp_reference <amqp-uri> [messages (default 20000)]
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>
#include <unistd.h>

#include "infra/amqp/amqp_connection.hpp"

namespace {

using namespace gm::infra::amqp;
using Clock = std::chrono::steady_clock;
constexpr std::uint64_t kWindow = 1000;
constexpr std::uint16_t kPrefetch = 256;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: amqp_reference <amqp-uri> [messages]\n");
    return 2;
  }
  const std::string uri = argv[1];
  const std::uint64_t count = argc > 2 ? std::stoull(argv[2]) : 20000;
  const std::string queue = "gm-bench-reference-" + std::to_string(::getpid());
  try {
    AmqpConnection connection(uri, std::chrono::seconds(30));
    connection.DeclareQueue(queue, {{"x-queue-type", std::string("quorum")}});
    connection.EnableConfirms();

    const auto published_from = Clock::now();
    std::uint64_t sent = 0;
    std::uint64_t confirmed = 0;
    while (confirmed < count) {
      while (sent < count && sent - confirmed < kWindow) {
        connection.Publish("", queue, std::to_string(12345678903 + sent) + " 0");
        ++sent;
      }
      const auto incoming = connection.Next(std::chrono::milliseconds(sent < count ? 0 : 100));
      if (const auto* confirm = std::get_if<Confirm>(&incoming)) {
        if (!confirm->ack) throw AmqpError("amqp: the broker refused a publish");
        confirmed = confirm->multiple ? confirm->sequence : confirmed + 1;
      }
    }
    const double publish_seconds = Seconds(published_from);

    const auto consumed_from = Clock::now();
    connection.Prefetch(kPrefetch);
    connection.Consume(queue);
    std::uint64_t consumed = 0;
    while (consumed < count) {
      auto incoming = connection.Next(std::chrono::seconds(5));
      if (auto* delivery = std::get_if<Delivery>(&incoming)) {
        connection.Ack(delivery->tag);
        ++consumed;
      } else if (std::holds_alternative<std::monostate>(incoming)) {
        throw AmqpError("amqp: nothing delivered for 5 s");
      }
    }
    const double consume_seconds = Seconds(consumed_from);
    connection.DeleteQueue(queue);
    std::printf("publish_per_s=%.0f consume_per_s=%.0f\n", static_cast<double>(count) / publish_seconds,
                static_cast<double>(count) / consume_seconds);
  } catch (const AmqpError& error) {
    std::fprintf(stderr, "amqp_reference: %s\n", error.what());
    return 1;
  }
  return 0;
}
