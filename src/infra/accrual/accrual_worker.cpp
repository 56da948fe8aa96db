#include "infra/accrual/accrual_worker.hpp"

#include <algorithm>
#include <boost/asio.hpp>
#include <deque>
#include <utility>
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
constexpr std::chrono::seconds kIdleLongest{60};  // an idle loop not woken claims again after this
constexpr std::chrono::seconds kLeaseMargin{2};   // a claimed order this close to its lease's end is given back
// A rate limit's minute, with a margin for the server's clock and rounding.
constexpr auto kMinute = std::chrono::seconds(60) + milliseconds(100);
constexpr std::size_t kRememberedSends = 4096;

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
        random(std::random_device{}()) {
    // One kept-alive connection per request that may be in flight, shared
    // by the loops.
    for (std::size_t i = 0; i < options.concurrency; ++i) {
      idle_clients.push_back(std::make_unique<AccrualClient>(strand, base_url));
    }
  }

  asio::strand<asio::io_context::executor_type> strand;
  app::AsyncAccrualQueue& queue;
  app::CommandService& commands;
  std::string base_url;
  AccrualWorkerOptions options;

  // Shared by all loops; touched only on the strand.
  Clock::time_point paused_until{};
  Clock::time_point next_request_at{};
  milliseconds spacing{0};  // 60 s / N once the accrual system has told us N
  std::optional<int> per_minute;  // N, once told
  // When the latest requests went out (at most kRememberedSends): once N is
  // known, no request goes out while N went out in the last minute, so no
  // 60-second span holds more than N, whatever window the server counts.
  std::deque<Clock::time_point> sent;
  Clock::time_point last_started{};
  std::size_t in_flight = 0;
  int faults_in_a_row = 0;  // whichever orders they came from; any other answer resets it
  std::deque<bool> recent;  // the last breaker_window answers: true for a fault
  int pauses_in_a_row = 0;  // the breaker's, doubling; any answer not a fault resets it
  Sleepers idle;          // loops with nothing to claim: an upload wakes one
  bool someone_polls = false;  // one of them looks again after idle_poll (see Idle)
  Sleepers turn_waiters;  // loops with an order, waiting for their turn to ask
  std::vector<std::unique_ptr<AccrualClient>> idle_clients;  // the clients no request holds
  std::minstd_rand random;

  // A wait nothing cuts short (a back-off, a pause).
  static awaitable<void> Sleep(asio::steady_timer& timer, Clock::duration duration) {
    timer.expires_after(duration);
    co_await timer.async_wait(kNoThrow);
  }

  milliseconds Jittered(milliseconds base) {
    std::uniform_int_distribution<std::int64_t> spread(base.count() / 2, base.count() * 3 / 2);
    return milliseconds(spread(random));
  }

  awaitable<void> Reschedule(const std::string& number, int attempts, milliseconds delay) {
    co_await queue.Reschedule(number, attempts, NowMs() + delay.count());
  }

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
      if (per_minute && static_cast<std::size_t>(*per_minute) <= sent.size()) {
        ready_at = std::max(ready_at, sent[sent.size() - static_cast<std::size_t>(*per_minute)] + kMinute);
      }
      if (ready_at <= now && in_flight < options.concurrency) break;
      // A request that finishes wakes one waiter early: only one can go.
      co_await turn_waiters.Sleep(timer, ready_at > now ? ready_at - now : options.overlap_after);
    }
    last_started = Clock::now();
    next_request_at = last_started + spacing;
    sent.push_back(last_started);
    if (sent.size() > kRememberedSends) sent.pop_front();
    ++in_flight;
  }

  void RequestFinished() {
    --in_flight;
    turn_waiters.WakeOne();
  }

  // Holds a request slot taken by WaitForTurn, and one of the clients,
  // until the answer arrives.
  class Slot {
   public:
    explicit Slot(Impl& impl) : impl_(impl), client_(std::move(impl.idle_clients.back())) {
      impl.idle_clients.pop_back();  // WaitForTurn lets fewer than `concurrency` hold one
    }
    // Only counts: waking other loops from a destructor could run while the
    // io_context tears every loop down at shutdown.
    ~Slot() {
      if (held_) --impl_.in_flight;
      GiveClientBack();
    }
    Slot(const Slot&) = delete;
    Slot& operator=(const Slot&) = delete;
    AccrualClient& Client() { return *client_; }
    void Finish() {
      GiveClientBack();
      if (held_) impl_.RequestFinished();
      held_ = false;
    }

   private:
    void GiveClientBack() {
      if (client_) impl_.idle_clients.push_back(std::move(client_));
    }

    Impl& impl_;
    std::unique_ptr<AccrualClient> client_;
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
    if (requests_per_minute && *requests_per_minute > 0) {
      spacing = milliseconds(60'000 / *requests_per_minute + 1);
      // Past what is remembered, the spacing alone keeps to the limit.
      per_minute = static_cast<std::size_t>(*requests_per_minute) <= kRememberedSends
                       ? std::optional<int>(*requests_per_minute)
                       : std::nullopt;
    }
  }

  // The breaker: the last few answers all faults, and faults most of the
  // recent ones.
  [[nodiscard]] bool FailingAsAWhole() const {
    if (faults_in_a_row < options.breaker_streak) return false;
    const auto faults = std::count(recent.begin(), recent.end(), true);
    return static_cast<double>(faults) >= options.breaker_share * static_cast<double>(recent.size());
  }

  awaitable<void> Apply(const app::PendingOrder& order, const AccrualReply& reply) {
    CountOutcome(reply.kind);
    const bool fault = reply.kind == AccrualReply::Kind::kFault;
    faults_in_a_row = fault ? faults_in_a_row + 1 : 0;
    if (!fault) pauses_in_a_row = 0;
    recent.push_back(fault);
    if (recent.size() > options.breaker_window) recent.pop_front();
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
        // The order backs off on its own faults. Every loop pauses only when
        // the accrual system fails as a whole (the breaker): one that is down
        // sees a trickle of requests, one that fails now and then costs the
        // orders it failed a short wait each, not everyone a long one.
        auto line = LogLine();
        line.Add("order", order.number).Add("fault", reply.fault);
        if (FailingAsAWhole()) {
          const auto pause = Jittered(Doubling(options.backoff_first, options.backoff_max, pauses_in_a_row++));
          paused_until = std::max(paused_until, Clock::now() + pause);
          line.Add("pause_ms", static_cast<std::int64_t>(pause.count()))
              .Warn("accrual system failing: pausing every request");
        } else {
          line.Warn("accrual system fault: the order backs off");
        }
        co_await Reschedule(order.number, order.attempts + 1,
                            Jittered(Doubling(options.retry_first, options.backoff_max, order.attempts)));
        co_return;
      }
    }
  }

  awaitable<void> Loop() {
    auto self = shared_from_this();
    asio::steady_timer timer(strand);
    // Claimed a few at a time, then asked one by one: the claim's round trip
    // to the database is paid once per batch, and outside the request slot,
    // so it never holds up another loop's request.
    std::deque<std::pair<app::PendingOrder, domain::TimeMs>> claimed;  // with the end of its lease
    for (;;) {
      std::optional<std::string> in_hand;  // the order being asked about, until it is settled
      bool failed = false;
      try {
        if (claimed.empty()) {
          co_await WaitForPause(timer);  // claiming while paused would only use up the leases
          const auto now = NowMs();
          const auto lease_until = now + options.lease.count();
          // One at a time once a pace is known: a batch would wait out its lease.
          const std::size_t batch = spacing.count() > 0 ? 1 : options.claim_batch;
          auto taken = co_await queue.ClaimDue(now, lease_until, batch);
          if (taken.empty()) {
            co_await Idle(timer);
            continue;
          }
          idle.WakeOne();  // there may be more: another loop claims too, and so on while claims find some
          for (auto& order : taken) claimed.emplace_back(std::move(order), lease_until);
        }
        const app::PendingOrder order = std::move(claimed.front().first);
        const domain::TimeMs lease_until = claimed.front().second;
        claimed.pop_front();
        in_hand = order.number;
        co_await WaitForTurn(timer);
        Slot slot(*this);
        if (NowMs() + kLeaseMargin.count() >= lease_until) {
          // It waited out most of its lease (a pause, a slow accrual system):
          // another claimer may have it by now. Given back, not asked twice;
          // and no request went out (the send time WaitForTurn just noted
          // is the last one: nothing ran in between).
          if (!sent.empty()) sent.pop_back();
          slot.Finish();
          in_hand.reset();
          co_await Abandoned(order.number);
          continue;
        }
        const AccrualReply reply = co_await slot.Client().Check(order.number);
        slot.Finish();
        co_await Apply(order, reply);
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

  // After a claim that found nothing: one idle loop claims again after
  // idle_poll; the others wait to be woken, by an upload or by a claim
  // that found some (or after kIdleLongest), so that an idle service makes
  // one claim per idle_poll, not one per loop.
  awaitable<void> Idle(asio::steady_timer& timer) {
    if (someone_polls) {
      co_await idle.Sleep(timer, kIdleLongest);
      co_return;
    }
    someone_polls = true;
    struct Done {
      bool& polls;
      ~Done() { polls = false; }
    } done{someone_polls};
    co_await idle.Sleep(timer, options.idle_poll);
  }

  awaitable<void> WaitForPause(asio::steady_timer& timer) {
    while (paused_until > Clock::now()) co_await Sleep(timer, paused_until - Clock::now());
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
  for (std::size_t i = 0; i < impl_->options.loops; ++i) {
    asio::co_spawn(impl_->strand, impl_->Loop(), LogFailure("accrual worker loop failed"));
  }
}

void AccrualWorker::Nudge() {
  // One order more: one idle loop claims it (and whatever else is due), not
  // every loop a claim transaction of its own.
  asio::post(impl_->strand, [impl = impl_] { impl->idle.WakeOne(); });
}

void AccrualWorker::Pause(std::chrono::milliseconds retry_after, std::optional<int> requests_per_minute) {
  // Loops asleep wake to their turn later; one about to ask sees the pause
  // in WaitForTurn or right after its claim.
  asio::post(impl_->strand, [impl = impl_, retry_after, requests_per_minute] {
    impl->KeepTo(retry_after, requests_per_minute);
  });
}

}  // namespace gm::infra::accrual
