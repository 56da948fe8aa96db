#pragma once

#include <functional>

#include "app/async_commands.hpp"
#include "app/ports.hpp"
#include "infra/auth/password_hasher.hpp"
#include "infra/auth/token_issuer.hpp"
#include "infra/http/router.hpp"
#include "infra/store/deferred.hpp"

namespace gm::infra::http {

// The loyalty API of SPEC §3: each handler parses, calls one application
// function and maps its outcome to a status code, in exactly one place.
class LoyaltyApi {
 public:
  // Argon2id work goes through `hashing` (a lane of its own), and so does
  // what follows it; everything else answers through callbacks.
  LoyaltyApi(app::AsyncCommands& commands, app::AsyncReadModels& queries, const PasswordHasher& hasher,
             store::Runner hashing, const TokenIssuer& tokens, std::function<void()> on_order_uploaded)
      : commands_(commands),
        queries_(queries),
        hasher_(hasher),
        hashing_(std::move(hashing)),
        tokens_(tokens),
        on_order_uploaded_(std::move(on_order_uploaded)) {}

  void AddRoutes(Router& router);

  void Register(const HttpRequest& request, Respond respond);
  void Login(const HttpRequest& request, Respond respond);
  void UploadOrder(const HttpRequest& request, const std::string& user_id, Respond respond);
  void Withdraw(const HttpRequest& request, const std::string& user_id, Respond respond);
  static HttpResponse OrdersAnswer(const std::vector<app::OrderView>& orders);
  static HttpResponse BalanceAnswer(const app::BalanceView& balance);
  static HttpResponse WithdrawalsAnswer(const std::vector<app::WithdrawalView>& withdrawals);

 private:
  HttpResponse Authenticated(const std::string& user_id) const;
  void OnHashingLane(const HttpRequest& request, Respond respond, std::function<void(Respond respond)> work) const;

  app::AsyncCommands& commands_;
  app::AsyncReadModels& queries_;
  const PasswordHasher& hasher_;
  store::Runner hashing_;
  const TokenIssuer& tokens_;
  std::function<void()> on_order_uploaded_;
};

}  // namespace gm::infra::http
