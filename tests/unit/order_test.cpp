// Proves order upload and accrual results: Given events / When command / Then events or error.
#include <gtest/gtest.h>

#include "domain/order.hpp"

namespace gm::domain {
namespace {

OrderNumber Number(std::string_view text) { return OrderNumber::Parse(text).Value(); }

OrderState Given(std::initializer_list<Event> events) {
  OrderState state;
  for (const auto& event : events) state = Evolve(state, event);
  return state;
}

const OrderUploaded kUploaded{"12345678903", "u1", 1000};

TEST(UploadOrder, NewNumberIsUploaded) {
  auto decision = DecideUpload(OrderState{}, {Number("12345678903"), "u1", 1000});
  ASSERT_TRUE(decision.HasValue());
  EXPECT_FALSE(decision.Value().already_uploaded_by_this_user);
  ASSERT_EQ(decision.Value().events.size(), 1U);
  EXPECT_EQ(std::get<OrderUploaded>(decision.Value().events[0]).user_id, "u1");
}

TEST(UploadOrder, SameUserAgainIsRecognisedWithoutEvents) {
  auto decision = DecideUpload(Given({kUploaded}), {Number("12345678903"), "u1", 2000});
  ASSERT_TRUE(decision.HasValue());
  EXPECT_TRUE(decision.Value().already_uploaded_by_this_user);
  EXPECT_TRUE(decision.Value().events.empty());
}

TEST(UploadOrder, AnotherUsersNumberIsRefused) {
  EXPECT_EQ(DecideUpload(Given({kUploaded}), {Number("12345678903"), "u2", 2000}).Error(),
            UploadError::kUploadedByAnotherUser);
}

TEST(AccrualResult, UnknownOrderIsRefused) {
  EXPECT_EQ(DecideAccrualResult(OrderState{}, {"12345678903", AccrualStatus::kProcessed, {100}, 1}).Error(),
            AccrualResultError::kUnknownOrder);
}

TEST(AccrualResult, RegisteredOrProcessingStartsProcessingOnce) {
  auto first = DecideAccrualResult(Given({kUploaded}), {"12345678903", AccrualStatus::kRegistered, {}, 2});
  ASSERT_TRUE(first.HasValue());
  ASSERT_EQ(first.Value().size(), 1U);
  EXPECT_TRUE(std::holds_alternative<OrderProcessingStarted>(first.Value()[0]));

  const OrderState processing = Given({kUploaded, OrderProcessingStarted{"12345678903", 2}});
  EXPECT_EQ(processing.status, OrderStatus::kProcessing);
  auto again = DecideAccrualResult(processing, {"12345678903", AccrualStatus::kProcessing, {}, 3});
  ASSERT_TRUE(again.HasValue());
  EXPECT_TRUE(again.Value().empty());
}

TEST(AccrualResult, ProcessedCreditsTheOwnerOnce) {
  auto events = DecideAccrualResult(Given({kUploaded}), {"12345678903", AccrualStatus::kProcessed, {50050}, 5});
  ASSERT_TRUE(events.HasValue());
  ASSERT_EQ(events.Value().size(), 2U);
  EXPECT_EQ(std::get<OrderProcessed>(events.Value()[0]).accrual.hundredths, 50050);
  const auto& credit = std::get<PointsAccrued>(events.Value()[1]);
  EXPECT_EQ(credit.user_id, "u1");
  EXPECT_EQ(credit.amount.hundredths, 50050);
  EXPECT_EQ(StreamOf(events.Value()[1]), "account-u1");

  const OrderState processed = Given({kUploaded, events.Value()[0]});
  auto repeated = DecideAccrualResult(processed, {"12345678903", AccrualStatus::kProcessed, {50050}, 6});
  ASSERT_TRUE(repeated.HasValue());
  EXPECT_TRUE(repeated.Value().empty());
}

TEST(AccrualResult, ProcessedWithoutPointsCreditsNothing) {
  auto events = DecideAccrualResult(Given({kUploaded}), {"12345678903", AccrualStatus::kProcessed, {0}, 5});
  ASSERT_TRUE(events.HasValue());
  ASSERT_EQ(events.Value().size(), 1U);
  EXPECT_TRUE(std::holds_alternative<OrderProcessed>(events.Value()[0]));
}

TEST(AccrualResult, NegativeAccrualIsRefused) {
  EXPECT_EQ(DecideAccrualResult(Given({kUploaded}), {"12345678903", AccrualStatus::kProcessed, {-1}, 5}).Error(),
            AccrualResultError::kNegativeAccrual);
}

TEST(AccrualResult, InvalidIsFinal) {
  auto events = DecideAccrualResult(Given({kUploaded}), {"12345678903", AccrualStatus::kInvalid, {}, 5});
  ASSERT_TRUE(events.HasValue());
  ASSERT_EQ(events.Value().size(), 1U);
  const OrderState invalid = Given({kUploaded, events.Value()[0]});
  EXPECT_EQ(invalid.status, OrderStatus::kInvalid);
  auto late = DecideAccrualResult(invalid, {"12345678903", AccrualStatus::kProcessed, {100}, 6});
  ASSERT_TRUE(late.HasValue());
  EXPECT_TRUE(late.Value().empty());
}

}  // namespace
}  // namespace gm::domain
