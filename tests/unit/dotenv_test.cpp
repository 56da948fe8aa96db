// Proves .env parsing: comments, export, quotes, and malformed lines ignored.
#include <gtest/gtest.h>

#include "infra/config/dotenv.hpp"

namespace gm::infra {
namespace {

TEST(Dotenv, ParsesTheUsualForms) {
  const auto values = ParseDotenv(
      "# comment\n"
      "RUN_ADDRESS=localhost:9090\n"
      "export SALT = pepper \n"
      "JWT_KEY=\"quoted # not a comment\"\n"
      "AMQP='single'\r\n"
      "DATABASE_URI=x.db # trailing comment\n"
      "not a line\n"
      "BAD-KEY=1\n"
      "EMPTY=\n");
  EXPECT_EQ(values.at("RUN_ADDRESS"), "localhost:9090");
  EXPECT_EQ(values.at("SALT"), "pepper");
  EXPECT_EQ(values.at("JWT_KEY"), "quoted # not a comment");
  EXPECT_EQ(values.at("AMQP"), "single");
  EXPECT_EQ(values.at("DATABASE_URI"), "x.db");
  EXPECT_EQ(values.at("EMPTY"), "");
  EXPECT_EQ(values.count("BAD-KEY"), 0U);
  EXPECT_EQ(values.size(), 6U);
}

}  // namespace
}  // namespace gm::infra
