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
  // An endless stream (Server-Sent Events) goes out as it is, its end
  // being the close. One that ends (a long list) goes out in chunks,
  // compressed when the client takes gzip, on a connection kept alive; a
  // fault midway closes the connection without the last chunk, so the
  // client sees the answer cut short, never a shorter answer.
  [[nodiscard]] virtual bool Endless() const { return true; }
};

}  // namespace gm::infra::http
