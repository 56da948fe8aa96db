// Proves how accrual answers are read: only the accrual system's own statuses
// count, and everything unexpected is a transient fault.
#include <gtest/gtest.h>

#include "infra/accrual/accrual_reply.hpp"

namespace gm::infra::accrual {
namespace {

using Kind = AccrualReply::Kind;
constexpr std::time_t kNow = 1'700'000'000;

AccrualReply Reply(unsigned status, std::string_view body, std::string_view retry_after = "") {
  return InterpretReply(status, retry_after, body, "12345678903", kNow);
}

TEST(AccrualReply, ReadsFinalAndInterimStatuses) {
  auto processed = Reply(200, R"({"order":"12345678903","status":"PROCESSED","accrual":729.98})");
  EXPECT_EQ(processed.kind, Kind::kResult);
  EXPECT_EQ(processed.status, domain::AccrualStatus::kProcessed);
  EXPECT_EQ(processed.accrual.hundredths, 72998);
  EXPECT_EQ(Reply(200, R"({"order":"12345678903","status":"INVALID"})").status, domain::AccrualStatus::kInvalid);
  EXPECT_EQ(Reply(200, R"({"order":"12345678903","status":"REGISTERED"})").status, domain::AccrualStatus::kRegistered);
  EXPECT_EQ(Reply(204, "").kind, Kind::kNotRegistered);
}

TEST(AccrualReply, GarbageIsAFaultNeverAStatus) {
  for (std::string_view body :
       {"", "{", "not json", "[]", R"({"order":"12345678903"})", R"({"order":"12345678903","status":"DONE"})",
        R"({"order":"1","status":"INVALID"})", R"({"order":"12345678903","status":"PROCESSED","accrual":"5"})",
        R"({"order":"12345678903","status":"PROCESSED","accrual":-5})",
        R"({"order":"12345678903","status":"PROCESSED","accrual":1.001})"}) {
    EXPECT_EQ(Reply(200, body).kind, Kind::kFault) << body;
  }
  EXPECT_EQ(Reply(500, "").kind, Kind::kFault);
  EXPECT_EQ(Reply(404, "").kind, Kind::kFault);
}

TEST(AccrualReply, RateLimitReadsBothRetryAfterForms) {
  auto seconds = Reply(429, "No more than 60 requests per minute allowed", "3");
  EXPECT_EQ(seconds.kind, Kind::kRateLimited);
  EXPECT_EQ(seconds.retry_after, std::chrono::seconds(3));
  EXPECT_EQ(seconds.requests_per_minute, 60);
  // 1'700'000'000 is Tue, 14 Nov 2023 22:13:20 GMT.
  EXPECT_EQ(Reply(429, "", "Tue, 14 Nov 2023 22:13:30 GMT").retry_after, std::chrono::seconds(10));
  EXPECT_EQ(Reply(429, "", "Tue, 14 Nov 2023 22:13:00 GMT").retry_after, std::chrono::seconds(0));
  EXPECT_EQ(Reply(429, "slow down", "soon").retry_after, kDefaultRetryAfter);
  EXPECT_EQ(Reply(429, "").retry_after, kDefaultRetryAfter);
  EXPECT_FALSE(Reply(429, "slow down").requests_per_minute.has_value());
}

}  // namespace
}  // namespace gm::infra::accrual
