#include "infra/store/async_read_models.hpp"

#include "infra/store/mapped_reply.hpp"
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

void PipelinedReadModels::FindUserByLogin(const std::string& login,
                                          app::Answer<std::optional<app::UserCredentialsView>> answer) {
  pool_.Query(kUserByLogin, {login}, Mapped(std::move(answer), [](const postgres::PgRows& rows) {
                std::optional<app::UserCredentialsView> user;
                if (rows.Size() > 0) user = app::UserCredentialsView{rows.Text(0, 0), rows.Text(0, 1)};
                return user;
              }));
}

void PipelinedReadModels::OrdersOf(const std::string& user_id, app::Answer<std::vector<app::OrderView>> answer) {
  pool_.Query(kOrdersOf, {user_id}, Mapped(std::move(answer), [](const postgres::PgRows& rows) {
                std::vector<app::OrderView> orders;
                orders.reserve(static_cast<std::size_t>(rows.Size()));
                for (int row = 0; row < rows.Size(); ++row) {
                  orders.push_back({rows.Text(row, 0), queries::StatusFromColumn(rows.Text(row, 1)),
                                    domain::Points{rows.IsNull(row, 2) ? 0 : rows.Int64(row, 2)}, rows.Int64(row, 3)});
                }
                return orders;
              }));
}

void PipelinedReadModels::BalanceOf(const std::string& user_id, app::Answer<app::BalanceView> answer) {
  pool_.Query(kBalanceOf, {user_id}, Mapped(std::move(answer), [](const postgres::PgRows& rows) {
                app::BalanceView balance;
                if (rows.Size() > 0) balance = {domain::Points{rows.Int64(0, 0)}, domain::Points{rows.Int64(0, 1)}};
                return balance;
              }));
}

void PipelinedReadModels::WithdrawalsOf(const std::string& user_id,
                                        app::Answer<std::vector<app::WithdrawalView>> answer) {
  pool_.Query(kWithdrawalsOf, {user_id}, Mapped(std::move(answer), [](const postgres::PgRows& rows) {
                std::vector<app::WithdrawalView> withdrawals;
                withdrawals.reserve(static_cast<std::size_t>(rows.Size()));
                for (int row = 0; row < rows.Size(); ++row) {
                  withdrawals.push_back({rows.Text(row, 0), domain::Points{rows.Int64(row, 1)}, rows.Int64(row, 2)});
                }
                return withdrawals;
              }));
}

void DeferredReadModels::FindUserByLogin(const std::string& login,
                                         app::Answer<std::optional<app::UserCredentialsView>> answer) {
  Defer(run_, std::move(answer), [this, login] { return models_.FindUserByLogin(login); });
}

void DeferredReadModels::OrdersOf(const std::string& user_id, app::Answer<std::vector<app::OrderView>> answer) {
  Defer(run_, std::move(answer), [this, user_id] { return models_.OrdersOf(user_id); });
}

void DeferredReadModels::BalanceOf(const std::string& user_id, app::Answer<app::BalanceView> answer) {
  Defer(run_, std::move(answer), [this, user_id] { return models_.BalanceOf(user_id); });
}

void DeferredReadModels::WithdrawalsOf(const std::string& user_id,
                                       app::Answer<std::vector<app::WithdrawalView>> answer) {
  Defer(run_, std::move(answer), [this, user_id] { return models_.WithdrawalsOf(user_id); });
}

}  // namespace gm::infra::store
