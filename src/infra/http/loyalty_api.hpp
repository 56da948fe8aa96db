#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <functional>

#include "app/command_service.hpp"
#include "app/ports.hpp"
#include "domain/account_history.hpp"
#include "infra/auth/login_throttle.hpp"
#include "infra/auth/password_hasher.hpp"
#include "infra/auth/token_issuer.hpp"
#include "infra/http/router.hpp"

namespace gm::infra::http {

// The loyalty API of SPEC §3: each handler is a coroutine that parses, awaits
// one application call and maps its outcome to a status code, in exactly one
// place.
class LoyaltyApi {
 public:
  // Argon2id runs on `hashing` (a thread pool's executor, a lane of its
  // own); everything else on the connection's event loop.
  // Sign-ins are throttled per login and per client address: the socket's
  // peer, or the value of `client_address_header` when set (a proxy's
  // X-Real-IP; only behind a proxy that sets it).
  struct SignIns {
    LoginThrottle& throttle;
    std::string client_address_header;  // lower case; empty: the peer
  };

  LoyaltyApi(app::CommandService& commands, app::AsyncReadModels& queries, const PasswordHasher& hasher,
             boost::asio::any_io_executor hashing, const TokenIssuer& tokens, SignIns sign_ins,
             std::function<void()> on_order_uploaded)
      : commands_(commands),
        queries_(queries),
        hasher_(hasher),
        hashing_(std::move(hashing)),
        tokens_(tokens),
        sign_ins_(std::move(sign_ins)),
        on_order_uploaded_(std::move(on_order_uploaded)) {}

  void AddRoutes(Router& router);

  // At most this many passwords wait for the hashing lane at once; past it,
  // a sign-up or sign-in is 503 with Retry-After at once, not a longer line.
  static constexpr std::size_t kMaxWaitingHashes = 64;

  boost::asio::awaitable<HttpResponse> Register(const HttpRequest& request);
  boost::asio::awaitable<HttpResponse> Login(const HttpRequest& request);
  boost::asio::awaitable<HttpResponse> UploadOrder(const HttpRequest& request, const std::string& user_id);
  boost::asio::awaitable<HttpResponse> Withdraw(const HttpRequest& request, const std::string& user_id);
  boost::asio::awaitable<HttpResponse> Orders(const std::string& user_id);
  // With `?at=<RFC 3339>`, the balance as it stood then, folded from the log.
  boost::asio::awaitable<HttpResponse> Balance(const HttpRequest& request, const std::string& user_id);
  boost::asio::awaitable<HttpResponse> History(const std::string& user_id);
  // Clears the cookie; a token stays valid until it expires.
  static HttpResponse Logout();
  boost::asio::awaitable<HttpResponse> Withdrawals(const std::string& user_id);
  static HttpResponse OrdersAnswer(const std::vector<app::OrderView>& orders);
  // One order as OrdersAnswer lists it; the balance as BalanceAnswer's body.
  static void AppendOrder(std::string& out, const app::OrderView& order);
  static std::string BalanceJson(const app::BalanceView& balance);
  static HttpResponse BalanceAnswer(const app::BalanceView& balance);
  static HttpResponse WithdrawalsAnswer(const std::vector<app::WithdrawalView>& withdrawals);
  static HttpResponse HistoryAnswer(const std::vector<domain::HistoryEntry>& history);  // newest first

 private:
  HttpResponse Authenticated(const std::string& user_id) const;
  [[nodiscard]] std::string ClientAddress(const HttpRequest& request) const;

  app::CommandService& commands_;
  app::AsyncReadModels& queries_;
  const PasswordHasher& hasher_;
  boost::asio::any_io_executor hashing_;
  const TokenIssuer& tokens_;
  SignIns sign_ins_;
  std::atomic<std::size_t> waiting_hashes_{0};
  std::function<void()> on_order_uploaded_;
};

}  // namespace gm::infra::http
