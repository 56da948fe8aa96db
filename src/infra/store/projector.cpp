#include "infra/store/projector.hpp"
#include "domain/overloaded.hpp"

#include <string>

#include "domain/order.hpp"

namespace gm::infra::store {
namespace {

void SetStatus(sql::Connection& c, const std::string& number, domain::OrderStatus status) {
  c.Prepare("UPDATE orders_view SET status = ? WHERE number = ?")
      .Bind(1, domain::OrderStatusName(status))
      .Bind(2, number)
      .Run();
}

void LeaveQueue(sql::Connection& c, const std::string& number) {
  c.Prepare("DELETE FROM accrual_queue WHERE order_number = ?").Bind(1, number).Run();
}

}  // namespace

// Binds the known position, or NULL so the SQL falls back to the last insert.
void BindPosition(sql::Statement& statement, int index, std::optional<std::int64_t> position) {
  if (position) {
    statement.Bind(index, *position);
  } else {
    statement.BindNull(index);
  }
}

void Project(sql::Connection& c, const domain::Event& event, std::optional<std::int64_t> position) {
  using namespace domain;
  std::visit(
      domain::Overloaded{
          [&](const UserRegistered& e) {
            c.Prepare("INSERT INTO users_view (user_id, login, password_hash, registered_at) VALUES (?, ?, ?, ?)")
                .Bind(1, e.user_id)
                .Bind(2, e.login)
                .Bind(3, e.password_hash)
                .Bind(4, e.at)
                .Run();
            c.Prepare("INSERT INTO balances_view (user_id, current, withdrawn) VALUES (?, 0, 0)")
                .Bind(1, e.user_id)
                .Run();
          },
          [&](const OrderUploaded& e) {
            auto insert = c.Prepare(
                "INSERT INTO orders_view (number, user_id, status, accrual, uploaded_at, position) "
                "VALUES (?, ?, 'NEW', NULL, ?, COALESCE(?, last_insert_rowid()))");
            insert.Bind(1, e.number).Bind(2, e.user_id).Bind(3, e.at);
            BindPosition(insert, 4, position);
            insert.Run();
            c.Prepare("INSERT INTO accrual_queue (order_number, next_attempt_at) VALUES (?, ?)")
                .Bind(1, e.number)
                .Bind(2, e.at)
                .Run();
          },
          [&](const OrderProcessingStarted& e) { SetStatus(c, e.number, OrderStatus::kProcessing); },
          [&](const OrderProcessed& e) {
            c.Prepare("UPDATE orders_view SET status = 'PROCESSED', accrual = ? WHERE number = ?")
                .Bind(1, e.accrual.hundredths)
                .Bind(2, e.number)
                .Run();
            LeaveQueue(c, e.number);
          },
          [&](const OrderInvalidated& e) {
            SetStatus(c, e.number, OrderStatus::kInvalid);
            LeaveQueue(c, e.number);
          },
          [&](const PointsAccrued& e) {
            c.Prepare(
                 "UPDATE balances_view SET current = current + ?, account_version = account_version + 1 "
                 "WHERE user_id = ?")
                .Bind(1, e.amount.hundredths)
                .Bind(2, e.user_id)
                .Run();
          },
          [&](const PointsWithdrawn& e) {
            c.Prepare(
                 "UPDATE balances_view SET current = current - ?, withdrawn = withdrawn + ?, "
                 "account_version = account_version + 1 WHERE user_id = ?")
                .Bind(1, e.sum.hundredths)
                .Bind(2, e.sum.hundredths)
                .Bind(3, e.user_id)
                .Run();
            auto insert = c.Prepare(
                "INSERT INTO withdrawals_view (order_number, user_id, sum, processed_at, position) "
                "VALUES (?, ?, ?, ?, COALESCE(?, last_insert_rowid()))");
            insert.Bind(1, e.order).Bind(2, e.user_id).Bind(3, e.sum.hundredths).Bind(4, e.at);
            BindPosition(insert, 5, position);
            insert.Run();
          },
          [&](const WithdrawalPlaced&) {
            // Only the account's PointsWithdrawn shows in the read models.
          },
      },
      event);
}

}  // namespace gm::infra::store
