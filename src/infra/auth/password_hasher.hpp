#pragma once

#include <string>
#include <string_view>

namespace gm::infra {

// Argon2id (libsodium) at the OWASP minimum of 19 MiB and 2 passes, with a
// server-side pepper. Each call takes tens of milliseconds of CPU and 19 MiB:
// run it on the hashing pool, never on an I/O thread.
class PasswordHasher {
 public:
  explicit PasswordHasher(std::string_view pepper);

  [[nodiscard]] std::string Hash(std::string_view password) const;
  [[nodiscard]] bool Verify(const std::string& hash, std::string_view password) const;
  // Costs what Verify costs, for logins that do not exist, so response time
  // does not tell an attacker which logins are registered.
  void VerifyNothing(std::string_view password) const;

 private:
  // HMAC-SHA256 of the password under the pepper: the pepper then never
  // reaches the database, and a stolen table alone cannot be brute-forced.
  [[nodiscard]] std::string Pepper(std::string_view password) const;

  unsigned char key_[32];
  std::string dummy_hash_;
};

}  // namespace gm::infra
