// The event stream's text (GET /api/user/events): ids and messages.
#include <gtest/gtest.h>

#include "infra/http/account_events_api.hpp"

namespace gm::infra::http {
namespace {

using store::LogCursor;

TEST(AccountEvents, IdsAreTheCursorAndReadBack) {
  EXPECT_EQ(AccountEventsApi::FormatId({0, 42}), "0-42");
  EXPECT_EQ(AccountEventsApi::FormatId({7890123, 5}), "7890123-5");
  const auto back = AccountEventsApi::ParseId("7890123-5");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, (LogCursor{7890123, 5}));
}

TEST(AccountEvents, AnythingElseIsNotAnId) {
  for (const char* text : {"", "-", "1", "1-", "-1", "-1-2", "1--2", "1-2-3", "x-1", "1-x", " 1-2", "1-2 ", "+1-2",
                           "99999999999999999999-1", "1-0x10"}) {
    EXPECT_FALSE(AccountEventsApi::ParseId(text)) << text;
  }
}

TEST(AccountEvents, MessagesAreIdEventDataAndAnEmptyLine) {
  const std::vector<live::FeedMessage> messages{
      {{3, 10}, domain::OrderStatusChanged{"79927398713", domain::OrderStatus::kProcessed, {50025}}, 1607613345000},
      {{3, 11}, domain::BalanceChanged{{{50025}, {0}}}, 0},
      {{4, 12}, domain::OrderStatusChanged{"12345678903", domain::OrderStatus::kNew, {}}, 1607613345000},
  };
  EXPECT_EQ(AccountEventsApi::Frames(messages),
            "id: 3-10\nevent: order\n"
            R"(data: {"number":"79927398713","status":"PROCESSED","accrual":500.25,"uploaded_at":"2020-12-10T15:15:45+00:00"})"
            "\n\n"
            "id: 3-11\nevent: balance\n"
            R"(data: {"current":500.25,"withdrawn":0})"
            "\n\n"
            "id: 4-12\nevent: order\n"
            R"(data: {"number":"12345678903","status":"NEW","uploaded_at":"2020-12-10T15:15:45+00:00"})"
            "\n\n");
}

}  // namespace
}  // namespace gm::infra::http
