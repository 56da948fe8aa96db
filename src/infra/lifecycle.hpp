#pragma once

#include <string>
#include <vector>

namespace gm::infra {
class EventLoops;
namespace http {
class HttpServer;
}

// Runs `loops` until SIGINT or SIGTERM; then stops every listener, waits
// (bounded) for requests in flight and returns.
void RunUntilSignalled(EventLoops& loops, const std::vector<http::HttpServer*>& servers, const std::string& name);

}  // namespace gm::infra
