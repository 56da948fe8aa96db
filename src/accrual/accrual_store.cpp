#include "accrual/accrual_store.hpp"

#include <boost/json.hpp>

#include "infra/store/sql/migrations.hpp"

namespace gm::accrual {
namespace {

namespace json = boost::json;
using infra::sql::Migration;
using infra::sql::WriteTransaction;

// Append only: an applied migration is never edited.
// One text for both dialects: SQLite takes BIGINT as an integer type.
const std::vector<Migration> kAccrualMigrations{
    Migration{1, R"sql(
CREATE TABLE reward_rules (
  match       TEXT PRIMARY KEY,
  reward      BIGINT NOT NULL,
  reward_type TEXT NOT NULL
);
CREATE TABLE accrual_orders (
  number  TEXT PRIMARY KEY,
  goods   TEXT NOT NULL,
  status  TEXT NOT NULL,
  accrual BIGINT
);
CREATE INDEX accrual_orders_by_status ON accrual_orders (status);
)sql"},
};

OrderStatus ParseStatus(std::string_view name) {
  if (name == "PROCESSING") return OrderStatus::kProcessing;
  if (name == "INVALID") return OrderStatus::kInvalid;
  if (name == "PROCESSED") return OrderStatus::kProcessed;
  return OrderStatus::kRegistered;
}

// Goods are stored with prices in hundredths, never as decimals.
std::string EncodeGoods(const std::vector<Good>& goods) {
  json::array array;
  for (const auto& good : goods) {
    array.push_back(json::object{{"description", good.description}, {"price_hundredths", good.price.hundredths}});
  }
  return json::serialize(array);
}

std::vector<Good> DecodeGoods(const std::string& text) {
  std::vector<Good> goods;
  const json::value parsed = json::parse(text);
  for (const auto& item : parsed.as_array()) {
    const auto& object = item.as_object();
    goods.push_back({std::string(object.at("description").as_string()),
                     domain::Points{object.at("price_hundredths").to_number<std::int64_t>()}});
  }
  return goods;
}

}  // namespace

std::string_view OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kRegistered:
      return "REGISTERED";
    case OrderStatus::kProcessing:
      return "PROCESSING";
    case OrderStatus::kInvalid:
      return "INVALID";
    case OrderStatus::kProcessed:
      return "PROCESSED";
  }
  return "REGISTERED";
}

AccrualStore::AccrualStore(const infra::DatabaseLocation& location) : pool_(infra::sql::OpenPool(location)) {
  auto connection = pool_->Acquire();
  infra::sql::Migrate(*connection, kAccrualMigrations);
}

bool AccrualStore::Ping() { return pool_->Ping(); }

bool AccrualStore::AddRule(const RewardRule& rule) {
  auto c = pool_->Acquire();
  c->Prepare("INSERT INTO reward_rules (match, reward, reward_type) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
      .Bind(1, rule.match)
      .Bind(2, rule.reward.hundredths)
      .Bind(3, RewardTypeName(rule.type))
      .Run();
  return c->Changes() == 1;
}

std::vector<RewardRule> AccrualStore::Rules() {
  auto c = pool_->Acquire();
  auto statement = c->Prepare("SELECT match, reward, reward_type FROM reward_rules");
  std::vector<RewardRule> rules;
  while (statement.Step()) {
    rules.push_back(MakeRewardRule(statement.Text(0), {statement.Int64(1)}, statement.Text(2)).Value());
  }
  return rules;
}

bool AccrualStore::RegisterOrder(const std::string& number, const std::vector<Good>& goods) {
  auto c = pool_->Acquire();
  c->Prepare("INSERT INTO accrual_orders (number, goods, status) VALUES (?, ?, 'REGISTERED') ON CONFLICT DO NOTHING")
      .Bind(1, number)
      .Bind(2, EncodeGoods(goods))
      .Run();
  return c->Changes() == 1;
}

std::optional<OrderRecord> AccrualStore::FindOrder(const std::string& number) {
  auto c = pool_->Acquire();
  auto statement = c->Prepare("SELECT status, accrual FROM accrual_orders WHERE number = ?");
  statement.Bind(1, number);
  if (!statement.Step()) return std::nullopt;
  return OrderRecord{ParseStatus(statement.Text(0)), {statement.IsNull(1) ? 0 : statement.Int64(1)}};
}

std::vector<PendingCalculation> AccrualStore::StartCalculations(std::size_t limit) {
  auto c = pool_->Acquire();
  WriteTransaction transaction(*c);
  auto statement = c->Prepare(
      "UPDATE accrual_orders SET status = 'PROCESSING' WHERE status = 'REGISTERED' AND number IN ("
      "  SELECT number FROM accrual_orders WHERE status = 'REGISTERED' LIMIT ?) "
      "RETURNING number, goods");
  statement.Bind(1, static_cast<std::int64_t>(limit));
  std::vector<PendingCalculation> started;
  while (statement.Step()) started.push_back({statement.Text(0), DecodeGoods(statement.Text(1))});
  transaction.Commit();
  return started;
}

void AccrualStore::FinishCalculation(const std::string& number, OrderStatus status, domain::Points accrual) {
  auto c = pool_->Acquire();
  c->Prepare("UPDATE accrual_orders SET status = ?, accrual = ? WHERE number = ?")
      .Bind(1, OrderStatusName(status))
      .Bind(2, accrual.hundredths)
      .Bind(3, number)
      .Run();
}

void AccrualStore::RestartInterruptedCalculations() {
  auto c = pool_->Acquire();
  c->Execute("UPDATE accrual_orders SET status = 'REGISTERED' WHERE status = 'PROCESSING'");
}

}  // namespace gm::accrual
