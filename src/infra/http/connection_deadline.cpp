#include "infra/http/connection_deadline.hpp"

#include <boost/asio/steady_timer.hpp>

namespace gm::infra::http {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

struct ConnectionDeadline::Watch : std::enable_shared_from_this<Watch> {
  explicit Watch(asio::ip::tcp::socket& s) : socket(&s), timer(s.get_executor()) {}

  asio::ip::tcp::socket* socket;  // null once the connection is gone
  asio::steady_timer timer;
  Clock::time_point deadline;
  bool armed = false;
  bool expired = false;

  void Arm() {
    armed = true;
    // A new expiry cancels the wait before it; that one's handler sees
    // operation_aborted and does nothing.
    timer.expires_at(deadline);
    timer.async_wait([self = shared_from_this()](const boost::system::error_code& error) {
      if (error != asio::error::operation_aborted) self->Fire();
    });
  }

  void Fire() {
    if (socket == nullptr) return;
    if (Clock::now() < deadline) {
      Arm();  // the deadline moved on since the timer was set
      return;
    }
    armed = false;
    expired = true;
    boost::system::error_code ignored;
    socket->cancel(ignored);
  }
};

ConnectionDeadline::ConnectionDeadline(asio::ip::tcp::socket& socket) : watch_(std::make_shared<Watch>(socket)) {}

ConnectionDeadline::~ConnectionDeadline() {
  watch_->socket = nullptr;
  watch_->timer.cancel();
}

void ConnectionDeadline::ExpireAfter(Clock::duration timeout) {
  watch_->deadline = Clock::now() + timeout;
  watch_->expired = false;
  if (!watch_->armed || watch_->deadline < watch_->timer.expiry()) watch_->Arm();
}

bool ConnectionDeadline::Expired() const { return watch_->expired; }

}  // namespace gm::infra::http
