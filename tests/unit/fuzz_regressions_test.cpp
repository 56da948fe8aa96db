// What fuzzing found (tests/fuzz/README.md), kept as the behaviour it should
// have been. scripts/fuzz also replays each finding's input, from
// tests/fuzz/<target>/regressions/, under the harness that found it.
#include <gtest/gtest.h>
#include <jwt.h>

#include <boost/asio/error.hpp>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>

#include "infra/auth/token_issuer.hpp"
#include "infra/config/config.hpp"
#include "infra/http/request_reading.hpp"

namespace gm::infra {
namespace {

std::string Refusal(std::string_view option, const std::string& text) {
  try {
    if (option == "AMQP") return ParseAmqpUri(text);
    return ParseBaseUrl(std::string(option), text);
  } catch (const ConfigError& error) {
    return error.what();
  }
}

// tests/fuzz/dotenv_config/regressions/boost-url-assert-*: Boost.URL 1.81
// (boostorg/url#665) failed an assertion on a scheme followed by no "//"
// and then a '?' or a character no URI has; where it is built with
// assertions the process aborted instead of naming the option.
TEST(FuzzRegressions, AUriWithoutAnAuthorityIsRefusedBeforeBoostUrlSeesIt) {
  for (const std::string text : {"amqp:?", "amqp:\\", "p:\x01", "amqp:", "amqp:guest@localhost"}) {
    EXPECT_EQ(Refusal("AMQP", text).rfind("AMQP: expected an amqp:// or amqps:// URI", 0), 0U) << text;
  }
  EXPECT_EQ(Refusal("ACCRUAL_SYSTEM_ADDRESS", "e:?://x").rfind("ACCRUAL_SYSTEM_ADDRESS: expected", 0), 0U);
  EXPECT_EQ(Refusal("ACCRUAL_SYSTEM_ADDRESS", "http:?").rfind("ACCRUAL_SYSTEM_ADDRESS: expected", 0), 0U);
  EXPECT_EQ(DatabaseName({Dialect::kPostgres, "postgres:?"}), "postgres://(unparsable URI)");
  // What has an authority is read as before.
  EXPECT_EQ(ParseAmqpUri("amqps://guest:guest@broker:5671/%2f"), "amqps://guest:guest@broker:5671/%2f");
  EXPECT_EQ(ParseBaseUrl("ACCRUAL_SYSTEM_ADDRESS", "localhost:8081/"), "http://localhost:8081");
  EXPECT_EQ(DatabaseName({Dialect::kPostgres, "postgres://u:secret@db/g"}), "postgres://u:***@db/g");
}

// tests/fuzz/jwt_verify/regressions/exp-overflow*: a token signed with our
// key whose exp is past what milliseconds hold overflowed a multiplication
// (undefined behaviour; UBSan stops the process). We never issue one.
TEST(FuzzRegressions, ATokenExpiringPastTheMillisecondRangeIsRefused) {
  const std::string key = "fuzzing-key-0123456789abcdef-0123456789";
  const TokenIssuer issuer(key, std::chrono::hours(24));
  for (const long exp :
       {std::numeric_limits<long>::max(), 41'024'448'001'044'800L, std::numeric_limits<long>::max() / 1000 + 1}) {
    jwt_t* jwt = nullptr;
    ASSERT_EQ(jwt_new(&jwt), 0);
    jwt_add_grant(jwt, "sub", "user-1");
    jwt_add_grant_int(jwt, "exp", exp);
    jwt_set_alg(jwt, JWT_ALG_HS256, reinterpret_cast<const unsigned char*>(key.data()), static_cast<int>(key.size()));
    char* encoded = jwt_encode_str(jwt);
    const std::string token = encoded;
    std::free(encoded);
    jwt_free(jwt);
    EXPECT_FALSE(issuer.Verify(token, 1'700'000'000'000).has_value()) << exp;
  }
  // A token we issue still verifies.
  const auto latest = issuer.Issue("user-1", 1'700'000'000'000);
  EXPECT_EQ(issuer.Verify(latest, 1'700'000'000'000), "user-1");
}

// tests/fuzz/http_request/regressions/beast-empty-chunked-body-*: an empty
// chunked body whose last chunk came as "0\r\n", then "\r", then "\n"
// (three reads) failed an assertion in Beast 1.81's parser, which stopped
// a server built with assertions (the Debug presets): any client could.
TEST(FuzzRegressions, AnEmptyChunkedBodyArrivingByteByByteIsRead) {
  const std::string_view wire =
      "POST /api/user/logout HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
  http::RequestParser parser;
  parser.header_limit(http::kMaxHeaderBytes);
  boost::beast::flat_buffer buffer;
  boost::beast::error_code error;
  std::size_t sent = 0;
  for (const bool whole : {false, true}) {
    parser.eager(whole);
    while (!error && http::NeedsMoreBytes(parser, buffer, whole, error)) {
      ASSERT_LT(sent, wire.size()) << "the parser wants more than the request";
      std::memcpy(buffer.prepare(1).data(), wire.data() + sent++, 1);  // one byte per read, as TCP may
      http::TakeRead(parser, buffer, {}, 1, false, error);
    }
  }
  ASSERT_FALSE(error) << error.message();
  ASSERT_TRUE(parser.is_done());
  EXPECT_EQ(sent, wire.size());
  const auto request = http::ToRequest(parser.release(), "192.0.2.1");
  EXPECT_EQ(request.path, "/api/user/logout");
  EXPECT_EQ(request.body, "");
}

}  // namespace
}  // namespace gm::infra
