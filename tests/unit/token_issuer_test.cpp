// Proves tokens carry the user, their issue time and expire, and that
// forged, re-signed, HS512, unsigned (alg: none) tokens and tokens with a
// critical header are refused.
#include <gtest/gtest.h>
#include <jwt.h>
#include <sodium.h>

#include <cstdlib>
#include <cstring>

#include "infra/auth/token_issuer.hpp"

namespace gm::infra {
namespace {

constexpr domain::TimeMs kNow = 1'700'000'000'000;
const TokenIssuer kIssuer("test-key", std::chrono::hours(24));

std::string Base64Url(std::string_view text) {
  std::string out(sodium_base64_ENCODED_LEN(text.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

std::string SignedWith(jwt_alg_t algorithm, std::string_view key) {
  jwt_t* jwt = nullptr;
  jwt_new(&jwt);
  jwt_add_grant(jwt, "sub", "u1");
  jwt_add_grant_int(jwt, "exp", static_cast<long>(kNow / 1000 + 3600));
  jwt_set_alg(jwt, algorithm, reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()));
  char* encoded = jwt_encode_str(jwt);
  std::string token = encoded;
  std::free(encoded);
  jwt_free(jwt);
  return token;
}

TEST(TokenIssuer, IssuedTokenNamesTheUser) {
  EXPECT_EQ(kIssuer.Verify(kIssuer.Issue("u1", kNow), kNow + 1000).value_or(""), "u1");
}

TEST(TokenIssuer, ExpiredTokenIsRefused) {
  const std::string token = kIssuer.Issue("u1", kNow);
  EXPECT_TRUE(kIssuer.Verify(token, kNow + 23 * 3600 * 1000LL).has_value());
  EXPECT_FALSE(kIssuer.Verify(token, kNow + 24 * 3600 * 1000LL).has_value());
}

TEST(TokenIssuer, TamperedSignatureIsRefused) {
  std::string token = kIssuer.Issue("u1", kNow);
  token.back() = token.back() == 'A' ? 'B' : 'A';
  EXPECT_FALSE(kIssuer.Verify(token, kNow).has_value());
}

TEST(TokenIssuer, OtherKeyOrAlgorithmIsRefused) {
  EXPECT_TRUE(kIssuer.Verify(SignedWith(JWT_ALG_HS256, "test-key"), kNow).has_value());
  EXPECT_FALSE(kIssuer.Verify(SignedWith(JWT_ALG_HS256, "other-key"), kNow).has_value());
  EXPECT_FALSE(kIssuer.Verify(SignedWith(JWT_ALG_HS512, "test-key"), kNow).has_value());
}

TEST(TokenIssuer, TokensSayWhenTheyWereIssued) {
  const std::string token = kIssuer.Issue("u1", kNow);
  jwt_t* jwt = nullptr;
  ASSERT_EQ(jwt_decode(&jwt, token.c_str(), reinterpret_cast<const unsigned char*>("test-key"), 8), 0);
  EXPECT_EQ(jwt_get_grant_int(jwt, "iat"), kNow / 1000);
  EXPECT_EQ(jwt_get_grant_int(jwt, "exp"), kNow / 1000 + 24 * 3600);
  jwt_free(jwt);
}

// Signed with our key, well formed, unexpired: refused only for its header.
TEST(TokenIssuer, AnyCriticalHeaderIsRefused) {
  for (const char* critical : {R"(["exp"])", R"(["b64"])", R"([])", R"("x")"}) {
    jwt_t* jwt = nullptr;
    jwt_new(&jwt);
    jwt_add_grant(jwt, "sub", "u1");
    jwt_add_grant_int(jwt, "exp", static_cast<long>(kNow / 1000 + 3600));
    const std::string header = std::string(R"({"crit":)") + critical + "}";
    ASSERT_EQ(jwt_add_headers_json(jwt, header.c_str()), 0) << header;
    jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>("test-key"), 8);
    char* encoded = jwt_encode_str(jwt);
    const std::string token = encoded;
    std::free(encoded);
    jwt_free(jwt);
    EXPECT_FALSE(kIssuer.Verify(token, kNow).has_value()) << header;
  }
  EXPECT_TRUE(kIssuer.Verify(SignedWith(JWT_ALG_HS256, "test-key"), kNow).has_value());
}

TEST(TokenIssuer, UnsignedTokenIsRefused) {
  const std::string header = Base64Url(R"({"alg":"none","typ":"JWT"})");
  const std::string payload = Base64Url(R"({"sub":"u1","exp":9999999999})");
  EXPECT_FALSE(kIssuer.Verify(header + "." + payload + ".", kNow).has_value());
  EXPECT_FALSE(kIssuer.Verify(header + "." + payload, kNow).has_value());
}

TEST(TokenIssuer, GarbageIsRefused) {
  for (std::string_view token : {"", "a", "a.b.c", "...", "Bearer x"}) {
    EXPECT_FALSE(kIssuer.Verify(token, kNow).has_value()) << token;
  }
  EXPECT_FALSE(kIssuer.Verify(std::string(100000, 'a'), kNow).has_value());
}

}  // namespace
}  // namespace gm::infra
