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
// The lists go by pages of SqlReadModels::kPageRows (the LIMIT below): the
// first page by user (asked together on a pipeline), the next ones from
// after the last item of the one before, found by its key (so a page needs
// no column more than the list shows).
constexpr SqlQuery kOrdersOf{
    "orders_of",
    "SELECT number, status, accrual, uploaded_at FROM orders_view WHERE user_id = ? "
    "ORDER BY position DESC LIMIT 1000",
    nullptr,
    "SELECT o.user_id, o.number, o.status, o.accrual, o.uploaded_at FROM unnest(?::text[]) AS u(id) "
    "CROSS JOIN LATERAL (SELECT * FROM orders_view WHERE user_id = u.id ORDER BY position DESC LIMIT 1000) AS o "
    "ORDER BY o.user_id, o.position DESC"};
constexpr SqlQuery kOrdersAfter{
    "orders_after",
    "SELECT number, status, accrual, uploaded_at FROM orders_view WHERE user_id = ?1 "
    "AND position < (SELECT position FROM orders_view WHERE number = ?2) ORDER BY position DESC LIMIT 1000"};
constexpr SqlQuery kBalanceOf{"balance_of", "SELECT current, withdrawn FROM balances_view WHERE user_id = ?",
                              nullptr,
                              "SELECT user_id, current, withdrawn FROM balances_view WHERE user_id = ANY(?::text[])"};
constexpr SqlQuery kWithdrawalsOf{
    "withdrawals_of",
    "SELECT order_number, sum, processed_at FROM withdrawals_view WHERE user_id = ? "
    "ORDER BY position DESC LIMIT 1000",
    nullptr,
    "SELECT w.user_id, w.order_number, w.sum, w.processed_at FROM unnest(?::text[]) AS u(id) "
    "CROSS JOIN LATERAL (SELECT * FROM withdrawals_view WHERE user_id = u.id ORDER BY position DESC LIMIT 1000) "
    "AS w ORDER BY w.user_id, w.position DESC"};
constexpr SqlQuery kWithdrawalsAfter{
    "withdrawals_after",
    "SELECT order_number, sum, processed_at FROM withdrawals_view WHERE user_id = ?1 "
    "AND position < (SELECT position FROM withdrawals_view WHERE order_number = ?2) ORDER BY position DESC LIMIT 1000"};

// A stream is read by its name, "account-<user id>", in pages as the lists.
constexpr SqlQuery kStreamEvents{
    "stream_events", "SELECT type, data, version FROM events WHERE stream = ? ORDER BY version LIMIT 1000", nullptr,
    "SELECT e.stream, e.type, e.data, e.version FROM unnest(?::text[]) AS s(name) CROSS JOIN LATERAL "
    "(SELECT * FROM events WHERE stream = s.name ORDER BY version LIMIT 1000) AS e ORDER BY e.stream, e.version"};
constexpr SqlQuery kStreamEventsAfter{
    "stream_events_after",
    "SELECT type, data, version FROM events WHERE stream = ? AND version > ? ORDER BY version LIMIT 1000"};

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

// Where the page after `rows` starts: the key in `column` of its last row,
// when the page is full.
std::string NextPage(const SqlRows& rows, int column) {
  return rows.Size() == SqlReadModels::kPageRows ? rows.Text(rows.Size() - 1, column) : std::string();
}

app::ListPage<app::OrderView> ReadOrders(const SqlRows& rows) {
  app::ListPage<app::OrderView> page;
  page.items.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) {
    page.items.push_back({rows.Text(row, 0), StatusFromColumn(rows.Text(row, 1)),
                          domain::Points{rows.IsNull(row, 2) ? 0 : rows.Int64(row, 2)}, rows.Int64(row, 3)});
  }
  page.next = NextPage(rows, 0);
  return page;
}

app::BalanceView ReadBalance(const SqlRows& rows) {
  if (rows.Size() == 0) return {};
  return {domain::Points{rows.Int64(0, 0)}, domain::Points{rows.Int64(0, 1)}};
}

app::ListPage<app::WithdrawalView> ReadWithdrawals(const SqlRows& rows) {
  app::ListPage<app::WithdrawalView> page;
  page.items.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) {
    page.items.push_back({rows.Text(row, 0), domain::Points{rows.Int64(row, 1)}, rows.Int64(row, 2)});
  }
  page.next = NextPage(rows, 0);
  return page;
}

app::ListPage<domain::Event> ReadEvents(const SqlRows& rows) {
  app::ListPage<domain::Event> page;
  page.items.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) page.items.push_back(Decode(rows.Text(row, 0), rows.Text(row, 1)));
  page.next = NextPage(rows, 2);
  return page;
}

}  // namespace

std::vector<SqlQuery> SqlReadModels::Queries() {
  return {kUserByLogin,   kOrdersOf,         kOrdersAfter,  kBalanceOf,
          kWithdrawalsOf, kWithdrawalsAfter, kStreamEvents, kStreamEventsAfter};
}

app::Async<std::optional<app::UserCredentialsView>> SqlReadModels::FindUserByLogin(const std::string& login) {
  return RunAndRead(executor_, kUserByLogin, Params(login), ReadUser);
}

app::Async<app::ListPage<app::OrderView>> SqlReadModels::OrdersOf(const std::string& user_id, std::string after) {
  if (after.empty()) return RunAndRead(executor_, kOrdersOf, Params(user_id), ReadOrders);
  return RunAndRead(executor_, kOrdersAfter, Params(user_id, std::move(after)), ReadOrders);
}

app::Async<app::BalanceView> SqlReadModels::BalanceOf(const std::string& user_id) {
  return RunAndRead(executor_, kBalanceOf, Params(user_id), ReadBalance);
}

app::Async<app::ListPage<app::WithdrawalView>> SqlReadModels::WithdrawalsOf(const std::string& user_id,
                                                                            std::string after) {
  if (after.empty()) return RunAndRead(executor_, kWithdrawalsOf, Params(user_id), ReadWithdrawals);
  return RunAndRead(executor_, kWithdrawalsAfter, Params(user_id, std::move(after)), ReadWithdrawals);
}

app::Async<app::ListPage<domain::Event>> SqlReadModels::AccountEventsOf(const std::string& user_id,
                                                                        std::string after) {
  if (after.empty()) return RunAndRead(executor_, kStreamEvents, Params(domain::AccountStream(user_id)), ReadEvents);
  return RunAndRead(executor_, kStreamEventsAfter, Params(domain::AccountStream(user_id), std::move(after)),
                    ReadEvents);
}

}  // namespace gm::infra::store
