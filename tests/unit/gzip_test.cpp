// Proves gzip bodies round-trip, and that bombs and corrupt input are refused.
#include <gtest/gtest.h>

#include "infra/http/gzip.hpp"

namespace gm::infra::http {
namespace {

TEST(Gzip, RoundTrips) {
  const std::string text = R"({"login":"alice","password":"secret"})";
  auto decoded = Gunzip(Gzip(text), 1024);
  ASSERT_TRUE(decoded.HasValue());
  EXPECT_EQ(decoded.Value(), text);
}

TEST(Gzip, BombIsRefusedAtTheCap) {
  const std::string bomb = Gzip(std::string(64 * 1024 * 1024, '0'));
  EXPECT_LT(bomb.size(), 100U * 1024U);
  EXPECT_EQ(Gunzip(bomb, 1024 * 1024).Error(), GunzipError::kTooLarge);
}

TEST(Gzip, CorruptOrTruncatedIsRefused) {
  EXPECT_EQ(Gunzip("not gzip at all", 1024).Error(), GunzipError::kCorrupt);
  const std::string whole = Gzip(std::string(10000, 'x'));
  EXPECT_EQ(Gunzip(whole.substr(0, whole.size() / 2), 1024 * 1024).Error(), GunzipError::kCorrupt);
  EXPECT_EQ(Gunzip("", 1024).Error(), GunzipError::kCorrupt);
}

}  // namespace
}  // namespace gm::infra::http
