#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "domain/events.hpp"

namespace gm::infra {

domain::TimeMs NowMs();

// RFC 3339 with an explicit UTC offset and whole seconds:
// "2020-12-10T15:15:45+00:00".
std::string FormatRfc3339(domain::TimeMs time);

// An RFC 3339 date-time ("2020-12-10T15:15:45+03:00",
// "2020-12-10t12:15:45.250Z"; a space for the 'T' too, as RFC 3339 allows)
// as milliseconds since the epoch; digits past the milliseconds are
// dropped. Nothing when the text is anything else or names a date or a
// time that does not exist.
std::optional<domain::TimeMs> ParseRfc3339(std::string_view text);

}  // namespace gm::infra
