#pragma once

#include <cstddef>
#include <string>

namespace gm::infra {

// `bytes` bytes from the operating system's CSPRNG (libsodium), as hex.
std::string RandomHex(std::size_t bytes);

}  // namespace gm::infra
