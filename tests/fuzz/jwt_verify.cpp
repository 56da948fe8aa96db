// JWT verification: whatever a client puts after "Bearer " (or in the
// token cookie) reaches TokenIssuer::Verify, libjwt's decoder and its JSON.
//
// Input, one of:
//   - a token's text, verified as it is; when it is 1 to 64 visible ASCII
//     characters it is also used as a user id: issued, then verified;
//   - header JSON, a newline, payload JSON: made into a token signed with
//     our key, so the fuzzing reaches past the signature, into what Verify
//     checks of a genuine token (alg, crit, exp, sub).
//
// Checked: no crash, leak or undefined behaviour; a token as sent verifies
// only when we signed it, so only for the users the seeds' tokens name
// (user-1, user-2; tests/fuzz/make_seeds.py made them) and never once
// expired; a second Verify (from the issuer's memory) agrees with the first;
// a token we issue verifies as its user; a signed token verifies only when
// its header names HS256 (in any case) and no crit, and its payload has a
// future exp and the sub returned (as Boost.JSON reads them, where it can).
#include <sodium.h>
#include <strings.h>

#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.hpp"
#include "infra/auth/token_issuer.hpp"

namespace {

namespace json = boost::json;

// The seeds' tokens are signed with this key; every one expires at
// 4102444800 (2100-01-01T00:00:00Z) or has expired already.
constexpr std::string_view kKey = "fuzzing-key-0123456789abcdef-0123456789";
constexpr gm::domain::TimeMs kNow = 1'700'000'000'000;
constexpr gm::domain::TimeMs kAfterEveryExpiry = 4'102'444'800'000;

bool VisibleAscii(std::string_view text) {
  for (const char c : text) {
    if (c <= ' ' || c >= '\x7f') return false;
  }
  return true;
}

std::string Base64Url(std::string_view bytes) {
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(text.data(), text.size(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  text.resize(text.find('\0'));
  return text;
}

std::string Signed(std::string_view header, std::string_view payload) {
  const std::string input = Base64Url(header) + "." + Base64Url(payload);
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(kKey.data()), kKey.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(input.data()), input.size());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_final(&state, mac);
  return input + "." + Base64Url(std::string_view(reinterpret_cast<const char*>(mac), sizeof mac));
}

const json::object* Object(const json::value& value) { return value.if_object(); }

void AsSent(std::string_view token) {
  const gm::infra::TokenIssuer issuer(std::string(kKey), std::chrono::hours(24));
  const auto user = issuer.Verify(token, kNow);
  if (user) GM_FUZZ_CHECK(*user == "user-1" || *user == "user-2");
  GM_FUZZ_CHECK(issuer.Verify(token, kNow) == user);
  GM_FUZZ_CHECK(!issuer.Verify(token, kAfterEveryExpiry));

  if (!token.empty() && token.size() <= 64 && VisibleAscii(token)) {
    const std::string user_id(token);
    const std::string issued = issuer.Issue(user_id, kNow);
    GM_FUZZ_CHECK(issuer.Verify(issued, kNow) == user_id);
    const gm::infra::TokenIssuer other(std::string(kKey) + "!", std::chrono::hours(24));
    GM_FUZZ_CHECK(!other.Verify(issued, kNow));
  }
}

void SignedByUs(std::string_view header, std::string_view payload) {
  const gm::infra::TokenIssuer issuer(std::string(kKey), std::chrono::hours(24));
  const std::string token = Signed(header, payload);
  const auto user = issuer.Verify(token, kNow);
  GM_FUZZ_CHECK(issuer.Verify(token, kNow) == user);
  if (!user) return;
  GM_FUZZ_CHECK(!user->empty());
  boost::system::error_code error;
  const json::value header_value = json::parse(json::string_view(header.data(), header.size()), error);
  if (const auto* fields = error ? nullptr : Object(header_value)) {
    const auto* alg = fields->if_contains("alg");
    // libjwt reads alg names case-insensitively ("hS256" is HS256: still
    // HMAC-SHA-256 with our key).
    GM_FUZZ_CHECK(alg != nullptr && alg->is_string() && strcasecmp(alg->get_string().c_str(), "HS256") == 0);
    GM_FUZZ_CHECK(!fields->contains("crit"));
  }
  const json::value payload_value = json::parse(json::string_view(payload.data(), payload.size()), error);
  if (const auto* claims = error ? nullptr : Object(payload_value)) {
    const auto* sub = claims->if_contains("sub");
    GM_FUZZ_CHECK(sub != nullptr && sub->is_string() && sub->get_string() == *user);
    const auto* exp = claims->if_contains("exp");
    GM_FUZZ_CHECK(exp != nullptr && exp->is_number() && exp->to_number<double>() > static_cast<double>(kNow / 1000));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (const auto newline = input.find('\n'); newline != std::string_view::npos) {
    SignedByUs(input.substr(0, newline), input.substr(newline + 1));
  } else {
    AsSent(input);
  }
  return 0;
}
