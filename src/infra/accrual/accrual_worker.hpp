#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "app/command_service.hpp"
#include "app/ports.hpp"

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace gm::infra {
class Metrics;
}  // namespace gm::infra

namespace gm::infra::accrual {

struct AccrualWorkerOptions {
  std::size_t concurrency = 4;                    // requests in flight to the accrual system, at most
  // Loops, each an order at a time from its claim to its commit: enough
  // that the database's round trips (claim, commit, a broker's pending
  // check) overlap while the requests go one after another.
  std::size_t loops = 64;
  std::size_t claim_batch = 8;                    // orders a loop claims at once (a broker's queue gives one)
  std::chrono::milliseconds lease{30'000};        // how long a claimed order stays hidden
  std::chrono::milliseconds idle_poll{500};       // queue poll when nothing is due (uploads nudge sooner)
  std::chrono::milliseconds recheck_first{250};   // 204 / REGISTERED / PROCESSING: first re-check...
  std::chrono::milliseconds recheck_max{30'000};  //   ...doubling up to this
  std::chrono::milliseconds retry_first{100};     // a fault: the order's first back-off...
  std::chrono::milliseconds backoff_first{500};   // the accrual system failing as a whole: every loop's first pause...
  std::chrono::milliseconds backoff_max{60'000};  //   ...each doubling up to this, with jitter
  // The accrual system counts as failing as a whole (a circuit breaker)
  // when its last `breaker_streak` answers were faults and faults make
  // `breaker_share` of its last `breaker_window`.
  int breaker_streak = 5;
  std::size_t breaker_window = 20;
  double breaker_share = 0.8;
  std::chrono::milliseconds overlap_after{50};    // a request out this long lets the next start alongside
  Metrics* metrics = nullptr;                     // counts answers by outcome when set
  // Told of each 429 met here (to tell the other instances): how long the
  // accrual system asked to wait, and its limit when it said it.
  std::function<void(std::chrono::milliseconds retry_after, std::optional<int> requests_per_minute)> on_rate_limited;
};

// Drains the accrual queue: polls the accrual system for each pending order
// until it reaches a final status and applies each answer through the
// event-sourced commands, with no thread waiting for the database. Many
// loops each take an order from its claim to its commit, so the database's
// round trips overlap, while at most `concurrency` requests are out at
// once and, against a fast accrual system, one at a time. All loops share
// one pause, so a 429 stops every request until Retry-After (and, told by
// Pause, on every instance), and one pace once the limit is known. A fault
// (5xx, garbage, refused, timed out) pauses them all too, doubling while
// faults follow each other.
class AccrualWorker {
 public:
  AccrualWorker(boost::asio::io_context& io, app::AsyncAccrualQueue& queue, app::CommandService& commands,
                std::string base_url, AccrualWorkerOptions options = {});
  ~AccrualWorker();
  AccrualWorker(const AccrualWorker&) = delete;
  AccrualWorker& operator=(const AccrualWorker&) = delete;

  void Start();
  // Wakes idle loops: an order was just uploaded. Thread-safe.
  void Nudge();
  // A 429 another instance met: every request here waits too, and keeps
  // to the limit when one is given. Thread-safe.
  void Pause(std::chrono::milliseconds retry_after, std::optional<int> requests_per_minute);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gm::infra::accrual
