#include "infra/store/read_models.hpp"

#include <string_view>

#include "domain/order.hpp"
#include "infra/store/event_codec.hpp"

namespace gm::infra::store {
namespace {

// Each lookup by user also has its form for many users at once, each row
// led by its user: PostgreSQL's pipeline asks that when several requests
// for one query meet in a batch.
constexpr SqlQuery kUserByLogin{"user_by_login", "SELECT user_id, password_hash FROM users_view WHERE login = ?"};
constexpr SqlQuery kOrdersOf{
    "orders_of",
    "SELECT number, status, accrual, uploaded_at FROM orders_view WHERE user_id = ? ORDER BY position DESC",
    nullptr,
    "SELECT user_id, number, status, accrual, uploaded_at FROM orders_view WHERE user_id = ANY(?::text[]) "
    "ORDER BY user_id, position DESC"};
constexpr SqlQuery kBalanceOf{"balance_of", "SELECT current, withdrawn FROM balances_view WHERE user_id = ?",
                              nullptr,
                              "SELECT user_id, current, withdrawn FROM balances_view WHERE user_id = ANY(?::text[])"};
constexpr SqlQuery kWithdrawalsOf{
    "withdrawals_of",
    "SELECT order_number, sum, processed_at FROM withdrawals_view WHERE user_id = ? ORDER BY position DESC",
    nullptr,
    "SELECT user_id, order_number, sum, processed_at FROM withdrawals_view WHERE user_id = ANY(?::text[]) "
    "ORDER BY user_id, position DESC"};

// A stream is read by its name, "account-<user id>".
constexpr SqlQuery kStreamEvents{
    "stream_events", "SELECT type, data FROM events WHERE stream = ? ORDER BY version", nullptr,
    "SELECT stream, type, data FROM events WHERE stream = ANY(?::text[]) ORDER BY stream, version"};

domain::OrderStatus StatusFromColumn(std::string_view name) {
  if (name == "PROCESSING") return domain::OrderStatus::kProcessing;
  if (name == "INVALID") return domain::OrderStatus::kInvalid;
  if (name == "PROCESSED") return domain::OrderStatus::kProcessed;
  return domain::OrderStatus::kNew;
}

std::optional<app::UserCredentialsView> ReadUser(const SqlRows& rows) {
  if (rows.Size() == 0) return std::nullopt;
  return app::UserCredentialsView{rows.Text(0, 0), rows.Text(0, 1)};
}

std::vector<app::OrderView> ReadOrders(const SqlRows& rows) {
  std::vector<app::OrderView> orders;
  orders.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) {
    orders.push_back({rows.Text(row, 0), StatusFromColumn(rows.Text(row, 1)),
                      domain::Points{rows.IsNull(row, 2) ? 0 : rows.Int64(row, 2)}, rows.Int64(row, 3)});
  }
  return orders;
}

app::BalanceView ReadBalance(const SqlRows& rows) {
  if (rows.Size() == 0) return {};
  return {domain::Points{rows.Int64(0, 0)}, domain::Points{rows.Int64(0, 1)}};
}

std::vector<app::WithdrawalView> ReadWithdrawals(const SqlRows& rows) {
  std::vector<app::WithdrawalView> withdrawals;
  withdrawals.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) {
    withdrawals.push_back({rows.Text(row, 0), domain::Points{rows.Int64(row, 1)}, rows.Int64(row, 2)});
  }
  return withdrawals;
}

std::vector<domain::Event> ReadEvents(const SqlRows& rows) {
  std::vector<domain::Event> events;
  events.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) events.push_back(Decode(rows.Text(row, 0), rows.Text(row, 1)));
  return events;
}

}  // namespace

std::vector<SqlQuery> SqlReadModels::Queries() {
  return {kUserByLogin, kOrdersOf, kBalanceOf, kWithdrawalsOf, kStreamEvents};
}

app::Async<std::optional<app::UserCredentialsView>> SqlReadModels::FindUserByLogin(const std::string& login) {
  return RunAndRead(executor_, kUserByLogin, Params(login), ReadUser);
}

app::Async<std::vector<app::OrderView>> SqlReadModels::OrdersOf(const std::string& user_id) {
  return RunAndRead(executor_, kOrdersOf, Params(user_id), ReadOrders);
}

app::Async<app::BalanceView> SqlReadModels::BalanceOf(const std::string& user_id) {
  return RunAndRead(executor_, kBalanceOf, Params(user_id), ReadBalance);
}

app::Async<std::vector<app::WithdrawalView>> SqlReadModels::WithdrawalsOf(const std::string& user_id) {
  return RunAndRead(executor_, kWithdrawalsOf, Params(user_id), ReadWithdrawals);
}

app::Async<std::vector<domain::Event>> SqlReadModels::AccountEventsOf(const std::string& user_id) {
  return RunAndRead(executor_, kStreamEvents, Params(domain::AccountStream(user_id)), ReadEvents);
}

}  // namespace gm::infra::store
