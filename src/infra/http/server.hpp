#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "infra/config/config.hpp"
#include "infra/http/dispatcher.hpp"

namespace boost::asio {
class thread_pool;
}  // namespace boost::asio

namespace gm::infra {
class EventLoops;
class Metrics;
}  // namespace gm::infra

namespace gm::infra::http {

struct ServerOptions {
  ListenAddress address;
  std::size_t max_body_bytes = 1024 * 1024;          // on the wire; more is 413
  std::size_t max_decoded_body_bytes = 1024 * 1024;  // after gunzip; more is 413
  std::size_t gzip_min_bytes = 1024;                 // smaller responses are not worth compressing
  std::chrono::seconds read_timeout{15};             // per request, headers and body
  std::chrono::seconds idle_timeout{60};             // between requests on a kept-alive connection
  Metrics* metrics = nullptr;                        // counts every answer when set
  // Open connections at most; past it a new one is answered 503 and closed.
  // 0: from the file-descriptor limit (RLIMIT_NOFILE's soft value, less a
  // reserve of half of it, at most 256, for the database and the rest),
  // at most 10 000.
  std::size_t max_connections = 0;
};

// HTTP/1.1 on Beast with C++20 coroutines. Each connection stays on one of
// the event loops; a request is parsed and answered there, and a blocking
// handler runs on the database lane (a thread pool) meanwhile.
class HttpServer {
 public:
  HttpServer(EventLoops& loops, boost::asio::thread_pool& database_lane, const Dispatcher& dispatcher,
             ServerOptions options);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts accepting; throws std::runtime_error saying why not.
  void Start();
  // Stops accepting. Requests in flight finish; see InFlight().
  void Stop();
  [[nodiscard]] std::size_t InFlight() const;
  [[nodiscard]] std::uint16_t Port() const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gm::infra::http
