#include "accrual/calculator.hpp"

#include "infra/async.hpp"
#include "infra/observability/log.hpp"

namespace gm::accrual {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

constexpr std::size_t kBatchSize = 100;
constexpr std::chrono::milliseconds kIdlePoll{500};

}  // namespace

struct Calculator::Impl : std::enable_shared_from_this<Impl> {
  Impl(asio::io_context& io, asio::thread_pool& database_lane, AccrualStore& accrual_store,
       std::chrono::milliseconds delay)
      : strand(asio::make_strand(io)), lane(database_lane), store(accrual_store), processing_delay(delay) {}

  asio::strand<asio::io_context::executor_type> strand;
  asio::thread_pool& lane;
  AccrualStore& store;
  std::chrono::milliseconds processing_delay;
  infra::Sleepers sleepers;

  void Calculate(const std::vector<PendingCalculation>& batch) {
    const auto rules = store.Rules();
    for (const auto& order : batch) {
      const auto accrual = CalculateAccrual(order.goods, rules);
      if (accrual) {
        store.FinishCalculation(order.number, OrderStatus::kProcessed, accrual.Value());
      } else {
        store.FinishCalculation(order.number, OrderStatus::kInvalid, {});
      }
    }
  }

  awaitable<void> Loop() {
    auto self = shared_from_this();
    asio::steady_timer timer(strand);
    for (;;) {
      bool failed = false;
      try {
        const auto batch = co_await infra::RunOn(lane.get_executor(), [this] { return store.StartCalculations(kBatchSize); });
        if (batch.empty()) {
          co_await sleepers.Sleep(timer, kIdlePoll);
          continue;
        }
        if (processing_delay.count() > 0) {
          timer.expires_after(processing_delay);
          co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        }
        co_await infra::RunOn(lane.get_executor(), [this, &batch] {
          Calculate(batch);
          return true;
        });
      } catch (const std::exception& error) {
        infra::LogLine().Add("error", error.what()).Error("calculation failed");
        failed = true;
      }
      if (failed) co_await sleepers.Sleep(timer, kIdlePoll);
    }
  }
};

Calculator::Calculator(asio::io_context& io, asio::thread_pool& lane, AccrualStore& store,
                       std::chrono::milliseconds processing_delay)
    : impl_(std::make_shared<Impl>(io, lane, store, processing_delay)) {}

Calculator::~Calculator() = default;

void Calculator::Start() {
  impl_->store.RestartInterruptedCalculations();
  asio::co_spawn(impl_->strand, impl_->Loop(), infra::LogFailure("accrual calculator loop failed"));
}

void Calculator::Nudge() {
  asio::post(impl_->strand, [impl = impl_] { impl->sleepers.WakeAll(); });
}

}  // namespace gm::accrual
