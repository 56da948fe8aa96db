#include "infra/http/docs_listener.hpp"

#include <stdexcept>

namespace gm::infra::http {
namespace {

ServerOptions DocsOptions(const ListenAddress& address) {
  ServerOptions options;
  options.address = address;
  options.max_body_bytes = 16 * 1024;  // the docs take no bodies
  return options;
}

}  // namespace

DocsListener::DocsListener(EventLoops& loops, boost::asio::thread_pool& lane, ApiDocument document,
                           std::uint16_t api_port, ListenAddress address)
    : site_(document, api_port),
      dispatcher_(router_, nullptr),
      server_(loops, lane, dispatcher_, DocsOptions(address)),
      address_(std::move(address)) {
  site_.AddRoutes(router_);
}

void DocsListener::Start() {
  try {
    server_.Start();
  } catch (const std::exception& error) {
    throw std::runtime_error(std::string("OPENAPI_ADDRESS: ") + error.what());
  }
}

std::unique_ptr<CorsPolicy> CorsForDocs(const std::optional<ListenAddress>& docs) {
  return docs ? std::make_unique<CorsPolicy>(docs->host, docs->port) : nullptr;
}

std::unique_ptr<DocsListener> StartDocs(EventLoops& loops, boost::asio::thread_pool& lane, ApiDocument document,
                                        std::uint16_t api_port, const std::optional<ListenAddress>& address) {
  if (!address) return nullptr;
  auto docs = std::make_unique<DocsListener>(loops, lane, document, api_port, *address);
  docs->Start();
  return docs;
}

std::string DocsListener::Url() const { return "http://" + address_.host + ":" + std::to_string(server_.Port()) + "/"; }

}  // namespace gm::infra::http
