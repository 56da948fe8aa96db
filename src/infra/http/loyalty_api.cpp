#include "infra/http/loyalty_api.hpp"

#include <boost/json.hpp>

#include "domain/credentials.hpp"
#include "domain/order_number.hpp"
#include "infra/auth/random_hex.hpp"
#include "infra/http/dispatcher.hpp"
#include "infra/http/json_body.hpp"
#include "infra/json/json_text.hpp"
#include "infra/time.hpp"

namespace gm::infra::http {
namespace {

namespace json = boost::json;
using domain::Result;

std::string_view TrimWhitespace(std::string_view text) {
  constexpr std::string_view kWhitespace = " \t\r\n";
  const auto first = text.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kWhitespace) - first + 1);
}

struct Credentials {
  std::string login;
  std::string password;
};

Result<Credentials, HttpResponse> ParseCredentials(const HttpRequest& request) {
  auto object = ParseJsonObject(request);
  if (!object) return object.Error();
  const auto* login = StringField(object.Value(), "login");
  const auto* password = StringField(object.Value(), "password");
  if (login == nullptr || password == nullptr) {
    return HttpResponse::Error(400, "login and password must be JSON strings");
  }
  if (auto broken = domain::CheckCredentials(*login, *password)) {
    switch (*broken) {
      case domain::CredentialsError::kLoginLength:
        return HttpResponse::Error(400, "login must be 1 to 64 characters");
      case domain::CredentialsError::kLoginCharacters:
        return HttpResponse::Error(400, "login must not contain control characters or surrounding spaces");
      case domain::CredentialsError::kPasswordLength:
        return HttpResponse::Error(400, "password must be 1 to 256 characters");
    }
  }
  return Credentials{std::string(*login), std::string(*password)};
}

// Renders a query's answer, or the failure that prevented one.
template <class T>
app::Answer<T> RespondWith(const HttpRequest& request, Respond respond, HttpResponse (*render)(const T&)) {
  return [&request, respond = std::move(respond), render](std::exception_ptr error, T value) {
    respond(error ? FailureResponse(request, error) : render(value));
  };
}

// Renders a command's outcome, or the failure that prevented one.
template <class R, class Render>
app::Reply<R> Answering(const HttpRequest& request, Respond respond, Render render) {
  return [&request, respond = std::move(respond), render = std::move(render)](std::exception_ptr error,
                                                                              std::optional<R> outcome) {
    respond(error ? FailureResponse(request, error) : render(*outcome));
  };
}

// A JSON array of `items`, each appended by `render` to one buffer.
template <class T, class Render>
std::string JsonList(const std::vector<T>& items, Render render) {
  std::string body;
  body.reserve(items.size() * 112 + 2);
  body += '[';
  for (const auto& item : items) {
    if (body.size() > 1) body += ',';
    render(body, item);
  }
  body += ']';
  return body;
}

Result<domain::OrderNumber, HttpResponse> ParseUpload(const HttpRequest& request) {
  if (auto refused = RequireMediaType(request, "text/plain")) return *refused;
  auto number = domain::OrderNumber::Parse(TrimWhitespace(request.body));
  if (!number) {
    switch (number.Error()) {
      case domain::OrderNumberError::kEmpty:
        return HttpResponse::Error(400, "the body must be an order number");
      case domain::OrderNumberError::kNotDigits:
        return HttpResponse::Error(422, "an order number is made of digits only");
      case domain::OrderNumberError::kTooLong:
        return HttpResponse::Error(422, "an order number has at most 32 digits");
      case domain::OrderNumberError::kFailsLuhn:
        return HttpResponse::Error(422, "the order number fails the Luhn check");
    }
  }
  return number.Value();
}

