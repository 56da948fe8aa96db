#include "infra/auth/login_throttle.hpp"

#include <algorithm>

namespace gm::infra {

LoginThrottle::Clock::time_point LoginThrottle::Until(Keys& keys, std::string_view key, Clock::time_point now) {
  const auto found = keys.failures.find(std::string(key));
  if (found == keys.failures.end()) return {};
  if (now - found->second.last >= options_.forget_after) {
    Forget(keys, found);
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

void LoginThrottle::Forget(Keys& keys, std::unordered_map<std::string, Failures>::iterator found) {
  keys.ages.erase(found->second.age);
  keys.failures.erase(found);
}

bool LoginThrottle::Busy(Keys& keys, std::string_view key, int burst) {
  const auto found = keys.failures.find(std::string(key));
  return found != keys.failures.end() && found->second.count >= burst && found->second.checking > 0;
}

void LoginThrottle::Settle(Keys& keys, std::string_view key) {
  const auto found = keys.failures.find(std::string(key));
  if (found != keys.failures.end() && found->second.checking > 0) --found->second.checking;
}

std::chrono::milliseconds LoginThrottle::Attempt(std::string_view login, std::string_view address,
                                                 Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  const auto until = std::max(Until(logins_, login, now), Until(addresses_, address, now));
  if (until > now) return std::chrono::ceil<std::chrono::milliseconds>(until - now);
  if (Busy(logins_, login, options_.login_burst) || Busy(addresses_, address, options_.address_burst)) {
    return options_.first_wait;  // one at a time past the burst
  }
  for (auto* keys : {&logins_, &addresses_}) {
    const auto found = keys->failures.find(std::string(keys == &logins_ ? login : address));
    if (found != keys->failures.end()) ++found->second.checking;
  }
  return std::chrono::milliseconds{0};
}

void LoginThrottle::Failed(std::string_view login, std::string_view address, Clock::time_point now) {
  const std::lock_guard lock(mutex_);
  Settle(logins_, login);
  Settle(addresses_, address);
  Fail(logins_, login, options_.login_burst, now);
  Fail(addresses_, address, options_.address_burst, now);
}

void LoginThrottle::Succeeded(std::string_view login, std::string_view address) {
  const std::lock_guard lock(mutex_);
  if (const auto found = logins_.failures.find(std::string(login)); found != logins_.failures.end()) {
    Forget(logins_, found);
  }
  Settle(addresses_, address);
}

void LoginThrottle::Abandoned(std::string_view login, std::string_view address) {
  const std::lock_guard lock(mutex_);
  Settle(logins_, login);
  Settle(addresses_, address);
}

}  // namespace gm::infra
