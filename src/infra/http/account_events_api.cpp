#include "infra/http/account_events_api.hpp"

#include <boost/asio.hpp>
#include <charconv>

#include "domain/overloaded.hpp"
#include "infra/http/loyalty_api.hpp"
#include "infra/http/response_stream.hpp"
#include "infra/observability/log.hpp"

namespace gm::infra::http {
namespace {

namespace asio = boost::asio;
using store::LogCursor;

// Proxies close a connection that says nothing for a minute or so; a
// comment this often keeps the stream open.
constexpr std::chrono::seconds kKeepAliveEvery{15};
// What the stream asks its client to wait before it reconnects.
constexpr std::string_view kOpening = ": gophermart account events\nretry: 1000\n\n";
constexpr std::string_view kRetryAfterSeconds = "5";

class EventStream final : public ResponseStream {
 public:
  explicit EventStream(std::shared_ptr<live::Watcher> watcher) : watcher_(std::move(watcher)) {}

  asio::awaitable<std::string> Next() override {
    if (!opened_) {
      opened_ = true;
      co_return std::string(kOpening);
    }
    std::optional<std::vector<live::FeedMessage>> messages;
    std::string failure;
    try {
      messages = co_await watcher_->Next(kKeepAliveEvery);
    } catch (const std::exception& error) {
      failure = error.what();
    }
    if (!failure.empty()) {  // the log could not be read, or the client went away
      const auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() == asio::cancellation_type::none) {
        LogLine().Add("error", failure).Warn("an event stream ends: its catch-up read failed");
      }
      co_return std::string();
    }
    if (!messages) co_return std::string();  // dropped, or the service is stopping: the client comes back
    if (messages->empty()) co_return std::string(": keep-alive\n\n");
    co_return AccountEventsApi::Frames(*messages);
  }

 private:
  std::shared_ptr<live::Watcher> watcher_;
  bool opened_ = false;
};

std::optional<std::int64_t> ParseCount(std::string_view text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

HttpResponse RetryLater(unsigned status, std::string_view message) {
  auto response = HttpResponse::Error(status, message);
  response.headers.emplace_back("Retry-After", std::string(kRetryAfterSeconds));
  return response;
}

}  // namespace

void AccountEventsApi::AddRoutes(Router& router) {
  router.Add({"GET", "/api/user/events", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user) { return Open(r, user); }});
}

std::string AccountEventsApi::FormatId(LogCursor cursor) {
  return std::to_string(cursor.transaction) + "-" + std::to_string(cursor.position);
}

std::optional<LogCursor> AccountEventsApi::ParseId(std::string_view text) {
  const auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto transaction = ParseCount(text.substr(0, dash));
  const auto position = ParseCount(text.substr(dash + 1));
  if (!transaction || !position) return std::nullopt;
  return LogCursor{*transaction, *position};
}

std::string AccountEventsApi::Frames(const std::vector<live::FeedMessage>& messages) {
  std::string text;
  text.reserve(messages.size() * 160);
  for (const auto& message : messages) {
    text += "id: " + FormatId(message.cursor) + "\n";
    std::visit(domain::Overloaded{
                   [&](const domain::OrderStatusChanged& order) {
                     text += "event: order\ndata: ";
                     LoyaltyApi::AppendOrder(text, {order.number, order.status, order.accrual, message.uploaded_at});
                   },
                   [&](const domain::BalanceChanged& balance) {
                     text += "event: balance\ndata: ";
                     text += LoyaltyApi::BalanceJson({balance.balance.current, balance.balance.withdrawn});
                   },
               },
               message.update);
    text += "\n\n";
  }
  return text;
}

asio::awaitable<HttpResponse> AccountEventsApi::Open(const HttpRequest& request, const std::string& user_id) {
  std::optional<LogCursor> last_seen;
  if (const auto header = request.Header("last-event-id"); header && !header->empty()) {
    last_seen = ParseId(*header);
    if (!last_seen) co_return HttpResponse::Error(400, "Last-Event-ID must be the id of a message of this stream");
  }
  auto watcher = feed_.Watch(user_id, last_seen, co_await asio::this_coro::executor);
  if (!watcher) {
    switch (watcher.Error()) {
      case live::WatchRefusal::kTooManyForUser:
        co_return RetryLater(429, "too many event streams open for this user");
      case live::WatchRefusal::kTooMany:
        co_return RetryLater(503, "too many event streams open");
    }
  }
  HttpResponse response;
  response.status = 200;
  response.content_type = "text/event-stream";
  response.headers.emplace_back("Cache-Control", "no-store");
  response.headers.emplace_back("X-Accel-Buffering", "no");  // nginx: pass each message on at once
  response.stream = std::make_shared<EventStream>(std::move(watcher.Value()));
  co_return response;
}

}  // namespace gm::infra::http
