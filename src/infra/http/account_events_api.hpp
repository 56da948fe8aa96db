#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "infra/http/router.hpp"
#include "infra/live/account_feed.hpp"

namespace gm::infra::http {

// GET /api/user/events: the customer's orders and balance as they change,
// as Server-Sent Events (SPEC §3a). Every message's id is the cursor of the
// event behind it, so a client that comes back with Last-Event-ID gets what
// it missed, exactly once.
class AccountEventsApi {
 public:
  explicit AccountEventsApi(live::AccountFeed& feed) : feed_(feed) {}

  void AddRoutes(Router& router);
  boost::asio::awaitable<HttpResponse> Open(const HttpRequest& request, const std::string& user_id);

  // "<transaction>-<position>"; nothing for any other text.
  static std::string FormatId(store::LogCursor cursor);
  static std::optional<store::LogCursor> ParseId(std::string_view text);
  // The messages as the event stream's text: id, event, data, empty line.
  static std::string Frames(const std::vector<live::FeedMessage>& messages);

 private:
  live::AccountFeed& feed_;
};

}  // namespace gm::infra::http
