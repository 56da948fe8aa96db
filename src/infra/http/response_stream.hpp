#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

namespace gm::infra::http {

// A response body made while it is sent (HttpResponse::stream).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  // The next bytes to send, once there are some; empty when the body has
  // ended. Runs on the connection's loop; the server cancels it when the
  // client goes away.
  virtual boost::asio::awaitable<std::string> Next() = 0;
};

}  // namespace gm::infra::http
