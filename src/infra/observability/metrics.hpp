#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace gm::infra {

// Counters and request-latency histograms, rendered in the Prometheus text
// format. Labels come from bounded sets (route patterns, status codes,
// outcome names), never from raw client input. Counting and rendering are
// thread-safe; registering (Counters, Gauge, Gauges) is for start-up, before
// the first render, each name once: later it throws std::logic_error.
// Counters over a fixed set of label values, named when registered: each
// is shown from 0, and counting one is an atomic add (no lock, no string).
class CounterSet {
 public:
  explicit CounterSet(std::size_t values) : counts_(std::make_unique<std::atomic<std::uint64_t>[]>(values)) {}
  // Adds one to the value at `index` in the registered list.
  void Add(std::size_t index) { counts_[index].fetch_add(1, std::memory_order_relaxed); }
  [[nodiscard]] std::uint64_t Read(std::size_t index) const { return counts_[index].load(std::memory_order_relaxed); }

 private:
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;
};

class Metrics {
 public:
  explicit Metrics(std::string prefix) : prefix_(std::move(prefix)) {}

  void CountRequest(std::string_view route, std::string_view method, unsigned status, double seconds);
  // Adds one to the counter `name` with one label, e.g. ("accrual_polls_total", "outcome", "fault").
  void Count(std::string_view name, std::string_view label, std::string_view value);
  // A counter `name`{`label`=each of `values`}, e.g. ("events_appended_total",
  // "type", {"user_registered.v1", …}). Register before the first render;
  // the set lives as long as this object.
  CounterSet& Counters(std::string name, std::string help, std::string label, std::vector<std::string> values);

  // A value read each time the metrics are rendered, e.g. ("broker_connected",
  // "1 while the link to RabbitMQ is up", read). `read` must be thread-safe
  // and outlive this object's renders.
  void Gauge(std::string name, std::string help, std::function<std::int64_t()> read);

  // Several gauges read at once each render, e.g. from one query. A read
  // may block (Render then runs off the event loops) and may throw: its
  // gauges are left out of that render and the error logged. Register
  // before the first render.
  struct Sample {
    std::string name;
    std::string help;
    double value = 0;
  };
  void Gauges(std::function<std::vector<Sample>()> read);

  [[nodiscard]] std::string Render() const;

 private:
  static constexpr std::array<double, 9> kBucketsSeconds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5};

  struct Latency {
    std::array<std::uint64_t, kBucketsSeconds.size()> buckets{};
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  // (route, method, status); looked up without building strings, labels
  // rendered only by Render().
  using RequestKey = std::tuple<std::string, std::string, unsigned>;
  struct KeyOrder {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const {
      return std::tuple<std::string_view, std::string_view, unsigned>(std::get<0>(a), std::get<1>(a), std::get<2>(a)) <
             std::tuple<std::string_view, std::string_view, unsigned>(std::get<0>(b), std::get<1>(b), std::get<2>(b));
    }
  };

  // Request counts, in shards: each thread counts into its own (by the
  // order threads first count), so the event loops never wait for or
  // bounce one lock between them; Render() adds the shards up.
  struct alignas(64) RequestShard {
    mutable std::mutex mutex;
    std::map<RequestKey, std::uint64_t, KeyOrder> requests;
    std::map<std::string, Latency, std::less<>> latency;  // route -> histogram
  };
  static constexpr std::size_t kShards = 8;

  std::string prefix_;
  std::array<RequestShard, kShards> shards_;
  mutable std::mutex mutex_;                                              // guards counters_
  std::map<std::string, std::map<std::string, std::uint64_t>> counters_;  // name -> labels -> count
  std::vector<std::function<std::vector<Sample>()>> samplers_;  // called without mutex_ held
  struct CounterFamily {
    std::string name;
    std::string help;
    std::string label;
    std::vector<std::string> values;
    std::unique_ptr<CounterSet> counts;
  };
  std::vector<CounterFamily> families_;  // registered before the first render
  mutable std::atomic<bool> rendered_{false};
  void CheckRegistering(const std::string& name) const;
};

}  // namespace gm::infra
