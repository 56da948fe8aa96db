#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "domain/events.hpp"

namespace gm::infra {

// HS256 JSON Web Tokens naming a user id (`sub`), when they were issued
// (`iat`) and when they expire (`exp`). Verification accepts exactly HS256
// with our key, a future `exp`, and no `crit` header.
// Tokens that passed are remembered (byte for byte, with their `exp`), so a
// client's next request skips the signature check and the JSON parse;
// expiry is still checked every time. Thread-safe.
class TokenIssuer {
 public:

  TokenIssuer(std::string key, std::chrono::seconds lifetime) : key_(std::move(key)), lifetime_(lifetime) {}

  [[nodiscard]] std::string Issue(const std::string& user_id, domain::TimeMs now) const;
  // The user id, or nothing for a malformed, forged or expired token.
  [[nodiscard]] std::optional<std::string> Verify(std::string_view token, domain::TimeMs now) const;
  [[nodiscard]] std::chrono::seconds Lifetime() const { return lifetime_; }

 private:
  struct Verified {
    std::string user_id;
    domain::TimeMs expires_at = 0;
  };

  std::string key_;
  std::chrono::seconds lifetime_;
  mutable std::mutex mutex_;
  mutable std::unordered_map<std::string, Verified> verified_;  // emptied when it grows too big
};

}  // namespace gm::infra
