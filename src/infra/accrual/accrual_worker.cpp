#include "infra/accrual/accrual_worker.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <optional>
#include <random>
#include <vector>

#include "infra/accrual/accrual_client.hpp"
#include "infra/async.hpp"
#include "infra/observability/log.hpp"
#include "infra/observability/metrics.hpp"
#include "infra/time.hpp"

namespace gm::infra::accrual {
namespace {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
constexpr auto kNoThrow = asio::as_tuple(use_awaitable);

milliseconds Doubling(milliseconds first, milliseconds max, int attempts) {
  const int shift = std::clamp(attempts, 0, 20);
  return std::min(max, first * (std::int64_t{1} << shift));
}

}  // namespace

struct AccrualWorker::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, app::AsyncAccrualQueue& accrual_queue, app::CommandService& command_handlers,
       std::string url, AccrualWorkerOptions worker_options)
      : strand(asio::make_strand(io)),
        queue(accrual_queue),
        commands(command_handlers),
        base_url(std::move(url)),
        options(worker_options),
        random(std::random_device{}()) {}

  asio::strand<asio::io_context::executor_type> strand;
  app::AsyncAccrualQueue& queue;
  app::CommandService& commands;
  std::string base_url;
  AccrualWorkerOptions options;

  // Shared by all loops; touched only on the strand.
  Clock::time_point paused_until{};
  Clock::time_point next_request_at{};
  milliseconds spacing{0};  // 60 s / N once the accrual system has told us N
  Clock::time_point last_started{};
  std::size_t in_flight = 0;
  int faults_in_a_row = 0;  // whichever orders they came from; any other answer resets it
  Sleepers sleepers;
  std::minstd_rand random;

  awaitable<void> Sleep(asio::steady_timer& timer, Clock::duration duration) {
    co_await sleepers.Sleep(timer, duration);
  }

  milliseconds Jittered(milliseconds base) {
    std::uniform_int_distribution<std::int64_t> spread(base.count() / 2, base.count() * 3 / 2);
    return milliseconds(spread(random));
  }

  awaitable<void> Reschedule(const std::string& number, int attempts, milliseconds delay) {
    co_await queue.Reschedule(number, attempts, NowMs() + delay.count());
  }

  // Waits for the shared pause and pace, then takes a slot for one request.
  // Waits for the shared pause and pace, then takes a slot for one request.
  // A second request starts only when the one before has been out for
  // options.overlap_after: against a fast accrual system requests go one at
  // a time, so reaching its limit costs one 429, not one per loop in flight;
  // against a slow one, up to `concurrency` overlap.
  awaitable<void> WaitForTurn(asio::steady_timer& timer) {
    for (;;) {
      const auto now = Clock::now();
      auto ready_at = std::max(paused_until, next_request_at);
      if (in_flight > 0) ready_at = std::max(ready_at, last_started + options.overlap_after);
      if (ready_at <= now) break;
      co_await Sleep(timer, ready_at - now);
    }
    last_started = Clock::now();
    next_request_at = last_started + spacing;
    ++in_flight;
  }

  void RequestFinished() {
    --in_flight;
    sleepers.WakeAll();
  }

  // Holds a request slot taken by WaitForTurn until the answer arrives, or
  // hands it back unused.
  class Slot {
   public:
    explicit Slot(Impl& impl) : impl_(impl) {}
    // Only counts: waking other loops from a destructor could run while the
    // io_context tears every loop down at shutdown.
    ~Slot() {
      if (held_) --impl_.in_flight;
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    void Finish() {
      if (held_) impl_.RequestFinished();
      held_ = false;
    }
    void GiveBack() {
      impl_.next_request_at = std::min(impl_.next_request_at, Clock::now());
      Finish();
    }

   private:
    Impl& impl_;
    bool held_ = true;
  };

  void CountOutcome(AccrualReply::Kind kind) {
    if (options.metrics == nullptr) return;
    std::string_view outcome = "fault";
    switch (kind) {
      case AccrualReply::Kind::kResult:
        outcome = "result";
        break;
      case AccrualReply::Kind::kNotRegistered:
        outcome = "not_registered";
        break;
      case AccrualReply::Kind::kRateLimited:
        outcome = "rate_limited";
        break;
      case AccrualReply::Kind::kFault:
        break;
    }
    options.metrics->Count("accrual_polls_total", "outcome", outcome);
  }

  // A 429's pause and pace, for every loop. On the strand.
  void KeepTo(milliseconds retry_after, std::optional<int> requests_per_minute) {
    paused_until = std::max(paused_until, Clock::now() + retry_after);
    if (requests_per_minute && *requests_per_minute > 0) spacing = milliseconds(60'000 / *requests_per_minute + 1);
  }

  awaitable<void> Apply(const app::PendingOrder& order, const AccrualReply& reply) {
    CountOutcome(reply.kind);
    faults_in_a_row = reply.kind == AccrualReply::Kind::kFault ? faults_in_a_row + 1 : 0;
    switch (reply.kind) {
      case AccrualReply::Kind::kResult: {
        const domain::ApplyAccrualResult command{order.number, reply.status, reply.accrual, NowMs()};
        const auto applied = co_await commands.ApplyAccrualResult(command);
        if (!applied.HasValue()) {
          LogLine().Add("order", order.number).Error("accrual result refused by the order");
          co_await Reschedule(order.number, order.attempts + 1,
                              Jittered(Doubling(options.backoff_first, options.backoff_max, order.attempts)));
        } else if (reply.status == domain::AccrualStatus::kRegistered ||
                   reply.status == domain::AccrualStatus::kProcessing) {
          co_await Reschedule(order.number, order.attempts + 1,
                              Doubling(options.recheck_first, options.recheck_max, order.attempts));
        }
        co_await queue.Complete(order.number);  // the final status took it off the table in the same transaction
        co_return;
      }
      case AccrualReply::Kind::kNotRegistered:
        co_await Reschedule(order.number, order.attempts + 1,
                            Doubling(options.recheck_first, options.recheck_max, order.attempts));
        co_return;
      case AccrualReply::Kind::kRateLimited: {
        const auto retry_after = std::chrono::duration_cast<milliseconds>(reply.retry_after);
        KeepTo(retry_after, reply.requests_per_minute);
        if (options.on_rate_limited) options.on_rate_limited(retry_after, reply.requests_per_minute);
        LogLine()
            .Add("retry_after_s", static_cast<std::int64_t>(reply.retry_after.count()))
            .Add("requests_per_minute", static_cast<std::int64_t>(reply.requests_per_minute.value_or(0)))
            .Warn("accrual system rate limit: pausing all requests");
        co_await Reschedule(order.number, order.attempts, retry_after);
        co_return;
      }
      case AccrualReply::Kind::kFault: {
        // Every loop pauses too, doubling while faults follow each other: an
        // accrual system that is down or failing sees a trickle of requests,
        // not one per order in the queue.
        const auto pause = Jittered(Doubling(options.backoff_first, options.backoff_max, faults_in_a_row - 1));
        paused_until = std::max(paused_until, Clock::now() + pause);
        LogLine()
            .Add("order", order.number)
            .Add("fault", reply.fault)
            .Add("pause_ms", static_cast<std::int64_t>(pause.count()))
            .Warn("accrual system fault, backing off");
        co_await Reschedule(order.number, order.attempts + 1,
                            Jittered(Doubling(options.backoff_first, options.backoff_max, order.attempts)));
        co_return;
      }
    }
  }

  awaitable<void> Loop() {
    auto self = shared_from_this();
    AccrualClient client(strand, base_url);
    asio::steady_timer timer(strand);
    for (;;) {
      std::optional<std::string> in_hand;  // the order claimed, until it is settled
      bool failed = false;
      try {
        co_await WaitForTurn(timer);
        Slot slot(*this);
        const auto now = NowMs();
        const auto claimed = co_await queue.ClaimDue(now, now + options.lease.count(), 1);
        if (claimed.empty()) {
          slot.GiveBack();
          co_await Sleep(timer, options.idle_poll);
          continue;
        }
        in_hand = claimed.front().number;
        // A claim may wait (a broker's delivery): a 429 another loop met
        // meanwhile holds this request too.
        while (paused_until > Clock::now()) co_await Sleep(timer, paused_until - Clock::now());
        const AccrualReply reply = co_await client.Check(claimed.front().number);
        slot.Finish();
        co_await Apply(claimed.front(), reply);
      } catch (const std::exception& error) {
        LogLine().Add("error", error.what()).Error("accrual worker step failed");
        failed = true;
      }
      if (failed) {
        if (in_hand) co_await Abandoned(*in_hand);
        co_await Sleep(timer, options.backoff_first);
      }
    }
  }

  awaitable<void> Abandoned(const std::string& number) {
    try {
      co_await queue.Abandon(number);
    } catch (const std::exception& error) {
      LogLine().Add("order", number).Add("error", error.what()).Error("accrual worker could not give an order back");
    }
  }
};

AccrualWorker::AccrualWorker(asio::io_context& io, app::AsyncAccrualQueue& queue, app::CommandService& commands,
                             std::string base_url, AccrualWorkerOptions options)
    : impl_(std::make_shared<Impl>(io, queue, commands, std::move(base_url), options)) {}

AccrualWorker::~AccrualWorker() = default;

void AccrualWorker::Start() {
  for (std::size_t i = 0; i < impl_->options.concurrency; ++i) {
    asio::co_spawn(impl_->strand, impl_->Loop(), LogFailure("accrual worker loop failed"));
  }
}

void AccrualWorker::Nudge() {
  asio::post(impl_->strand, [impl = impl_] { impl->sleepers.WakeAll(); });
}

void AccrualWorker::Pause(std::chrono::milliseconds retry_after, std::optional<int> requests_per_minute) {
  // Loops asleep wake to their turn later; one about to ask sees the pause
  // in WaitForTurn or right after its claim.
  asio::post(impl_->strand, [impl = impl_, retry_after, requests_per_minute] {
    impl->KeepTo(retry_after, requests_per_minute);
  });
}

}  // namespace gm::infra::accrual