Result<domain::WithdrawPoints, HttpResponse> ParseWithdrawal(const HttpRequest& request, const std::string& user_id) {
  auto object = ParseJsonObject(request);
  if (!object) return object.Error();
  const auto* order_text = StringField(object.Value(), "order");
  const auto* sum_value = object.Value().if_contains("sum");
  if (order_text == nullptr) return HttpResponse::Error(400, "order must be a JSON string");
  if (sum_value == nullptr || !sum_value->is_number()) return HttpResponse::Error(400, "sum must be a JSON number");
  auto order = domain::OrderNumber::Parse(*order_text);
  if (!order) return HttpResponse::Error(422, "bad order number: digits passing the Luhn check expected");
  auto sum = PointsFromJson(*sum_value);
  if (!sum) {
    switch (sum.Error()) {
      case JsonPointsError::kNotANumber:
        return HttpResponse::Error(400, "sum must be a JSON number");
      case JsonPointsError::kTooPrecise:
        return HttpResponse::Error(422, "sum has more than two decimals");
      case JsonPointsError::kOutOfRange:
        return HttpResponse::Error(422, "sum is out of range");
    }
  }
  return domain::WithdrawPoints{user_id, order.Value(), sum.Value(), NowMs()};
}

}  // namespace

void LoyaltyApi::AddRoutes(Router& router) {
  router.Add({"POST", "/api/user/register", Lane::kInline, false, nullptr,
              [this](const HttpRequest& r, const std::string&, Respond respond) { Register(r, std::move(respond)); }});
  router.Add({"POST", "/api/user/login", Lane::kInline, false, nullptr,
              [this](const HttpRequest& r, const std::string&, Respond respond) { Login(r, std::move(respond)); }});
  router.Add({"POST", "/api/user/orders", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user, Respond respond) {
                UploadOrder(r, user, std::move(respond));
              }});
  router.Add({"GET", "/api/user/orders", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user, Respond respond) {
                queries_.OrdersOf(user, RespondWith(r, std::move(respond), &OrdersAnswer));
              }});
  router.Add({"GET", "/api/user/balance", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user, Respond respond) {
                queries_.BalanceOf(user, RespondWith(r, std::move(respond), &BalanceAnswer));
              }});
  router.Add({"POST", "/api/user/balance/withdraw", Lane::kInline, true, nullptr,
              [this](const HttpRequest& r, const std::string& user, Respond respond) {
                Withdraw(r, user, std::move(respond));
              }});
  for (const char* path : {"/api/user/withdrawals", "/api/user/balance/withdrawals"}) {
    router.Add({"GET", path, Lane::kInline, true, nullptr,
                [this](const HttpRequest& r, const std::string& user, Respond respond) {
                  queries_.WithdrawalsOf(user, RespondWith(r, std::move(respond), &WithdrawalsAnswer));
                }});
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

// Runs `work` (Argon2id, and what follows it) on the hashing lane; a throw
// from it becomes the answer.
void LoyaltyApi::OnHashingLane(const HttpRequest& request, Respond respond,
                               std::function<void(Respond respond)> work) const {
  hashing_([&request, respond = std::move(respond), work = std::move(work)]() mutable {
    auto answer = std::make_shared<Respond>(std::move(respond));
    try {
      work([answer](HttpResponse response) { (*answer)(std::move(response)); });
    } catch (...) {
      (*answer)(FailureResponse(request, std::current_exception()));
    }
  });
}

void LoyaltyApi::Register(const HttpRequest& request, Respond respond) {
  auto credentials = ParseCredentials(request);
  if (!credentials) return respond(credentials.Error());
  std::string login = std::move(credentials.Value().login);
  std::string password = std::move(credentials.Value().password);
  // A cheap early refusal, before the hash; the append is what really
  // guarantees uniqueness.
  queries_.FindUserByLogin(login, [this, &request, login, password, respond = std::move(respond)](
                                      std::exception_ptr error, std::optional<app::UserCredentialsView> user) mutable {
    if (error) return respond(FailureResponse(request, error));
    if (user) return respond(HttpResponse::Error(409, "login is taken"));
    OnHashingLane(request, std::move(respond), [this, &request, login, password](Respond answer) {
      const std::string user_id = RandomHex(16);
      commands_.Register({user_id, login, hasher_.Hash(password), NowMs()},
                         Answering<domain::Result<app::Done, domain::RegisterError>>(
                             request, std::move(answer), [this, user_id](const auto& registered) {
                               if (!registered) {
                                 switch (registered.Error()) {
                                   case domain::RegisterError::kLoginTaken:
                                     return HttpResponse::Error(409, "login is taken");
                                 }
                               }
                               return Authenticated(user_id);
                             }));
    });
  });
}

void LoyaltyApi::Login(const HttpRequest& request, Respond respond) {
  auto credentials = ParseCredentials(request);
  if (!credentials) return respond(credentials.Error());
  const std::string login = std::move(credentials.Value().login);
  std::string password = std::move(credentials.Value().password);
  queries_.FindUserByLogin(login, [this, &request, password, respond = std::move(respond)](
                                      std::exception_ptr error, std::optional<app::UserCredentialsView> user) mutable {
    if (error) return respond(FailureResponse(request, error));
    OnHashingLane(request, std::move(respond), [this, password, user = std::move(user)](Respond answer) {
      if (!user) {
        hasher_.VerifyNothing(password);  // the same time as a wrong password
        return answer(HttpResponse::Error(401, "wrong login or password"));
      }
      if (!hasher_.Verify(user->password_hash, password)) {
        return answer(HttpResponse::Error(401, "wrong login or password"));
      }
      answer(Authenticated(user->user_id));
    });
  });
}

void LoyaltyApi::UploadOrder(const HttpRequest& request, const std::string& user_id, Respond respond) {
  auto number = ParseUpload(request);
  if (!number) return respond(number.Error());
  commands_.UploadOrder(
      {number.Value(), user_id, NowMs()},
      Answering<domain::Result<bool, domain::UploadError>>(request, std::move(respond), [this](const auto& uploaded) {
        if (!uploaded) {
          switch (uploaded.Error()) {
            case domain::UploadError::kUploadedByAnotherUser:
              return HttpResponse::Error(409, "the order was uploaded by another user");
          }
        }
        if (!uploaded.Value()) return HttpResponse::Json(200, R"({"status":"already uploaded"})");
        if (on_order_uploaded_) on_order_uploaded_();
        return HttpResponse::Json(202, R"({"status":"accepted"})");
      }));
}

HttpResponse LoyaltyApi::OrdersAnswer(const std::vector<app::OrderView>& orders) {
  if (orders.empty()) return HttpResponse::Json(204, "");
  return HttpResponse::Json(200, JsonList(orders, [](std::string& out, const app::OrderView& order) {
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
                            }));
}

HttpResponse LoyaltyApi::BalanceAnswer(const app::BalanceView& balance) {
  return HttpResponse::Json(
      200, R"({"current":)" + JsonPoints(balance.current) + R"(,"withdrawn":)" + JsonPoints(balance.withdrawn) + "}");
}

void LoyaltyApi::Withdraw(const HttpRequest& request, const std::string& user_id, Respond respond) {
  auto command = ParseWithdrawal(request, user_id);
  if (!command) return respond(command.Error());
  commands_.Withdraw(command.Value(), Answering<domain::Result<app::Done, domain::WithdrawError>>(
                                          request, std::move(respond), [](const auto& withdrawn) {
                                            if (!withdrawn) {
                                              switch (withdrawn.Error()) {
                                                case domain::WithdrawError::kSumNotPositive:
                                                  return HttpResponse::Error(422, "sum must be positive");
                                                case domain::WithdrawError::kOrderUsedForAnotherWithdrawal:
                                                  return HttpResponse::Error(
                                                      409,
                                                      "this order number was already used for a different withdrawal");
                                                case domain::WithdrawError::kInsufficientPoints:
                                                  return HttpResponse::Error(402, "not enough points");
                                              }
                                            }
                                            return HttpResponse::Json(200, R"({"status":"ok"})");
                                          }));
}

HttpResponse LoyaltyApi::WithdrawalsAnswer(const std::vector<app::WithdrawalView>& withdrawals) {
  if (withdrawals.empty()) return HttpResponse::Json(204, "");
  return HttpResponse::Json(200, JsonList(withdrawals, [](std::string& out, const app::WithdrawalView& withdrawal) {
                              out += R"({"order":)";
                              out += JsonString(withdrawal.order);
                              out += R"(,"sum":)";
                              out += JsonPoints(withdrawal.sum);
                              out += R"(,"processed_at":")";
                              out += FormatRfc3339(withdrawal.processed_at);
                              out += "\"}";
                            }));
}

}  // namespace gm::infra::http
