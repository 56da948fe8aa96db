#include "infra/observability/metrics.hpp"

#include <array>
#include <atomic>
#include <cstdio>
#include <stdexcept>

#include "infra/observability/log.hpp"

namespace gm::infra {
namespace {

std::string Label(std::string_view name, std::string_view value) {
  std::string text(name);
  text += "=\"";
  for (const char c : value) {
    if (c == '"' || c == '\\') text += '\\';
    text += c == '\n' ? ' ' : c;
  }
  return text + "\"";
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.6g", value);
  return text;
}

// Whole numbers (counts, -1) as integers however large; the rest with
// millisecond precision.
std::string GaugeValue(double value) {
  char text[32];
  if (value == static_cast<double>(static_cast<std::int64_t>(value))) {
    std::snprintf(text, sizeof text, "%lld", static_cast<long long>(value));
  } else {
    std::snprintf(text, sizeof text, "%.3f", value);
  }
  return text;
}

// A method label from a fixed set: the client chooses the method, and each
// invented one would otherwise add a series to every scrape, forever.
constexpr std::array<std::string_view, 9> kMethods{"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                   "CONNECT", "OPTIONS", "TRACE", "PATCH"};

std::string_view MethodLabel(std::string_view method) {
  for (const std::string_view known : kMethods) {
    if (method == known) return known;
  }
  return "other";
}

}  // namespace

void Metrics::CountRequest(std::string_view route, std::string_view method, unsigned status, double seconds) {
  method = MethodLabel(method);
  static std::atomic<std::size_t> threads{0};
  thread_local const std::size_t shard_of_this_thread = threads.fetch_add(1) % kShards;
  auto& shard = shards_[shard_of_this_thread];
  std::lock_guard lock(shard.mutex);
  const auto key = std::tuple<std::string_view, std::string_view, unsigned>(route, method, status);
  auto counted = shard.requests.find(key);
  if (counted == shard.requests.end()) {
    counted = shard.requests.emplace(RequestKey(std::string(route), std::string(method), status), 0).first;
  }
  ++counted->second;
  auto latest = shard.latency.find(route);
  if (latest == shard.latency.end()) latest = shard.latency.emplace(std::string(route), Latency{}).first;
  auto& latency = latest->second;
  for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) {
    if (seconds <= kBucketsSeconds[i]) ++latency.buckets[i];
  }
  ++latency.count;
  latency.sum_seconds += seconds;
}

void Metrics::Count(std::string_view name, std::string_view label, std::string_view value) {
  std::lock_guard lock(mutex_);
  ++counters_[std::string(name)][Label(label, value)];
}

void Metrics::CheckRegistering(const std::string& name) const {
  if (rendered_.load()) throw std::logic_error("metrics: " + name + " registered after the first render");
}

std::string Metrics::Render() const {
  rendered_.store(true);
  std::map<RequestKey, std::uint64_t, KeyOrder> counted;
  std::map<std::string, Latency, std::less<>> histograms;
  for (const auto& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    for (const auto& [key, count] : shard.requests) counted[key] += count;
    for (const auto& [route, latency] : shard.latency) {
      auto& sum = histograms[route];
      for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) sum.buckets[i] += latency.buckets[i];
      sum.count += latency.count;
      sum.sum_seconds += latency.sum_seconds;
    }
  }
  std::unique_lock lock(mutex_);
  std::string out;
  const std::string requests = prefix_ + "_http_requests_total";
  out += "# HELP " + requests + " HTTP requests answered, by route pattern, method and status.\n";
  out += "# TYPE " + requests + " counter\n";
  for (const auto& [key, count] : counted) {
    const auto& [route, method, status] = key;
    out += requests + "{" + Label("route", route) + "," + Label("method", method) + "," +
           Label("status", std::to_string(status)) + "} " + std::to_string(count) + "\n";
  }
  const std::string duration = prefix_ + "_http_request_duration_seconds";
  out += "# HELP " + duration + " Time from a request's headers to its answer being written.\n";
  out += "# TYPE " + duration + " histogram\n";
  for (const auto& [route_name, latency] : histograms) {
    const std::string route = Label("route", route_name);
    for (std::size_t i = 0; i < kBucketsSeconds.size(); ++i) {
      out += duration + "_bucket{" + route + ",le=\"" + Number(kBucketsSeconds[i]) + "\"} " +
             std::to_string(latency.buckets[i]) + "\n";
    }
    out += duration + "_bucket{" + route + ",le=\"+Inf\"} " + std::to_string(latency.count) + "\n";
    out += duration + "_sum{" + route + "} " + Number(latency.sum_seconds) + "\n";
    out += duration + "_count{" + route + "} " + std::to_string(latency.count) + "\n";
  }
  for (const auto& [name, series] : counters_) {
    const std::string full = prefix_ + "_" + name;
    out += "# TYPE " + full + " counter\n";
    for (const auto& [labels, count] : series) out += full + "{" + labels + "} " + std::to_string(count) + "\n";
  }
  lock.unlock();
  for (const auto& family : families_) {
    const std::string full = prefix_ + "_" + family.name;
    out += "# HELP " + full + " " + family.help + "\n";
    out += "# TYPE " + full + " counter\n";
    for (std::size_t i = 0; i < family.values.size(); ++i) {
      out += full + "{" + Label(family.label, family.values[i]) + "} " + std::to_string(family.counts->Read(i)) + "\n";
    }
  }
  // Registered before the first render, so read without the lock: a
  // sampler may wait for the database, and Count() must not wait for it.
  for (const auto& read : samplers_) {
    std::vector<Sample> samples;
    try {
      samples = read();
    } catch (const std::exception& error) {
      LogLine().Add("error", error.what()).Warn("metrics: a gauge could not be read");
    }
    for (const auto& sample : samples) {
      const std::string full = prefix_ + "_" + sample.name;
      out += "# HELP " + full + " " + sample.help + "\n";
      out += "# TYPE " + full + " gauge\n";
      out += full + " " + GaugeValue(sample.value) + "\n";
    }
  }
  return out;
}

void Metrics::Gauge(std::string name, std::string help, std::function<std::int64_t()> read) {
  CheckRegistering(name);
  Gauges([name = std::move(name), help = std::move(help), read = std::move(read)] {
    return std::vector<Sample>{{name, help, static_cast<double>(read())}};
  });
}

CounterSet& Metrics::Counters(std::string name, std::string help, std::string label,
                             std::vector<std::string> values) {
  CheckRegistering(name);
  for (const auto& family : families_) {
    if (family.name == name) throw std::logic_error("metrics: " + name + " registered twice");
  }
  auto counts = std::make_unique<CounterSet>(values.size());
  auto& set = *counts;
  families_.push_back({std::move(name), std::move(help), std::move(label), std::move(values), std::move(counts)});
  return set;
}

void Metrics::Gauges(std::function<std::vector<Sample>()> read) {
  CheckRegistering("a gauge");
  samplers_.push_back(std::move(read));
}

}  // namespace gm::infra
