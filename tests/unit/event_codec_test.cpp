// Proves every event survives encoding and decoding unchanged, under its frozen type name.
#include <gtest/gtest.h>

#include "infra/store/event_codec.hpp"

namespace gm::infra {
namespace {

using namespace domain;

template <class E>
E RoundTrip(const E& event, std::string_view expected_type) {
  const EncodedEvent encoded = Encode(event);
  EXPECT_EQ(encoded.type, expected_type);
  EXPECT_EQ(TypeName(event), expected_type);
  EXPECT_EQ(TypeNames().at(Event(event).index()), expected_type);
  return std::get<E>(Decode(encoded.type, encoded.data));
}

TEST(EventCodec, RoundTripsEveryEvent) {
  EXPECT_EQ(RoundTrip(UserRegistered{"u1", "алиса \"q\"", "$argon2id$...", 1}, "user_registered.v1").login,
            "алиса \"q\"");
  EXPECT_EQ(RoundTrip(OrderUploaded{"12345678903", "u1", 2}, "order_uploaded.v1").user_id, "u1");
  EXPECT_EQ(RoundTrip(OrderProcessingStarted{"12345678903", 3}, "order_processing_started.v1").at, 3);
  EXPECT_EQ(RoundTrip(OrderProcessed{"12345678903", "u1", {72998}, 4}, "order_processed.v1").accrual.hundredths, 72998);
  EXPECT_EQ(RoundTrip(OrderInvalidated{"12345678903", 5}, "order_invalidated.v1").number, "12345678903");
  EXPECT_EQ(RoundTrip(PointsAccrued{"u1", "12345678903", {1}, 6}, "points_accrued.v1").amount.hundredths, 1);
  EXPECT_EQ(
      RoundTrip(PointsWithdrawn{"u1", "2377225624", {kMaxPointsHundredths}, 7}, "points_withdrawn.v1").sum.hundredths,
      kMaxPointsHundredths);
  EXPECT_EQ(RoundTrip(WithdrawalPlaced{"2377225624", "u1", {10}, 8}, "withdrawal_placed.v1").user_id, "u1");
}

TEST(EventCodec, UnknownTypeIsAFault) { EXPECT_THROW((void)Decode("order_uploaded.v99", "{}"), std::runtime_error); }

}  // namespace
}  // namespace gm::infra
