#include "infra/http/cors.hpp"

#include <algorithm>

namespace gm::infra::http {

CorsPolicy::CorsPolicy(const std::string& docs_host, std::uint16_t docs_port) {
  const std::string port = std::string(":").append(std::to_string(docs_port));
  const bool loopback_or_any = docs_host == "localhost" || docs_host == "0.0.0.0" || docs_host == "::" ||
                               docs_host.starts_with("127.") || docs_host == "::1";
  if (loopback_or_any) {
    for (const char* host : {"localhost", "127.0.0.1", "[::1]"})
      origins_.push_back("http://" + std::string(host) + port);
  }
  const std::string own = docs_host.find(':') != std::string::npos ? "[" + docs_host + "]" : docs_host;
  origins_.push_back("http://" + own + port);
}

bool CorsPolicy::Allows(std::string_view origin) const {
  return std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

}  // namespace gm::infra::http
