#include "infra/http/loyalty_api.hpp"

#include <algorithm>

#include "domain/account_history.hpp"
#include "domain/order_number.hpp"
#include "infra/async.hpp"
#include "infra/auth/random_hex.hpp"
#include "infra/http/dispatcher.hpp"
#include "infra/http/json_list_stream.hpp"
#include "infra/http/request_bodies.hpp"
#include "infra/json/json_text.hpp"
#include "infra/time.hpp"

namespace gm::infra::http {
namespace {

namespace asio = boost::asio;
using domain::Result;

// `items` as a JSON array's members, each appended by `render` to one
// buffer, with commas between.
template <class T, class Render>
std::string JsonItems(const std::vector<T>& items, Render render, std::string body = {}) {
  const std::size_t start = body.size();
  body.reserve(start + items.size() * 112 + 1);
  for (const auto& item : items) {
    if (body.size() > start) body += ',';
    render(body, item);
  }
  return body;
}

template <class T, class Render>
std::string JsonList(const std::vector<T>& items, Render render) {
  std::string body = JsonItems(items, render, "[");
  body += ']';
  return body;
}

void AppendWithdrawal(std::string& out, const app::WithdrawalView& withdrawal) {
  out += R"({"order":)";
  out += JsonString(withdrawal.order);
  out += R"(,"sum":)";
  out += JsonPoints(withdrawal.sum);
  out += R"(,"processed_at":")";
  out += FormatRfc3339(withdrawal.processed_at);
  out += "\"}";
}

void AppendHistoryEntry(std::string& out, const domain::HistoryEntry& entry) {
  out += R"({"kind":")";
  out += entry.kind == domain::HistoryEntry::Kind::kAccrual ? "accrual" : "withdrawal";
  out += R"(","order":)";
  out += JsonString(entry.order);
  out += R"(,"amount":)";
  out += JsonPoints(entry.amount);
  out += R"(,"balance":)";
  out += JsonPoints(entry.balance);
  out += R"(,"at":")";
  out += FormatRfc3339(entry.at);
  out += "\"}";
}

// Where a page of the account stream began, as the history's first walk
// found it: read again from `after`, its first `events` are that page.
struct HistoryPageStart {
  std::string after;
  std::size_t events = 0;
  domain::AccountWalk walk;
};

// The pages of a list after its first, as JsonListStream asks for them.
asio::awaitable<JsonListStream::Page> OrdersPage(app::AsyncReadModels& queries, std::string user_id,
                                                 std::string after) {
  const auto page = co_await queries.OrdersOf(user_id, std::move(after));
  co_return JsonListStream::Page{JsonItems(page.items, LoyaltyApi::AppendOrder), page.next};
}

asio::awaitable<JsonListStream::Page> WithdrawalsPage(app::AsyncReadModels& queries, std::string user_id,
                                                      std::string after) {
  const auto page = co_await queries.WithdrawalsOf(user_id, std::move(after));
  co_return JsonListStream::Page{JsonItems(page.items, AppendWithdrawal), page.next};
}

// The history's page `page` (1-based, counting from the oldest; sent from
// the newest): read again, walked from where it began, newest first.
asio::awaitable<JsonListStream::Page> HistoryPage(app::AsyncReadModels& queries, std::string user_id,
                                                  std::shared_ptr<const std::vector<HistoryPageStart>> starts,
                                                  std::size_t page) {
  const auto& start = (*starts)[page - 1];
  auto events = co_await queries.AccountEventsOf(user_id, start.after);
  events.items.resize(std::min(events.items.size(), start.events));  // not what was appended since
  auto walk = start.walk;
  auto entries = domain::AccountHistory(events.items, walk);
  std::reverse(entries.begin(), entries.end());
  co_return JsonListStream::Page{JsonItems(entries, AppendHistoryEntry),
                                 page > 1 ? std::to_string(page - 1) : std::string()};
}

// A list longer than a page: 200 with the rest read as it is sent.
HttpResponse StreamedList(JsonListStream::Page first, JsonListStream::Fetch fetch) {
  HttpResponse response = HttpResponse::Json(200, "");
  response.stream = std::make_shared<JsonListStream>(std::move(first), std::move(fetch));
  return response;
}

