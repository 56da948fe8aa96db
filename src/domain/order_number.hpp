#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace gm::domain {

enum class OrderNumberError {
  kEmpty,
  kNotDigits,
  kTooLong,
  kFailsLuhn,
};

// An order number: ASCII digits passing the Luhn check. Kept as text, since
// numbers may be longer than any integer type and leading zeros matter.
class OrderNumber {
 public:
  // Card-like numbers are at most 19 digits; 32 leaves room without letting
  // a 5000-digit "number" into the log, the database or a stream name.
  static constexpr std::size_t kMaxDigits = 32;

  static Result<OrderNumber, OrderNumberError> Parse(std::string_view text);

  [[nodiscard]] const std::string& Digits() const { return digits_; }
  friend bool operator==(const OrderNumber&, const OrderNumber&) = default;

 private:
  explicit OrderNumber(std::string digits) : digits_(std::move(digits)) {}
  std::string digits_;
};

bool PassesLuhn(std::string_view digits);

}  // namespace gm::domain
