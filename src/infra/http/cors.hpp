#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gm::infra::http {

// Which browser origins may call the API: only the docs page's, so that its
// "Try it out" works from the docs port and no other site's script can.
class CorsPolicy {
 public:
  // A docs listener on a loopback or wildcard host is reachable as any of
  // localhost, 127.0.0.1 and [::1]; otherwise only as its own host.
  CorsPolicy(const std::string& docs_host, std::uint16_t docs_port);

  [[nodiscard]] bool Allows(std::string_view origin) const;

 private:
  std::vector<std::string> origins_;
};

}  // namespace gm::infra::http
