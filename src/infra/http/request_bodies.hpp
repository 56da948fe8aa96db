#pragma once

// What the loyalty API reads from a request's body before it touches the
// store: the credentials, the uploaded order number and the withdrawal,
// each checked, or the 4xx answer saying what is wrong. Apart from the
// handlers so that the fuzzing harnesses (tests/fuzz) drive exactly these.

#include <string>
#include <string_view>

#include "domain/order_number.hpp"
#include "domain/result.hpp"
#include "domain/withdrawal.hpp"
#include "infra/http/request.hpp"

namespace gm::infra::http {

// `text` without the spaces, tabs and line ends around it.
std::string_view TrimWhitespace(std::string_view text);

struct Credentials {
  std::string login;
  std::string password;
};

// POST /api/user/register and /api/user/login: {"login","password"}.
domain::Result<Credentials, HttpResponse> ParseCredentials(const HttpRequest& request);

// POST /api/user/orders: the number as text/plain.
domain::Result<domain::OrderNumber, HttpResponse> ParseUpload(const HttpRequest& request);

// POST /api/user/balance/withdraw: {"order","sum"}, as `user_id`'s command,
// stamped now.
domain::Result<domain::WithdrawPoints, HttpResponse> ParseWithdrawal(const HttpRequest& request,
                                                                     const std::string& user_id);

}  // namespace gm::infra::http
