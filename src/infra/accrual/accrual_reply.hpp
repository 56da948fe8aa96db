#pragma once

#include <chrono>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include "domain/order.hpp"
#include "domain/points.hpp"

namespace gm::infra::accrual {

// What one answer of the accrual system means to us.
struct AccrualReply {
  enum class Kind {
    kResult,         // a status (and maybe an accrual) for the order
    kNotRegistered,  // 204: not there yet
    kRateLimited,    // 429: pause everyone for retry_after
    kFault,          // anything else: transient, back off and retry
  };
  Kind kind = Kind::kFault;
  domain::AccrualStatus status = domain::AccrualStatus::kRegistered;
  domain::Points accrual;
  std::chrono::seconds retry_after{0};
  std::optional<int> requests_per_minute;  // from the 429 body, when it says
  std::string fault;                       // for the log
};

// Used when a 429 carries no usable Retry-After.
inline constexpr std::chrono::seconds kDefaultRetryAfter{10};

// Never guesses a final status: garbage, an unknown status or an answer
// about another order is a fault, retried later.
AccrualReply InterpretReply(unsigned status, std::string_view retry_after, std::string_view body,
                            const std::string& expected_order, std::time_t now);

// Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3).
std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::time_t now);

// "No more than N requests per minute allowed" -> N.
std::optional<int> ParseRequestsPerMinute(std::string_view body);

}  // namespace gm::infra::accrual
