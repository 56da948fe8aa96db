#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace gm::domain {

enum class CredentialsError {
  kLoginLength,      // empty or longer than kMaxLoginChars
  kLoginCharacters,  // control characters or surrounding whitespace
  kPasswordLength,   // shorter than kMinPasswordChars or longer than kMaxPasswordChars
};

inline constexpr std::size_t kMaxLoginChars = 64;
inline constexpr std::size_t kMinPasswordChars = 1;
// Bounded so a megabyte "password" cannot be fed to the hash function.
inline constexpr std::size_t kMaxPasswordChars = 256;

// Counts Unicode code points of valid UTF-8 text (the JSON parser has
// already rejected invalid UTF-8).
std::size_t CountCodePoints(std::string_view utf8);

// The first rule the pair breaks, or nothing when both are acceptable.
std::optional<CredentialsError> CheckCredentials(std::string_view login, std::string_view password);

}  // namespace gm::domain
