#pragma once

#include <string>

#include "domain/events.hpp"

namespace gm::infra {

domain::TimeMs NowMs();

// RFC 3339 with an explicit UTC offset and whole seconds:
// "2020-12-10T15:15:45+00:00".
std::string FormatRfc3339(domain::TimeMs time);

}  // namespace gm::infra
