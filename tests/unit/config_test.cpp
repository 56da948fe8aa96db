// Proves option precedence (flag > environment > .env > default) and that
// bad values are refused with the option's name.
#include <gtest/gtest.h>

#include "infra/config/config.hpp"

namespace gm::infra {
namespace {

GophermartConfig Parse(std::vector<std::string> args, ConfigSources sources = {}) {
  return *ParseGophermartConfig(args, sources);
}

TEST(Config, DefaultsNeedNoConfiguration) {
  const auto config = Parse({});
  EXPECT_EQ(config.run_address.host, "localhost");
  EXPECT_EQ(config.run_address.port, 8080);
  EXPECT_EQ(config.database.target, "gophermart.db");
  EXPECT_FALSE(config.accrual_address.has_value());
  EXPECT_FALSE(config.rebuild_projections);
}

TEST(Config, TheClientAddressHeaderIsOffUnlessNamedAndComparedInLowerCase) {
  EXPECT_EQ(Parse({}).client_address_header, "");
  ConfigSources sources;
  sources.environment = {{"CLIENT_ADDRESS_HEADER", "X-Real-IP"}};
  EXPECT_EQ(Parse({}, sources).client_address_header, "x-real-ip");
  EXPECT_EQ(Parse({"--client-address-header", "X-Forwarded-For"}, sources).client_address_header, "x-forwarded-for");
}

TEST(Config, FlagBeatsEnvironmentBeatsDotenv) {
  ConfigSources sources;
  sources.environment = {{"RUN_ADDRESS", "127.0.0.1:7000"}, {"SALT", "from-env"}};
  sources.dotenv = {{"RUN_ADDRESS", "127.0.0.1:6000"}, {"SALT", "from-dotenv"}, {"JWT_KEY", std::string(32, 'k')}};
  const auto config = Parse({"-a", "127.0.0.1:9000"}, sources);
  EXPECT_EQ(config.run_address.port, 9000);
  EXPECT_EQ(config.salt, "from-env");
  EXPECT_EQ(config.jwt_key, std::string(32, 'k'));
}

TEST(Config, AddressForms) {
  EXPECT_EQ(ParseListenAddress("RUN_ADDRESS", ":8081").host, "0.0.0.0");
  EXPECT_EQ(ParseListenAddress("RUN_ADDRESS", "[::1]:8081").host, "::1");
  EXPECT_EQ(ParseListenAddress("RUN_ADDRESS", "http://localhost:8081").port, 8081);
  EXPECT_EQ(ParseBaseUrl("ACCRUAL_SYSTEM_ADDRESS", "localhost:8081"), "http://localhost:8081");
  EXPECT_EQ(ParseBaseUrl("ACCRUAL_SYSTEM_ADDRESS", "http://127.0.0.1:8081/"), "http://127.0.0.1:8081");
  EXPECT_EQ(ParseDatabase("sqlite:///tmp/x.db").target, "/tmp/x.db");
  EXPECT_EQ(ParseDatabase("postgres://u@h:5432/d").dialect, Dialect::kPostgres);
  EXPECT_EQ(ParseDatabase("sqlite:x.db").target, "x.db");
}

TEST(Config, BadValuesNameTheirOption) {
  const auto refused_with = [](std::vector<std::string> args, ConfigSources sources = {}) {
    try {
      (void)ParseGophermartConfig(args, sources);
    } catch (const ConfigError& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(refused_with({"-a", "nonsense"}).rfind("RUN_ADDRESS:", 0), 0U);
  EXPECT_EQ(refused_with({"-a", "host:99999"}).rfind("RUN_ADDRESS:", 0), 0U);
  EXPECT_EQ(refused_with({"-d", "mysql://x"}).rfind("DATABASE_URI:", 0), 0U);
  EXPECT_EQ(refused_with({"-r", "ftp://x"}).rfind("ACCRUAL_SYSTEM_ADDRESS:", 0), 0U);
  ConfigSources from_env;
  from_env.environment = {{"RUN_ADDRESS", "::"}};
  EXPECT_EQ(refused_with({}, from_env).rfind("RUN_ADDRESS:", 0), 0U);
  EXPECT_EQ(refused_with({"--no-such-flag"}).rfind("command line:", 0), 0U);
  const auto short_key = refused_with({"--jwt-key", std::string(31, 'k')});
  EXPECT_EQ(short_key.rfind("JWT_KEY: at least 32 bytes expected, got 31", 0), 0U) << short_key;
  EXPECT_EQ(short_key.find('\n'), std::string::npos) << "one line";
  EXPECT_EQ(refused_with({"--jwt-key", std::string(32, 'k')}), "accepted");
  EXPECT_EQ(refused_with({"--jwt-key", ""}), "accepted") << "empty: the generated key";
}

TEST(Config, AmqpTakesARabbitMqUriAndTheSeedsMisspelling) {
  EXPECT_TRUE(Parse({}).amqp.empty()) << "none: the embedded queue";
  EXPECT_EQ(Parse({"--amqp", "amqp://guest:guest@localhost:5672/"}).amqp, "amqp://guest:guest@localhost:5672/");
  ConfigSources sources;
  sources.dotenv = {{"AMPQ", "amqps://broker:5671/loyalty"}};
  const auto misspelt = Parse({}, sources);
  EXPECT_EQ(misspelt.amqp, "amqps://broker:5671/loyalty") << "the seed's .env spells it AMPQ";
  ASSERT_EQ(misspelt.warnings.size(), 1U);
  EXPECT_NE(misspelt.warnings[0].find("AMQP"), std::string::npos);
  sources.environment = {{"AMQP", "amqps://broker:5671/loyalty"}};
  EXPECT_EQ(Parse({}, sources).amqp, "amqps://broker:5671/loyalty") << "both, agreeing";
  EXPECT_TRUE(Parse({}, {{{"AMQP", "amqp://h"}}, {}}).warnings.empty());
  sources.environment = {{"AMQP", "amqp://other:5672/"}};
  try {
    Parse({}, sources);
    ADD_FAILURE() << "AMQP and AMPQ disagreeing were accepted";
  } catch (const ConfigError& error) {
    EXPECT_EQ(std::string(error.what()).rfind("AMQP:", 0), 0U) << error.what();
    EXPECT_NE(std::string(error.what()).find("AMPQ"), std::string::npos) << error.what();
  }
  EXPECT_EQ(Parse({"--amqp", "amqp://flag"}, sources).amqp, "amqp://flag") << "the flag beats both";
  for (const std::string bad : {"http://localhost:5672", "localhost:5672", "amqp://h:notaport", "amqp://h/#x"}) {
    EXPECT_THROW(Parse({"--amqp", bad}), ConfigError) << bad;
    EXPECT_THROW(Parse({}, {{{"AMQP", bad}}, {}}), ConfigError) << bad;
  }
}

TEST(Config, RebuildVerb) { EXPECT_TRUE(Parse({"rebuild-projections", "-d", "x.db"}).rebuild_projections); }

TEST(Config, RequeueDeadLettersVerbNeedsTheBroker) {
  EXPECT_TRUE(Parse({"requeue-dead-letters", "--amqp", "amqp://h"}).requeue_dead_letters);
  EXPECT_FALSE(Parse({"--amqp", "amqp://h"}).requeue_dead_letters);
  EXPECT_THROW(Parse({"requeue-dead-letters"}), ConfigError) << "no broker named";
}

}  // namespace
}  // namespace gm::infra
