#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace gm::infra::http {

// Longest X-Request-Id taken from a client; a longer one is replaced.
inline constexpr std::size_t kMaxRequestIdLength = 128;

// The id of one request: the client's X-Request-Id when it is 1 to
// kMaxRequestIdLength visible ASCII characters (so it cannot break a log
// line or a header), else one made here, unique within this process and
// unlikely to repeat across processes: "<8 random hex>-<counter in hex>".
std::string RequestId(std::optional<std::string_view> incoming);

}  // namespace gm::infra::http
