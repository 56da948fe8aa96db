#pragma once

#include <functional>
#include <string>
#include <vector>

#include "infra/http/request.hpp"

namespace gm::infra::http {

// Where a blocking handler runs. Handlers that wait (a synchronous database
// call) never run on an I/O thread; kInline is for handlers that neither
// block nor take long. (Asynchronous handlers run inline and hand their
// blocking work to a lane themselves: the loyalty API's Argon2id goes to a
// hashing lane of its own, so a burst of logins cannot starve ordinary
// requests.)
enum class Lane { kInline, kDatabase };

// The authenticated caller's user id; empty for public routes.
using Handler = std::function<HttpResponse(const HttpRequest&, const std::string& user_id)>;

// A handler that starts its work and returns at once; it calls `respond`
// exactly once, from any thread. It runs on the I/O thread. The request
// outlives the call to `respond`.
using Respond = std::function<void(HttpResponse)>;
using AsyncHandler = std::function<void(const HttpRequest&, const std::string& user_id, Respond respond)>;

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
