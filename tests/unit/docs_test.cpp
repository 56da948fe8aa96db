// Proves the docs listener's pure parts: which origins CORS admits, how the
// served document names the running API, and the OPENAPI_ADDRESS forms.
#include <gtest/gtest.h>

#include "infra/config/config.hpp"
#include "infra/http/cors.hpp"
#include "infra/http/docs_site.hpp"

namespace gm::infra::http {
namespace {

TEST(CorsPolicy, LoopbackDocsAdmitEveryLoopbackSpelling) {
  const CorsPolicy policy("127.0.0.1", 8082);
  EXPECT_TRUE(policy.Allows("http://127.0.0.1:8082"));
  EXPECT_TRUE(policy.Allows("http://localhost:8082"));
  EXPECT_TRUE(policy.Allows("http://[::1]:8082"));
  EXPECT_FALSE(policy.Allows("http://localhost:8083"));
  EXPECT_FALSE(policy.Allows("http://evil.example:8082"));
  EXPECT_FALSE(policy.Allows("https://localhost:8082"));
  EXPECT_FALSE(policy.Allows("null"));
}

TEST(CorsPolicy, NamedHostAdmitsOnlyItself) {
  const CorsPolicy policy("docs.internal", 9000);
  EXPECT_TRUE(policy.Allows("http://docs.internal:9000"));
  EXPECT_FALSE(policy.Allows("http://localhost:9000"));
}

TEST(DocsSite, HostOfKeepsOnlyPlainHosts) {
  EXPECT_EQ(HostOf("localhost:8082"), "localhost");
  EXPECT_EQ(HostOf("127.0.0.1:8082"), "127.0.0.1");
  EXPECT_EQ(HostOf("[::1]:8082"), "[::1]");
  EXPECT_EQ(HostOf("example.org"), "example.org");
  EXPECT_EQ(HostOf(""), "localhost");
  EXPECT_EQ(HostOf("evil\"}:1"), "localhost");
  EXPECT_EQ(HostOf("[::1\"]:1"), "localhost");
}

TEST(DocsSite, ServedDocumentNamesTheRunningApi) {
  const DocsSite site({"servers:\n  - url: http://localhost:8080\n", "", "http://localhost:8080"}, 9090);
  HttpRequest request;
  request.headers.emplace_back("host", "127.0.0.1:8082");
  EXPECT_EQ(site.ServedDocument("servers:\n  - url: http://localhost:8080\n", request),
            "servers:\n  - url: http://127.0.0.1:9090\n");
}

TEST(DocsAddress, DefaultsToThePortOnTheApiHostAndCanBeOff) {
  const ListenAddress api{"127.0.0.1", 8080};
  EXPECT_EQ(ParseDocsAddress("", api, 8082)->host, "127.0.0.1");
  EXPECT_EQ(ParseDocsAddress("", api, 8082)->port, 8082);
  EXPECT_EQ(ParseDocsAddress(":9000", api, 8082)->port, 9000);
  EXPECT_FALSE(ParseDocsAddress("off", api, 8082).has_value());
  EXPECT_THROW((void)ParseDocsAddress("nonsense", api, 8082), ConfigError);
}

}  // namespace
}  // namespace gm::infra::http