// A place in the hashing lane's line, held while it lives; not held when
// the line is full.
class HashingPlace {
 public:
  explicit HashingPlace(std::atomic<std::size_t>& waiting)
      : waiting_(waiting), held_(waiting.fetch_add(1) < LoyaltyApi::kMaxWaitingHashes) {}
  ~HashingPlace() { --waiting_; }
  HashingPlace(const HashingPlace&) = delete;
  HashingPlace& operator=(const HashingPlace&) = delete;
  [[nodiscard]] bool Held() const { return held_; }

 private:
  std::atomic<std::size_t>& waiting_;
  bool held_;
};

// A sign-in attempt the throttle let through: settled as failed or
// succeeded, else (the database or the hashing lane could not take it)
// abandoned when it ends.
class SignInAttempt {
 public:
  SignInAttempt(LoginThrottle& throttle, std::string_view login, std::string_view address)
      : throttle_(throttle), login_(login), address_(address) {}
  ~SignInAttempt() {
    if (!settled_) throttle_.Abandoned(login_, address_);
  }
  SignInAttempt(const SignInAttempt&) = delete;
  SignInAttempt& operator=(const SignInAttempt&) = delete;
  void Settle(bool verified) {
    settled_ = true;
    if (verified) {
      throttle_.Succeeded(login_, address_);
    } else {
      throttle_.Failed(login_, address_, LoginThrottle::Clock::now());
    }
  }

 private:
  LoginThrottle& throttle_;
  std::string login_;
  std::string address_;
  bool settled_ = false;
};

HttpResponse HashingLaneFull() {
  auto response = HttpResponse::Error(503, "too many sign-ins at once, retry");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace

void LoyaltyApi::AddRoutes(Router& router) {
  router.Add({"POST", "/api/user/register", Lane::kInline, false, nullptr,
              [this](const HttpRequest& r, const std::string&) { return Register(r); }});
  router.Add({"POST", "/api/user/login", Lane::kInline, false, nullptr,
              [this](const HttpRequest& r, const std::string&) { return Login(r); }});
  router.Add({"POST", "/api/user/orders", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user) { return UploadOrder(r, user); }});
  router.Add({"GET", "/api/user/orders", Lane::kInline, true, nullptr,
              [this](const HttpRequest&, const std::string& user) { return Orders(user); }});
  router.Add({"GET", "/api/user/balance", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user) { return Balance(r, user); }});
  router.Add({"GET", "/api/user/balance/history", Lane::kInline, true, nullptr,
              [this](const HttpRequest&, const std::string& user) { return History(user); }});
  router.Add({"POST", "/api/user/logout", Lane::kInline, false,
              [](const HttpRequest&, const std::string&) { return Logout(); }});
  router.Add({"POST", "/api/user/balance/withdraw", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user) { return Withdraw(r, user); }});
  for (const char* path : {"/api/user/withdrawals", "/api/user/balance/withdrawals"}) {
    router.Add({"GET", path, Lane::kInline, true, nullptr,
                [this](const HttpRequest&, const std::string& user) { return Withdrawals(user); }});
  }
}

HttpResponse LoyaltyApi::Authenticated(const std::string& user_id) const {
  const std::string token = tokens_.Issue(user_id, NowMs());
  auto response = HttpResponse::Json(200, R"({"status":"ok"})");
  response.headers.emplace_back("Authorization", "Bearer " + token);
  response.headers.emplace_back("Set-Cookie", "token=" + token +
                                                  "; Path=/; Max-Age=" + std::to_string(tokens_.Lifetime().count()) +
                                                  "; HttpOnly; SameSite=Strict");
  return response;
}

std::string LoyaltyApi::ClientAddress(const HttpRequest& request) const {
  if (sign_ins_.client_address_header.empty()) return request.remote;
  const auto value = request.Header(sign_ins_.client_address_header);
  if (!value) return request.remote;
  // The last hop's, if the proxy appends to a list (X-Forwarded-For).
  const auto last = TrimWhitespace(value->substr(value->rfind(',') + 1));
  return last.empty() ? request.remote : std::string(last);
}

