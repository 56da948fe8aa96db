#include "infra/lifecycle.hpp"

#include <boost/asio.hpp>
#include <vector>

#include "infra/async.hpp"
#include "infra/event_loops.hpp"
#include "infra/http/server.hpp"
#include "infra/observability/log.hpp"

namespace gm::infra {
namespace {

namespace asio = boost::asio;

constexpr std::chrono::seconds kDrainDeadline{20};

std::size_t InFlight(const std::vector<http::HttpServer*>& servers) {
  std::size_t total = 0;
  for (const auto* server : servers) total += server->InFlight();
  return total;
}

asio::awaitable<void> Drain(EventLoops& loops, std::vector<http::HttpServer*> servers) {
  for (auto* server : servers) server->Stop();
  asio::steady_timer timer(loops.Main());
  const auto deadline = std::chrono::steady_clock::now() + kDrainDeadline;
  while (InFlight(servers) > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::use_awaitable);
  }
  loops.Stop();
}

}  // namespace

void RunUntilSignalled(EventLoops& loops, const std::vector<http::HttpServer*>& servers, const std::string& name) {
  asio::signal_set signals(loops.Main(), SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    LogLine().Add("signal", std::int64_t{signal}).Info(name + " shutting down: draining requests in flight");
    asio::co_spawn(loops.Main(), Drain(loops, servers), LogFailure("shutdown drain failed"));
  });
  loops.Run();
}

}  // namespace gm::infra
