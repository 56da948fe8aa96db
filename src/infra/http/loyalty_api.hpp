#pragma once

#include <functional>

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
  LoyaltyApi(app::Commands& commands, app::ReadModels& read_models, app::AsyncReadModels& queries,
             const PasswordHasher& hasher, const TokenIssuer& tokens, std::function<void()> on_order_uploaded)
      : commands_(commands),
        read_models_(read_models),
        queries_(queries),
        hasher_(hasher),
        tokens_(tokens),
        on_order_uploaded_(std::move(on_order_uploaded)) {}

  void AddRoutes(Router& router);

  HttpResponse Register(const HttpRequest& request);
  HttpResponse Login(const HttpRequest& request);
  HttpResponse UploadOrder(const HttpRequest& request, const std::string& user_id);
  HttpResponse Withdraw(const HttpRequest& request, const std::string& user_id);
  static HttpResponse OrdersAnswer(const std::vector<app::OrderView>& orders);
  static HttpResponse BalanceAnswer(const app::BalanceView& balance);
  static HttpResponse WithdrawalsAnswer(const std::vector<app::WithdrawalView>& withdrawals);

 private:
  HttpResponse Authenticated(const std::string& user_id) const;

  app::Commands& commands_;
  app::ReadModels& read_models_;
  app::AsyncReadModels& queries_;
  const PasswordHasher& hasher_;
  const TokenIssuer& tokens_;
  std::function<void()> on_order_uploaded_;
};

}  // namespace gm::infra::http
