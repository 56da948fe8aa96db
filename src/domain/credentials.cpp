#include "domain/credentials.hpp"

namespace gm::domain {

std::size_t CountCodePoints(std::string_view utf8) {
  std::size_t count = 0;
  for (const char c : utf8) {
    // Continuation bytes look like 10xxxxxx; every other byte starts a code point.
    if ((static_cast<unsigned char>(c) & 0xC0U) != 0x80U) ++count;
  }
  return count;
}

std::optional<CredentialsError> CheckCredentials(std::string_view login, std::string_view password) {
  const std::size_t login_chars = CountCodePoints(login);
  if (login_chars == 0 || login_chars > kMaxLoginChars) {
    return CredentialsError::kLoginLength;
  }
  for (const char c : login) {
    if (static_cast<unsigned char>(c) < 0x20U || c == 0x7F) {
      return CredentialsError::kLoginCharacters;
    }
  }
  if (login.front() == ' ' || login.back() == ' ') {
    return CredentialsError::kLoginCharacters;
  }
  const std::size_t password_chars = CountCodePoints(password);
  if (password_chars < kMinPasswordChars || password_chars > kMaxPasswordChars) {
    return CredentialsError::kPasswordLength;
  }
  return std::nullopt;
}

}  // namespace gm::domain
