#include "infra/store/async_read_models.hpp"

#include "infra/async.hpp"
#include "infra/store/read_model_queries.hpp"

namespace gm::infra::store {
namespace {

constexpr const char* kOrdersOf = "orders_of";
constexpr const char* kUserByLogin = "user_by_login";
constexpr const char* kBalanceOf = "balance_of";
constexpr const char* kWithdrawalsOf = "withdrawals_of";

}  // namespace

std::vector<postgres::PgStatementText> PipelinedReadModels::Statements() {
  return {{kUserByLogin, queries::kUserByLogin},
          {kOrdersOf, queries::kOrdersOf, queries::kOrdersOfMany},
          {kBalanceOf, queries::kBalanceOf, queries::kBalancesOfMany},
          {kWithdrawalsOf, queries::kWithdrawalsOf, queries::kWithdrawalsOfMany}};
}

app::Async<std::optional<app::UserCredentialsView>> PipelinedReadModels::FindUserByLogin(const std::string& login) {
  const auto rows = co_await pool_.Ask(kUserByLogin, postgres::Params(login));
  postgres::PgRowCursor cursor(rows);
  co_return queries::ReadUser(cursor);
}

app::Async<std::vector<app::OrderView>> PipelinedReadModels::OrdersOf(const std::string& user_id) {
  const auto rows = co_await pool_.Ask(kOrdersOf, postgres::Params(user_id));
  postgres::PgRowCursor cursor(rows);
  co_return queries::ReadOrders(cursor);
}

app::Async<app::BalanceView> PipelinedReadModels::BalanceOf(const std::string& user_id) {
  const auto rows = co_await pool_.Ask(kBalanceOf, postgres::Params(user_id));
  postgres::PgRowCursor cursor(rows);
  co_return queries::ReadBalance(cursor);
}

app::Async<std::vector<app::WithdrawalView>> PipelinedReadModels::WithdrawalsOf(const std::string& user_id) {
  const auto rows = co_await pool_.Ask(kWithdrawalsOf, postgres::Params(user_id));
  postgres::PgRowCursor cursor(rows);
  co_return queries::ReadWithdrawals(cursor);
}

app::Async<std::optional<app::UserCredentialsView>> DeferredReadModels::FindUserByLogin(const std::string& login) {
  co_return co_await RunOn(lane_, [&] { return models_.FindUserByLogin(login); });
}

app::Async<std::vector<app::OrderView>> DeferredReadModels::OrdersOf(const std::string& user_id) {
  co_return co_await RunOn(lane_, [&] { return models_.OrdersOf(user_id); });
}

app::Async<app::BalanceView> DeferredReadModels::BalanceOf(const std::string& user_id) {
  co_return co_await RunOn(lane_, [&] { return models_.BalanceOf(user_id); });
}

app::Async<std::vector<app::WithdrawalView>> DeferredReadModels::WithdrawalsOf(const std::string& user_id) {
  co_return co_await RunOn(lane_, [&] { return models_.WithdrawalsOf(user_id); });
}

}  // namespace gm::infra::store
