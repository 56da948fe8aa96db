#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <memory>

namespace gm::infra::http {

// How long a connection may wait for its client. When the deadline passes,
// the socket's pending read or write ends with operation_aborted, and
// Expired() says why; the caller checks Expired() before it starts another.
//
// Moving the deadline is a store. The timer is re-armed only when it fires
// before the deadline or the deadline comes closer, so a request costs no
// timer work (beast::tcp_stream arms and cancels a timer for every read and
// every write). The socket's loop is the only thread that may use it.
class ConnectionDeadline {
 public:
  explicit ConnectionDeadline(boost::asio::ip::tcp::socket& socket);
  // The timer stops and never touches the socket again.
  ~ConnectionDeadline();
  ConnectionDeadline(const ConnectionDeadline&) = delete;
  ConnectionDeadline& operator=(const ConnectionDeadline&) = delete;

  void ExpireAfter(std::chrono::steady_clock::duration timeout);
  [[nodiscard]] bool Expired() const;

 private:
  struct Watch;  // shared with the timer's pending wait, which may outlive this
  std::shared_ptr<Watch> watch_;
};

}  // namespace gm::infra::http
