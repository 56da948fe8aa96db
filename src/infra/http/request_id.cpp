#include "infra/http/request_id.hpp"

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "infra/auth/random_hex.hpp"

namespace gm::infra::http {
namespace {

bool Acceptable(std::string_view id) {
  return !id.empty() && id.size() <= kMaxRequestIdLength &&
         std::all_of(id.begin(), id.end(), [](char c) { return c > ' ' && c < '\x7f'; });
}

std::string Generated() {
  static const std::string prefix = RandomHex(4) + "-";
  static std::atomic<std::uint64_t> counter{0};
  std::uint64_t n = counter.fetch_add(1, std::memory_order_relaxed);
  char digits[16];
  char* end = digits + sizeof digits;
  char* start = end;
  do {
    *--start = "0123456789abcdef"[n & 0xf];
    n >>= 4;
  } while (n != 0);
  std::string id;
  id.reserve(prefix.size() + static_cast<std::size_t>(end - start));
  return id.append(prefix).append(start, end);
}

}  // namespace

std::string RequestId(std::optional<std::string_view> incoming) {
  if (incoming && Acceptable(*incoming)) return std::string(*incoming);
  return Generated();
}

}  // namespace gm::infra::http
