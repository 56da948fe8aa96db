#pragma once

#include "infra/config/config.hpp"
#include "infra/http/dispatcher.hpp"
#include "infra/http/docs_site.hpp"
#include "infra/http/router.hpp"
#include "infra/http/server.hpp"

namespace gm::infra::http {

// The docs site on a listener of its own (OPENAPI_ADDRESS).
class DocsListener {
 public:
  DocsListener(boost::asio::io_context& io, boost::asio::thread_pool& lane, ApiDocument document,
               std::uint16_t api_port, ListenAddress address);

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

}  // namespace gm::infra::http
