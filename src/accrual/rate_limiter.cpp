#include "accrual/rate_limiter.hpp"

namespace gm::accrual {

RateLimiter::Decision RateLimiter::Admit(const std::string& client, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (windows_.size() > kPruneAbove) ForgetEndedWindows(now);
  auto& window = windows_[client];
  if (window.count == 0 || now - window.start >= kWindow) window = {now, 0};
  if (window.count < per_minute_) {
    ++window.count;
    return {};
  }
  const auto left = window.start + kWindow - now;
  return {false, std::chrono::ceil<std::chrono::seconds>(left)};
}

void RateLimiter::ForgetEndedWindows(Clock::time_point now) {
  std::erase_if(windows_, [&](const auto& entry) { return now - entry.second.start >= kWindow; });
}

}  // namespace gm::accrual
