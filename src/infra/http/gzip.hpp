#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "domain/result.hpp"

namespace gm::infra::http {

enum class GunzipError {
  kCorrupt,   // not gzip, or truncated
  kTooLarge,  // would inflate past the cap (a "gzip bomb")
};

// Inflates a gzip body, stopping as soon as the output would pass
// `max_output_bytes`, so a tiny bomb never allocates its full size.
domain::Result<std::string, GunzipError> Gunzip(std::string_view compressed, std::size_t max_output_bytes);

std::string Gzip(std::string_view plain);

}  // namespace gm::infra::http
