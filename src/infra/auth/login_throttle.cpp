#include "infra/auth/login_throttle.hpp"

#include <algorithm>

namespace gm::infra {

LoginThrottle::Clock::time_point LoginThrottle::Until(Keys& keys, std::string_view key, Clock::time_point now) {
  const auto found = keys.failures.find(std::string(key));
  if (found == keys.failures.end()) return {};
  if (now - found->second.last >= options_.forget_after) {
    keys.ages.erase(found->second.age);
    keys.failures.erase(found);
    return {};
  }
  return found->second.until;
}

void LoginThrottle::Fail(Keys& keys, std::string_view key, int burst, Clock::time_point now) {
  auto [found, inserted] = keys.failures.try_emplace(std::string(key));
  Failures& failures = found->second;
  if (inserted) {
    failures.age = keys.ages.insert(keys.ages.end(), found->first);
  } else {
    keys.ages.splice(keys.ages.end(), keys.ages, failures.age);  // now the youngest
    if (now - failures.last >= options_.forget_after) failures.count = 0;
  }
  failures.last = now;
  ++failures.count;
  if (failures.count > burst) {
    const int doublings = std::min(failures.count - burst - 1, 30);
    const auto wait = std::min(options_.first_wait * (std::int64_t{1} << doublings), options_.max_wait);
    failures.until = now + wait;
  }
  while (keys.failures.size() > options_.max_keys) {
    keys.failures.erase(keys.ages.front());
    keys.ages.pop_front();
  }
}

std::chrono::milliseconds LoginThrottle::Wait(std::string_view login, std::string_view address,
                                              Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto until = std::max(Until(logins_, login, now), Until(addresses_, address, now));
  if (until <= now) return std::chrono::milliseconds{0};
  return std::chrono::ceil<std::chrono::milliseconds>(until - now);
}

void LoginThrottle::Failed(std::string_view login, std::string_view address, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  Fail(logins_, login, options_.login_burst, now);
  Fail(addresses_, address, options_.address_burst, now);
}

void LoginThrottle::Succeeded(std::string_view login) {
  const std::lock_guard lock(mutex_);
  const auto found = logins_.failures.find(std::string(login));
  if (found == logins_.failures.end()) return;
  logins_.ages.erase(found->second.age);
  logins_.failures.erase(found);
}

}  // namespace gm::infra
