#include "infra/store/operator/read_model_fold.hpp"

#include <stdexcept>
#include <variant>

#include "domain/order.hpp"
#include "domain/overloaded.hpp"

namespace gm::infra::store {
namespace {

// Tables in the order of VerifiedTables(), and column positions within
// each table's row.
enum Tables { kUsers, kOrders, kBalances, kWithdrawals, kQueue };
enum Orders { kOrderUser, kStatus, kAccrual, kUploadedAt, kOrderPosition };
enum Balances { kCurrent, kWithdrawn, kAccountVersion };

std::string Text(std::int64_t value) { return std::to_string(value); }

std::int64_t Number(const std::string& text) { return std::stoll(text); }

std::string Describe(const ReadModelTable& table, const std::vector<std::string>& row) {
  std::string text;
  for (std::size_t i = 0; i < table.columns.size() && i < row.size(); ++i) {
    text += (i == 0 ? "" : ", ") + std::string(table.columns[i]) + "=" + row[i];
  }
  return text;
}

}  // namespace

const std::vector<ReadModelTable>& VerifiedTables() {
  static const std::vector<ReadModelTable> tables{
      {"users_view", "user_id", {"login", "password_hash", "registered_at"}, {false, false, true}},
      {"orders_view",
       "number",
       {"user_id", "status", "accrual", "uploaded_at", "position"},
       {false, false, true, true, true}},
      {"balances_view", "user_id", {"current", "withdrawn", "account_version"}, {true, true, true}},
      {"withdrawals_view", "order_number", {"user_id", "sum", "processed_at", "position"}, {false, true, true, true}},
      {"accrual_queue", "order_number", {}, {}},
  };
  return tables;
}

void ReadModelFold::Apply(const domain::Event& event, const std::string& stream, std::int64_t version,
                          std::int64_t position) {
  using namespace domain;
  auto& users = tables_[kUsers];
  auto& orders = tables_[kOrders];
  auto& balances = tables_[kBalances];
  auto& withdrawals = tables_[kWithdrawals];
  auto& queue = tables_[kQueue];
  const auto set_status = [&](const std::string& number, OrderStatus status) {
    if (auto row = orders.find(number); row != orders.end()) row->second[kStatus] = OrderStatusName(status);
  };
  const auto account_changed = [&](const std::string& user_id) {
    if (auto row = balances.find(user_id); row != balances.end() && stream == AccountStream(user_id)) {
      row->second[kAccountVersion] = Text(version);
    }
  };
  std::visit(Overloaded{
                 [&](const UserRegistered& e) {
                   users[e.user_id] = {e.login, e.password_hash, Text(e.at)};
                   balances[e.user_id] = {"0", "0", "0"};
                 },
                 [&](const OrderUploaded& e) {
                   orders[e.number] = {e.user_id, "NEW", "", Text(e.at), Text(position)};
                   queue[e.number] = {};
                 },
                 [&](const OrderProcessingStarted& e) { set_status(e.number, OrderStatus::kProcessing); },
                 [&](const OrderProcessed& e) {
                   if (auto row = orders.find(e.number); row != orders.end()) {
                     row->second[kStatus] = "PROCESSED";
                     row->second[kAccrual] = Text(e.accrual.hundredths);
                   }
                   queue.erase(e.number);
                 },
                 [&](const OrderInvalidated& e) {
                   set_status(e.number, OrderStatus::kInvalid);
                   queue.erase(e.number);
                 },
                 [&](const PointsAccrued& e) {
                   if (auto row = balances.find(e.user_id); row != balances.end()) {
                     row->second[kCurrent] = Text(Number(row->second[kCurrent]) + e.amount.hundredths);
                   }
                   account_changed(e.user_id);
                 },
                 [&](const PointsWithdrawn& e) {
                   if (auto row = balances.find(e.user_id); row != balances.end()) {
                     row->second[kCurrent] = Text(Number(row->second[kCurrent]) - e.sum.hundredths);
                     row->second[kWithdrawn] = Text(Number(row->second[kWithdrawn]) + e.sum.hundredths);
                   }
                   account_changed(e.user_id);
                   withdrawals[e.order] = {e.user_id, Text(e.sum.hundredths), Text(e.at), Text(position)};
                 },
                 [&](const WithdrawalPlaced&) {},
             },
             event);
}

const TableRows& ReadModelFold::Rows(std::string_view table) const {
  const auto& tables = VerifiedTables();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].name == table) return tables_.at(i);
  }
  throw std::out_of_range("not a read-model table: " + std::string(table));
}

const std::string& ReadModelFold::UploadedAt(const std::string& number) const {
  return tables_[kOrders].at(number).at(kUploadedAt);
}

std::vector<std::string> CompareRows(const ReadModelTable& table, const TableRows& expected, const TableRows& found) {
  std::vector<std::string> differences;
  const auto name = [&](const std::string& key) { return std::string(table.name) + " " + key; };
  for (const auto& [key, row] : expected) {
    const auto stored = found.find(key);
    if (stored == found.end()) {
      differences.push_back(name(key) + ": missing (expected " + Describe(table, row) + ")");
      continue;
    }
    for (std::size_t i = 0; i < table.columns.size(); ++i) {
      const std::string& have = i < stored->second.size() ? stored->second[i] : std::string();
      if (row[i] != have) {
        differences.push_back(name(key) + ": " + table.columns[i] + " expected " + (row[i].empty() ? "NULL" : row[i]) +
                              ", found " + (have.empty() ? "NULL" : have));
      }
    }
  }
  for (const auto& [key, row] : found) {
    if (!expected.contains(key)) {
      differences.push_back(name(key) + ": not in the log (found " + Describe(table, row) + ")");
    }
  }
  return differences;
}

}  // namespace gm::infra::store
