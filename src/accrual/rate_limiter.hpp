#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gm::accrual {

// At most `per_minute` requests per client in each fixed one-minute window,
// the window starting at the client's first request. Thread-safe.
class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  explicit RateLimiter(int per_minute) : per_minute_(per_minute) {}

  struct Decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: until the window ends, rounded up
  };

  Decision Admit(const std::string& client, Clock::time_point now);
  [[nodiscard]] int PerMinute() const { return per_minute_; }

 private:
  struct Window {
    Clock::time_point start;
    int count = 0;
  };

  // Forgets windows that ended, so a stream of new clients cannot grow the map forever.
  void ForgetEndedWindows(Clock::time_point now);

  static constexpr std::chrono::seconds kWindow{60};
  static constexpr std::size_t kPruneAbove = 10'000;

  int per_minute_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace gm::accrual
