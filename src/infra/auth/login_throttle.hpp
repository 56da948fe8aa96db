#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace gm::infra {

struct LoginThrottleOptions {
  int login_burst = 5;      // failed sign-ins of one login before it waits
  int address_burst = 20;   // failed sign-ins from one client address before it waits
  std::chrono::milliseconds first_wait{1000};  // after the burst; doubling with each further failure
  std::chrono::milliseconds max_wait{300'000};
  std::chrono::milliseconds forget_after{900'000};  // a key with no failure for this long starts afresh
  std::size_t max_keys = 100'000;  // per kind; past it the key failed longest ago is forgotten
};

// Slows down guessing passwords: each login and each client address counts
// its failed sign-ins; after a small burst, each further failure makes the
// next attempt wait, twice as long each time, until a success (for the
// login) or a quiet spell resets it. Whether the login exists makes no
// difference. Per process; thread-safe.
class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(LoginThrottleOptions options = {}) : options_(options) {}

  // Zero when `login` from `address` may try now; else how long it must
  // still wait. Once a login or an address is past its burst, only one of
  // its attempts is checked at a time: guesses sent side by side wait as
  // guesses sent in turn do. Every attempt that may go on is then settled
  // by exactly one of Failed, Succeeded and Abandoned.
  std::chrono::milliseconds Attempt(std::string_view login, std::string_view address, Clock::time_point now);
  void Failed(std::string_view login, std::string_view address, Clock::time_point now);
  // Clears the login's count (not the address's: one good account must not
  // buy an address more guesses at others).
  void Succeeded(std::string_view login, std::string_view address);
  // Ended before its password was checked (the database or the hashing
  // lane could not take it): counts for nothing.
  void Abandoned(std::string_view login, std::string_view address);

 private:
  struct Failures {
    int count = 0;
    Clock::time_point last;
    Clock::time_point until;  // no attempt before this
    int checking = 0;         // attempts let through and not yet settled
    std::list<std::string>::iterator age;
  };
  // One kind of key (logins or addresses), oldest failure first in `ages`.
  struct Keys {
    std::unordered_map<std::string, Failures> failures;
    std::list<std::string> ages;
  };

  Clock::time_point Until(Keys& keys, std::string_view key, Clock::time_point now);
  void Fail(Keys& keys, std::string_view key, int burst, Clock::time_point now);
  static void Forget(Keys& keys, std::unordered_map<std::string, Failures>::iterator found);
  static bool Busy(Keys& keys, std::string_view key, int burst);
  static void Settle(Keys& keys, std::string_view key);

  const LoginThrottleOptions options_;
  std::mutex mutex_;
  Keys logins_;
  Keys addresses_;
};

}  // namespace gm::infra
