#include "infra/time.hpp"

#include <chrono>
#include <ctime>

namespace gm::infra {

domain::TimeMs NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::string FormatRfc3339(domain::TimeMs time) {
  const std::time_t seconds = static_cast<std::time_t>(time / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t length = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S+00:00", &utc);
  return {text, length};
}

}  // namespace gm::infra
