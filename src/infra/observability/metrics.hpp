#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace gm::infra {

// Counters and request-latency histograms, rendered in the Prometheus text
// format. Labels come from bounded sets (route patterns, status codes,
// outcome names), never from raw client input. Thread-safe.
class Metrics {
 public:
  explicit Metrics(std::string prefix) : prefix_(std::move(prefix)) {}

  void CountRequest(std::string_view route, std::string_view method, unsigned status, double seconds);
  // Adds one to the counter `name` with one label, e.g. ("accrual_polls_total", "outcome", "fault").
  void Count(std::string_view name, std::string_view label, std::string_view value);

  [[nodiscard]] std::string Render() const;

 private:
  static constexpr std::array<double, 9> kBucketsSeconds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5};

  struct Latency {
    std::array<std::uint64_t, kBucketsSeconds.size()> buckets{};
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  std::string prefix_;
  mutable std::mutex mutex_;
  std::map<std::string, std::uint64_t> requests_;                         // rendered label set -> count
  std::map<std::string, Latency> latency_;                                // route label -> histogram
  std::map<std::string, std::map<std::string, std::uint64_t>> counters_;  // name -> labels -> count
};

}  // namespace gm::infra
