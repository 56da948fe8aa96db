#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "infra/http/router.hpp"

namespace gm::infra::http {

// One API description, as YAML and JSON, with the server URL it was written with.
struct ApiDocument {
  std::string_view yaml;
  std::string_view json;
  std::string_view written_server;  // e.g. "http://localhost:8080"
};

// The docs listener: the API description and an interactive page
// (swagger-ui-dist, served from the binary, so it works offline). The served
// documents name the running API: the host the browser used to reach the
// docs, on the API's port, so "Try it out" calls the right listener.
class DocsSite {
 public:
  DocsSite(ApiDocument document, std::uint16_t api_port) : document_(document), api_port_(api_port) {}

  void AddRoutes(Router& router) const;

  [[nodiscard]] std::string ServedDocument(std::string_view text, const HttpRequest& request) const;
  // Where the browser that sent `request` reaches the API.
  [[nodiscard]] std::string ApiOrigin(const HttpRequest& request) const;

 private:
  ApiDocument document_;
  std::uint16_t api_port_;
};

// The host part of a Host header, if it is a plain name or address; else "localhost".
std::string HostOf(std::string_view host_header);

}  // namespace gm::infra::http