asio::awaitable<HttpResponse> LoyaltyApi::Register(const HttpRequest& request) {
  auto credentials = ParseCredentials(request);
  if (!credentials) co_return credentials.Error();
  const std::string& login = credentials.Value().login;
  const std::string& password = credentials.Value().password;
  // A cheap early refusal, before the hash; the append is what really
  // guarantees uniqueness.
  if (co_await queries_.FindUserByLogin(login)) co_return HttpResponse::Error(409, "login is taken");
  const HashingPlace place(waiting_hashes_);
  if (!place.Held()) co_return HashingLaneFull();
  const std::string hash = co_await RunOn(hashing_, [&] { return hasher_.Hash(password); });
  // Commands are named, not temporaries: GCC 12 destroys a temporary bound
  // to a reference inside a co_await expression twice.
  const domain::RegisterUser command{RandomHex(16), login, hash, NowMs()};
  const auto registered = co_await commands_.Register(command);
  if (!registered) {
    switch (registered.Error()) {
      case domain::RegisterError::kLoginTaken:
        co_return HttpResponse::Error(409, "login is taken");
    }
  }
  co_return Authenticated(command.user_id);
}

asio::awaitable<HttpResponse> LoyaltyApi::Login(const HttpRequest& request) {
  auto credentials = ParseCredentials(request);
  if (!credentials) co_return credentials.Error();
  const std::string& login = credentials.Value().login;
  const std::string& password = credentials.Value().password;
  // Checked before anything about the login is read, so a login that does
  // not exist waits exactly as one that does.
  const std::string address = ClientAddress(request);
  const auto wait = sign_ins_.throttle.Attempt(login, address, LoginThrottle::Clock::now());
  if (wait.count() > 0) {
    const auto seconds = std::to_string((wait.count() + 999) / 1000);
    auto refused = HttpResponse::Error(429, "too many failed sign-ins: try again in " + seconds + " s");
    refused.headers.emplace_back("Retry-After", seconds);
    co_return refused;
  }
  SignInAttempt attempt(sign_ins_.throttle, login, address);
  const auto user = co_await queries_.FindUserByLogin(login);
  const HashingPlace place(waiting_hashes_);
  if (!place.Held()) co_return HashingLaneFull();
  const bool verified = co_await RunOn(hashing_, [&] {
    if (!user) {
      hasher_.VerifyNothing(password);  // the same time as a wrong password
      return false;
    }
    return hasher_.Verify(user->password_hash, password);
  });
  attempt.Settle(verified);
  if (!verified) co_return HttpResponse::Error(401, "wrong login or password");
  co_return Authenticated(user->user_id);
}

asio::awaitable<HttpResponse> LoyaltyApi::UploadOrder(const HttpRequest& request, const std::string& user_id) {
  auto number = ParseUpload(request);
  if (!number) co_return number.Error();
  const domain::UploadOrder command{number.Value(), user_id, NowMs()};
  const auto uploaded = co_await commands_.UploadOrder(command);
  if (!uploaded) {
    switch (uploaded.Error()) {
      case domain::UploadError::kUploadedByAnotherUser:
        co_return HttpResponse::Error(409, "the order was uploaded by another user");
    }
  }
  if (!uploaded.Value()) co_return HttpResponse::Json(200, R"({"status":"already uploaded"})");
  if (on_order_uploaded_) on_order_uploaded_();
  co_return HttpResponse::Json(202, R"({"status":"accepted"})");
}

asio::awaitable<HttpResponse> LoyaltyApi::Orders(const std::string& user_id) {
  auto first = co_await queries_.OrdersOf(user_id, {});
  if (first.next.empty()) co_return OrdersAnswer(first.items);
  co_return StreamedList(
      {JsonItems(first.items, AppendOrder), std::move(first.next)},
      [&queries = queries_, user_id](std::string after) { return OrdersPage(queries, user_id, std::move(after)); });
}

asio::awaitable<HttpResponse> LoyaltyApi::Balance(const HttpRequest& request, const std::string& user_id) {
  if (request.query.empty()) co_return BalanceAnswer(co_await queries_.BalanceOf(user_id));
  const auto at = QueryParameter(request.query, "at");
  if (!at) co_return BalanceAnswer(co_await queries_.BalanceOf(user_id));
  const auto instant = ParseRfc3339(*at);
  if (!instant) co_return HttpResponse::Error(400, "at must be an RFC 3339 date-time, such as 2026-12-02T10:00:00Z");
  domain::AccountWalk walk;
  for (std::string after;;) {
    auto page = co_await queries_.AccountEventsOf(user_id, after);
    if (!domain::WalkUntil(page.items, *instant, walk) || page.next.empty()) break;
    after = std::move(page.next);
  }
  co_return BalanceAnswer({walk.state.current, walk.state.withdrawn});
}

