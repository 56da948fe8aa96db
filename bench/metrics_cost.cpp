// What counting a request costs: our hand-written metrics
// (infra/observability/metrics.hpp) beside prometheus-cpp 1.0.1 (Debian's
// prometheus-cpp-dev) doing the same work, in the same run: per request, one
// counter by route, method and status, and one latency histogram by route;
// and one render of what 8 routes x 5 statuses made. Each on 1 and 2
// threads (the service counts on both event loops). Prints ns per request.
// Built only when prometheus-cpp is installed; bench/metrics_cost.py
// installs it, builds and runs this.
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "infra/observability/metrics.hpp"

namespace {

constexpr int kRequests = 2'000'000;  // per thread
const std::array<std::string, 8> kRoutes{"/api/user/register", "/api/user/login", "/api/user/orders",
                                         "/api/user/balance", "/api/user/balance/withdraw",
                                         "/api/user/withdrawals", "/api/user/balance/history", "/api/user/events"};
constexpr std::array<unsigned, 5> kStatuses{200, 202, 204, 401, 409};

// Wall-clock ns per request of one thread, with `threads` counting at once.
template <class Count>
double NsPerRequest(int threads, Count count) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> running;
  for (int t = 0; t < threads; ++t) {
    running.emplace_back([&count, t] {
      for (int i = 0; i < kRequests; ++i) count(i + t);
    });
  }
  for (auto& thread : running) thread.join();
  const std::chrono::duration<double, std::nano> took = std::chrono::steady_clock::now() - started;
  return took.count() / kRequests;  // wall time per request of one thread
}

template <class Render>
double RenderMicroseconds(Render render) {
  const auto started = std::chrono::steady_clock::now();
  std::size_t bytes = 0;
  for (int i = 0; i < 100; ++i) bytes += render().size();
  const std::chrono::duration<double, std::micro> took = std::chrono::steady_clock::now() - started;
  return bytes > 0 ? took.count() / 100 : 0;
}

}  // namespace

int main() {
  const std::vector<double> buckets{0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5};
  std::printf("| counting | 1 thread, ns/request | 2 threads, ns/request | render, us |\n|---|---|---|---|\n");
  {
    gm::infra::Metrics ours("bench");
    const auto count = [&ours](int i) {
      ours.CountRequest(kRoutes[i % kRoutes.size()], "GET", kStatuses[i % kStatuses.size()], 0.0004);
    };
    const double one = NsPerRequest(1, count);
    const double two = NsPerRequest(2, count);
    std::printf("| ours (hand-written, sharded maps) | %.0f | %.0f | %.0f |\n", one, two,
                RenderMicroseconds([&ours] { return ours.Render(); }));
  }
  {
    prometheus::Registry registry;
    auto& requests = prometheus::BuildCounter().Name("bench_http_requests_total").Help("h").Register(registry);
    auto& durations =
        prometheus::BuildHistogram().Name("bench_http_request_duration_seconds").Help("h").Register(registry);
    const auto count = [&](int i) {
      const std::string& route = kRoutes[i % kRoutes.size()];
      requests.Add({{"route", route}, {"method", "GET"}, {"status", std::to_string(kStatuses[i % kStatuses.size()])}})
          .Increment();
      durations.Add({{"route", route}}, buckets).Observe(0.0004);
    };
    const double one = NsPerRequest(1, count);
    const double two = NsPerRequest(2, count);
    const prometheus::TextSerializer serializer;
    std::printf("| prometheus-cpp 1.0.1 (labels looked up per request) | %.0f | %.0f | %.0f |\n", one, two,
                RenderMicroseconds([&] { return serializer.Serialize(registry.Collect()); }));
  }
  return 0;
}
