#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

// A 429 one instance met, told to every instance over the control exchange
// (decision 0012), so that all of them pause their requests to the accrual
// system, not only the one that was refused.
namespace gm::infra::amqp {

struct PauseNotice {
  std::chrono::milliseconds retry_after{0};
  std::optional<int> requests_per_minute;  // the limit, when the accrual system said it
};

// "pause <retry_after_ms> <requests_per_minute, or 0>".
std::string FormatPauseNotice(const PauseNotice& notice);
// None for anything else. A pause longer than an hour is cut to an hour: a
// stray message cannot stop the work for longer.
std::optional<PauseNotice> ParsePauseNotice(std::string_view text);

}  // namespace gm::infra::amqp
