#include "infra/lifecycle.hpp"

#include <boost/asio.hpp>
#include <thread>
#include <vector>

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

asio::awaitable<void> Drain(asio::io_context& io, std::vector<http::HttpServer*> servers) {
  for (auto* server : servers) server->Stop();
  asio::steady_timer timer(io);
  const auto deadline = std::chrono::steady_clock::now() + kDrainDeadline;
  while (InFlight(servers) > 0 && std::chrono::steady_clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(10));
    co_await timer.async_wait(asio::use_awaitable);
  }
  io.stop();
}

}  // namespace

void RunUntilSignalled(asio::io_context& io, const std::vector<http::HttpServer*>& servers, unsigned threads,
                       const std::string& name) {
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& error, int signal) {
    if (error) return;
    LogLine().Add("signal", std::int64_t{signal}).Info(name + " shutting down: draining requests in flight");
    asio::co_spawn(io, Drain(io, servers), asio::detached);
  });
  std::vector<std::thread> pool;
  for (unsigned i = 1; i < threads; ++i) pool.emplace_back([&io] { io.run(); });
  io.run();
  for (auto& thread : pool) thread.join();
}

}  // namespace gm::infra
