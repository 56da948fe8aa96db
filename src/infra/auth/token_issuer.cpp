#include "infra/auth/token_issuer.hpp"

#include <jwt.h>

#include <cerrno>
#include <cstdlib>
#include <limits>
#include <memory>
#include <stdexcept>

namespace gm::infra {
namespace {

struct JwtFree {
  void operator()(jwt_t* jwt) const { jwt_free(jwt); }
};
using JwtPtr = std::unique_ptr<jwt_t, JwtFree>;

// Longer tokens are not ours; refuse them before parsing.
constexpr std::size_t kMaxTokenBytes = 4096;
// Verified tokens remembered at most (about 3 MB).
constexpr std::size_t kMaxRemembered = 16384;

const unsigned char* KeyBytes(const std::string& key) { return reinterpret_cast<const unsigned char*>(key.data()); }

}  // namespace

std::string TokenIssuer::Issue(const std::string& user_id, domain::TimeMs now) const {
  jwt_t* raw = nullptr;
  if (jwt_new(&raw) != 0) throw std::runtime_error("jwt: out of memory");
  JwtPtr jwt(raw);
  const long issued_at = static_cast<long>(now / 1000);
  if (jwt_add_grant(jwt.get(), "sub", user_id.c_str()) != 0 || jwt_add_grant_int(jwt.get(), "iat", issued_at) != 0 ||
      jwt_add_grant_int(jwt.get(), "exp", issued_at + static_cast<long>(lifetime_.count())) != 0 ||
      jwt_set_alg(jwt.get(), JWT_ALG_HS256, KeyBytes(key_), static_cast<int>(key_.size())) != 0) {
    throw std::runtime_error("jwt: cannot build a token");
  }
  std::unique_ptr<char, decltype(&std::free)> encoded(jwt_encode_str(jwt.get()), &std::free);
  if (!encoded) throw std::runtime_error("jwt: cannot encode a token");
  return encoded.get();
}

std::optional<std::string> TokenIssuer::Verify(std::string_view token, domain::TimeMs now) const {
  if (token.empty() || token.size() > kMaxTokenBytes) return std::nullopt;
  const std::string text(token);
  {
    std::lock_guard lock(mutex_);
    if (const auto known = verified_.find(text); known != verified_.end()) {
      if (known->second.expires_at <= now) return std::nullopt;
      return known->second.user_id;
    }
  }
  jwt_t* raw = nullptr;
  if (jwt_decode(&raw, text.c_str(), KeyBytes(key_), static_cast<int>(key_.size())) != 0) return std::nullopt;
  JwtPtr jwt(raw);
  // libjwt verifies whatever algorithm the header names; only ours counts.
  if (jwt_get_alg(jwt.get()) != JWT_ALG_HS256) return std::nullopt;
  // We understand no extension, so a token naming any as critical is
  // refused (RFC 7515 §4.1.11, RFC 8725 §3.10), whatever its form.
  const std::unique_ptr<char, decltype(&std::free)> critical(jwt_get_headers_json(jwt.get(), "crit"), &std::free);
  if (critical) return std::nullopt;
  errno = 0;
  const long expires_at = jwt_get_grant_int(jwt.get(), "exp");
  if (errno != 0 || expires_at <= now / 1000) return std::nullopt;
  // An expiry past what milliseconds hold is none we issued, and would
  // overflow below (found by tests/fuzz/jwt_verify).
  if (expires_at > std::numeric_limits<domain::TimeMs>::max() / 1000) return std::nullopt;
  const char* subject = jwt_get_grant(jwt.get(), "sub");
  if (subject == nullptr || *subject == '\0') return std::nullopt;
  std::lock_guard lock(mutex_);
  if (verified_.size() >= kMaxRemembered) verified_.clear();
  verified_.emplace(text, Verified{subject, static_cast<domain::TimeMs>(expires_at) * 1000});
  return std::string(subject);
}

}  // namespace gm::infra
