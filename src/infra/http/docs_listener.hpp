#pragma once

#include <memory>
#include <optional>

#include "infra/config/config.hpp"
#include "infra/http/cors.hpp"
#include "infra/http/dispatcher.hpp"
#include "infra/http/docs_site.hpp"
#include "infra/http/router.hpp"
#include "infra/http/server.hpp"

namespace gm::infra::http {

// The docs site on a listener of its own (OPENAPI_ADDRESS).
class DocsListener {
 public:
  DocsListener(EventLoops& loops, boost::asio::thread_pool& lane, ApiDocument document, std::uint16_t api_port,
               ListenAddress address);

  // Throws std::runtime_error naming OPENAPI_ADDRESS when it cannot listen.
  void Start();
  HttpServer& Server() { return server_; }
  [[nodiscard]] std::string Url() const;

 private:
  DocsSite site_;
  Router router_;
  Dispatcher dispatcher_;
  HttpServer server_;
  ListenAddress address_;
};

// What an API listener allows through CORS: the docs origin when docs are
// served, nothing otherwise (null).
std::unique_ptr<CorsPolicy> CorsForDocs(const std::optional<ListenAddress>& docs);

// Starts the docs listener when `address` is set; throws naming OPENAPI_ADDRESS.
std::unique_ptr<DocsListener> StartDocs(EventLoops& loops, boost::asio::thread_pool& lane, ApiDocument document,
                                        std::uint16_t api_port, const std::optional<ListenAddress>& address);

}  // namespace gm::infra::http
