#pragma once

#include <string>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace gm::infra {
namespace http {
class HttpServer;
}

// Runs `io` on `threads` threads until SIGINT or SIGTERM; then stops
// accepting, waits (bounded) for requests in flight and returns.
void RunUntilSignalled(boost::asio::io_context& io, http::HttpServer& server, unsigned threads,
                       const std::string& name);

}  // namespace gm::infra