asio::awaitable<HttpResponse> LoyaltyApi::History(const std::string& user_id) {
  // The running balance needs the stream from its start, and the answer
  // goes newest first: the stream is walked once a page at a time, keeping
  // where each page began, then sent from its last page back, each page
  // read again and walked from where it began. One page in memory at a
  // time, and a line per page.
  auto starts = std::make_shared<std::vector<HistoryPageStart>>();
  domain::AccountWalk walk;
  std::vector<domain::HistoryEntry> last;
  for (std::string after;;) {
    auto page = co_await queries_.AccountEventsOf(user_id, after);
    starts->push_back({after, page.items.size(), walk});
    last = domain::AccountHistory(page.items, walk);
    if (page.next.empty()) break;
    after = std::move(page.next);
  }
  std::reverse(last.begin(), last.end());  // newest first
  if (starts->size() == 1) co_return HistoryAnswer(last);
  co_return StreamedList({JsonItems(last, AppendHistoryEntry), std::to_string(starts->size() - 1)},
                         [&queries = queries_, user_id, starts](const std::string& page) {
                           return HistoryPage(queries, user_id, starts, std::stoul(page));
                         });
}

HttpResponse LoyaltyApi::Logout() {
  auto response = HttpResponse::Json(200, R"({"status":"ok"})");
  response.headers.emplace_back("Set-Cookie", "token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
  return response;
}

asio::awaitable<HttpResponse> LoyaltyApi::Withdrawals(const std::string& user_id) {
  auto first = co_await queries_.WithdrawalsOf(user_id, {});
  if (first.next.empty()) co_return WithdrawalsAnswer(first.items);
  co_return StreamedList({JsonItems(first.items, AppendWithdrawal), std::move(first.next)},
                         [&queries = queries_, user_id](std::string after) {
                           return WithdrawalsPage(queries, user_id, std::move(after));
                         });
}

void LoyaltyApi::AppendOrder(std::string& out, const app::OrderView& order) {
  out += R"({"number":)";
  out += JsonString(order.number);
  out += R"(,"status":")";
  out += domain::OrderStatusName(order.status);
  out += '"';
  if (order.accrual.hundredths > 0) {
    out += R"(,"accrual":)";
    out += JsonPoints(order.accrual);
  }
  out += R"(,"uploaded_at":")";
  out += FormatRfc3339(order.uploaded_at);
  out += "\"}";
}

HttpResponse LoyaltyApi::OrdersAnswer(const std::vector<app::OrderView>& orders) {
  if (orders.empty()) return HttpResponse::Json(204, "");
  return HttpResponse::Json(200, JsonList(orders, AppendOrder));
}

std::string LoyaltyApi::BalanceJson(const app::BalanceView& balance) {
  return R"({"current":)" + JsonPoints(balance.current) + R"(,"withdrawn":)" + JsonPoints(balance.withdrawn) + "}";
}

HttpResponse LoyaltyApi::BalanceAnswer(const app::BalanceView& balance) {
  return HttpResponse::Json(200, BalanceJson(balance));
}

asio::awaitable<HttpResponse> LoyaltyApi::Withdraw(const HttpRequest& request, const std::string& user_id) {
  auto command = ParseWithdrawal(request, user_id);
  if (!command) co_return command.Error();
  const auto withdrawn = co_await commands_.Withdraw(command.Value());
  if (!withdrawn) {
    switch (withdrawn.Error()) {
      case domain::WithdrawError::kSumNotPositive:
        co_return HttpResponse::Error(422, "sum must be positive");
      case domain::WithdrawError::kOrderUsedForAnotherWithdrawal:
        co_return HttpResponse::Error(409, "this order number was already used for a different withdrawal");
      case domain::WithdrawError::kInsufficientPoints:
        co_return HttpResponse::Error(402, "not enough points");
    }
  }
  co_return HttpResponse::Json(200, R"({"status":"ok"})");
}

HttpResponse LoyaltyApi::WithdrawalsAnswer(const std::vector<app::WithdrawalView>& withdrawals) {
  if (withdrawals.empty()) return HttpResponse::Json(204, "");
  return HttpResponse::Json(200, JsonList(withdrawals, AppendWithdrawal));
}

HttpResponse LoyaltyApi::HistoryAnswer(const std::vector<domain::HistoryEntry>& history) {
  if (history.empty()) return HttpResponse::Json(204, "");
  return HttpResponse::Json(200, JsonList(history, AppendHistoryEntry));
}

}  // namespace gm::infra::http
