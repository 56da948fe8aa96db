// Proves order numbers are digits passing Luhn, within a length bound.
#include <gtest/gtest.h>

#include "domain/order_number.hpp"

namespace gm::domain {
namespace {

TEST(OrderNumber, AcceptsNumbersPassingLuhn) {
  for (std::string_view text : {"12345678903", "9278923470", "2377225624", "79927398713", "0"}) {
    auto number = OrderNumber::Parse(text);
    ASSERT_TRUE(number.HasValue()) << text;
    EXPECT_EQ(number.Value().Digits(), text);
  }
}

TEST(OrderNumber, RefusesInOrderOfCheck) {
  EXPECT_EQ(OrderNumber::Parse("").Error(), OrderNumberError::kEmpty);
  EXPECT_EQ(OrderNumber::Parse("12a45").Error(), OrderNumberError::kNotDigits);
  EXPECT_EQ(OrderNumber::Parse("-12345678903").Error(), OrderNumberError::kNotDigits);
  EXPECT_EQ(OrderNumber::Parse(" 12345678903").Error(), OrderNumberError::kNotDigits);
  EXPECT_EQ(OrderNumber::Parse(std::string(5000, '0')).Error(), OrderNumberError::kTooLong);
  EXPECT_EQ(OrderNumber::Parse("12345678901").Error(), OrderNumberError::kFailsLuhn);
}

TEST(OrderNumber, LongestAllowedNumberIsAccepted) {
  EXPECT_TRUE(OrderNumber::Parse(std::string(OrderNumber::kMaxDigits, '0')).HasValue());
  EXPECT_EQ(OrderNumber::Parse(std::string(OrderNumber::kMaxDigits + 1, '0')).Error(), OrderNumberError::kTooLong);
}

}  // namespace
}  // namespace gm::domain
