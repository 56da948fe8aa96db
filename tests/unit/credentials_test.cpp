// Proves the login and password rules, counted in characters, not bytes.
#include <gtest/gtest.h>

#include "domain/credentials.hpp"

namespace gm::domain {
namespace {

TEST(Credentials, AcceptsOrdinaryPairs) {
  EXPECT_FALSE(CheckCredentials("alice", "s3cret").has_value());
  EXPECT_FALSE(CheckCredentials("Гофер", "пароль").has_value());
  EXPECT_FALSE(CheckCredentials(std::string(64, 'a'), std::string(256, 'p')).has_value());
}

TEST(Credentials, CountsCharactersNotBytes) {
  std::string login;
  for (int i = 0; i < 64; ++i) login += "я";  // 128 bytes, 64 characters
  EXPECT_FALSE(CheckCredentials(login, "p").has_value());
  EXPECT_EQ(CheckCredentials(login + "я", "p"), CredentialsError::kLoginLength);
}

TEST(Credentials, RefusesInOrderOfCheck) {
  EXPECT_EQ(CheckCredentials("", ""), CredentialsError::kLoginLength);
  EXPECT_EQ(CheckCredentials(std::string(65, 'a'), "p"), CredentialsError::kLoginLength);
  EXPECT_EQ(CheckCredentials("bad\nlogin", "p"), CredentialsError::kLoginCharacters);
  EXPECT_EQ(CheckCredentials(" alice", "p"), CredentialsError::kLoginCharacters);
  EXPECT_EQ(CheckCredentials("alice", ""), CredentialsError::kPasswordLength);
  EXPECT_EQ(CheckCredentials("alice", std::string(257, 'p')), CredentialsError::kPasswordLength);
}

}  // namespace
}  // namespace gm::domain
