#pragma once

#include <functional>

#include "app/async_commands.hpp"
#include "app/commands.hpp"
#include "app/ports.hpp"
#include "infra/auth/password_hasher.hpp"
#include "infra/auth/token_issuer.hpp"
#include "infra/http/router.hpp"

namespace gm::infra::http {

// The loyalty API of SPEC §3: each handler parses, calls one application
// function and maps its outcome to a status code, in exactly one place.
class LoyaltyApi {
 public:
  LoyaltyApi(app::Commands& commands, app::AsyncCommands& async_commands, app::ReadModels& read_models,
             app::AsyncReadModels& queries, const PasswordHasher& hasher, const TokenIssuer& tokens,
             std::function<void()> on_order_uploaded)
      : commands_(commands),
        async_commands_(async_commands),
        read_models_(read_models),
        queries_(queries),
        hasher_(hasher),
        tokens_(tokens),
        on_order_uploaded_(std::move(on_order_uploaded)) {}

  void AddRoutes(Router& router);

  HttpResponse Register(const HttpRequest& request);
  HttpResponse Login(const HttpRequest& request);
  void UploadOrder(const HttpRequest& request, const std::string& user_id, Respond respond);
  void Withdraw(const HttpRequest& request, const std::string& user_id, Respond respond);
  static HttpResponse OrdersAnswer(const std::vector<app::OrderView>& orders);
  static HttpResponse BalanceAnswer(const app::BalanceView& balance);
  static HttpResponse WithdrawalsAnswer(const std::vector<app::WithdrawalView>& withdrawals);

 private:
  HttpResponse Authenticated(const std::string& user_id) const;

  app::Commands& commands_;
  app::AsyncCommands& async_commands_;
  app::ReadModels& read_models_;
  app::AsyncReadModels& queries_;
  const PasswordHasher& hasher_;
  const TokenIssuer& tokens_;
  std::function<void()> on_order_uploaded_;
};

}  // namespace gm::infra::http
