#pragma once

#include <string>
#include <vector>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace gm::infra {
namespace http {
class HttpServer;
}

// Runs `io` on `threads` threads until SIGINT or SIGTERM; then stops every
// listener, waits (bounded) for requests in flight and returns.
void RunUntilSignalled(boost::asio::io_context& io, const std::vector<http::HttpServer*>& servers, unsigned threads,
                       const std::string& name);

}  // namespace gm::infra
