#include "infra/auth/password_hasher.hpp"

#include <sodium.h>

#include <stdexcept>

namespace gm::infra {
namespace {

constexpr unsigned long long kOpsLimit = 2;
constexpr std::size_t kMemLimitBytes = 19U * 1024U * 1024U;

}  // namespace

PasswordHasher::PasswordHasher(std::string_view pepper) : key_{} {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  crypto_hash_sha256(key_, reinterpret_cast<const unsigned char*>(pepper.data()), pepper.size());
  dummy_hash_ = Hash("not a password anyone has");
}

std::string PasswordHasher::Pepper(std::string_view password) const {
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256(reinterpret_cast<unsigned char*>(mac.data()),
                         reinterpret_cast<const unsigned char*>(password.data()), password.size(), key_);
  return mac;
}

std::string PasswordHasher::Hash(std::string_view password) const {
  const std::string peppered = Pepper(password);
  char out[crypto_pwhash_argon2id_STRBYTES];
  if (crypto_pwhash_argon2id_str(out, peppered.data(), peppered.size(), kOpsLimit, kMemLimitBytes) != 0) {
    throw std::runtime_error("argon2id: out of memory");
  }
  return out;
}

bool PasswordHasher::Verify(const std::string& hash, std::string_view password) const {
  const std::string peppered = Pepper(password);
  return crypto_pwhash_argon2id_str_verify(hash.c_str(), peppered.data(), peppered.size()) == 0;
}

void PasswordHasher::VerifyNothing(std::string_view password) const { (void)Verify(dummy_hash_, password); }

}  // namespace gm::infra
