#include "domain/order_number.hpp"

namespace gm::domain {

bool PassesLuhn(std::string_view digits) {
  int sum = 0;
  bool double_it = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int digit = *it - '0';
    if (double_it) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double_it = !double_it;
  }
  return sum % 10 == 0;
}

Result<OrderNumber, OrderNumberError> OrderNumber::Parse(std::string_view text) {
  if (text.empty()) return OrderNumberError::kEmpty;
  for (const char c : text) {
    if (c < '0' || c > '9') return OrderNumberError::kNotDigits;
  }
  if (text.size() > kMaxDigits) return OrderNumberError::kTooLong;
  if (!PassesLuhn(text)) return OrderNumberError::kFailsLuhn;
  return OrderNumber(std::string(text));
}

}  // namespace gm::domain
