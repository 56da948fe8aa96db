#include "app/command_support.hpp"

#include <algorithm>
#include <iterator>
#include <random>

namespace gm::app {

std::vector<StreamAppend> ToAppends(const std::vector<domain::Event>& events,
                                    const std::map<std::string, std::int64_t>& read_versions) {
  std::vector<StreamAppend> appends;
  for (const auto& event : events) {
    std::string stream = domain::StreamOf(event);
    auto it = std::find_if(appends.begin(), appends.end(), [&](const auto& a) { return a.stream == stream; });
    if (it == appends.end()) {
      const auto version = read_versions.find(stream);
      appends.push_back({stream, version == read_versions.end() ? kAnyVersion : version->second, {}});
      it = std::prev(appends.end());
    }
    it->events.push_back(event);
  }
  return appends;
}

std::chrono::microseconds BackOffDelay(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const int ceiling_us = 50 * std::min(attempt + 1, 20);
  return std::chrono::microseconds(std::uniform_int_distribution<int>(0, ceiling_us)(random));
}

}  // namespace gm::app
