#include "infra/observability/metrics.hpp"

#include <cstdio>

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

}  // namespace

void Metrics::CountRequest(std::string_view route, std::string_view method, unsigned status, double seconds) {
  std::lock_guard lock(mutex_);
  const auto key = std::tuple<std::string_view, std::string_view, unsigned>(route, method, status);
  auto counted = requests_.find(key);
  if (counted == requests_.end()) {
    counted = requests_.emplace(RequestKey(std::string(route), std::string(method), status), 0).first;
  }
  ++counted->second;
  auto latest = latency_.find(route);
  if (latest == latency_.end()) latest = latency_.emplace(std::string(route), Latency{}).first;
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

std::string Metrics::Render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  const std::string requests = prefix_ + "_http_requests_total";
  out += "# HELP " + requests + " HTTP requests answered, by route pattern, method and status.\n";
  out += "# TYPE " + requests + " counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [route, method, status] = key;
    out += requests + "{" + Label("route", route) + "," + Label("method", method) + "," +
           Label("status", std::to_string(status)) + "} " + std::to_string(count) + "\n";
  }
  const std::string duration = prefix_ + "_http_request_duration_seconds";
  out += "# HELP " + duration + " Time from a request's headers to its answer being written.\n";
  out += "# TYPE " + duration + " histogram\n";
  for (const auto& [route_name, latency] : latency_) {
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
  return out;
}

}  // namespace gm::infra
