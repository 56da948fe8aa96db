#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>
#include <vector>

#include "infra/http/request.hpp"

namespace gm::infra::http {

// Where a blocking handler runs. Handlers that wait (a synchronous database
// call) never run on an I/O thread; kInline is for handlers that neither
// block nor take long. (Coroutine handlers run on the connection's event
// loop and hand their blocking work to a lane themselves: the loyalty API's
// Argon2id goes to a hashing lane of its own, so a burst of logins cannot
// starve ordinary requests.)
enum class Lane { kInline, kDatabase };

// The authenticated caller's user id; empty for public routes.
using Handler = std::function<HttpResponse(const HttpRequest&, const std::string& user_id)>;

// A handler that is a coroutine: the session awaits its response on the
// connection's event loop. The request and the user id outlive it. What it
// throws is answered as FailureResponse says.
using AsyncHandler =
    std::function<boost::asio::awaitable<HttpResponse>(const HttpRequest&, const std::string& user_id)>;

struct Route {
  std::string method;
  std::string path;  // a segment in braces, "/api/orders/{number}", matches any one segment
  Lane lane = Lane::kDatabase;
  bool authenticated = true;
  Handler handler;  // or, when set, async_handler instead:
  AsyncHandler async_handler = nullptr;
};

class Router {
 public:
  void Add(Route route) { routes_.push_back(std::move(route)); }

  struct Match {
    const Route* route = nullptr;  // null: see status
    unsigned status = 0;           // 404 or 405 when no route matched
    std::string allow;             // for 405: the methods the path accepts
  };
  [[nodiscard]] Match Find(const std::string& method, const std::string& path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace gm::infra::http
