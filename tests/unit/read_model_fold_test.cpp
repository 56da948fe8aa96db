// The in-memory fold that `verify` compares the stored read models with,
// the differences it names, and the export line format.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

#include "infra/store/operator/read_model_fold.hpp"
#include "infra/store/operator/stored_log.hpp"
#include "infra/store/projector.hpp"

namespace gm::infra::store {
namespace {

using namespace domain;

const ReadModelTable& Table(const std::string& name) {
  for (const auto& table : VerifiedTables()) {
    if (table.name == name) return table;
  }
  throw std::logic_error(name);
}

TEST(ReadModelFold, CoversExactlyTheTablesARebuildEmpties) {
  std::set<std::string> folded;
  for (const auto& table : VerifiedTables()) folded.insert(table.name);
  EXPECT_EQ(folded, std::set<std::string>(std::begin(kProjectionTables), std::end(kProjectionTables)));
}

TEST(ReadModelFold, FoldsBalancesOrdersAndTheQueue) {
  ReadModelFold fold;
  fold.Apply(UserRegistered{"u1", "ann", "hash", 1}, "user-ann", 1, 1);
  fold.Apply(OrderUploaded{"79927398713", "u1", 2}, "order-79927398713", 1, 2);
  fold.Apply(OrderUploaded{"12345678903", "u1", 3}, "order-12345678903", 1, 3);
  fold.Apply(OrderProcessed{"79927398713", "u1", {72998}, 4}, "order-79927398713", 2, 4);
  fold.Apply(PointsAccrued{"u1", "79927398713", {72998}, 4}, "account-u1", 1, 5);
  fold.Apply(WithdrawalPlaced{"2377225624", "u1", {998}, 5}, "withdrawal-2377225624", 1, 6);
  fold.Apply(PointsWithdrawn{"u1", "2377225624", {998}, 5}, "account-u1", 2, 7);

  EXPECT_EQ(fold.Rows("users_view"), (TableRows{{"u1", {"ann", "hash", "1"}}}));
  EXPECT_EQ(fold.Rows("balances_view"), (TableRows{{"u1", {"72000", "998", "2"}}}));
  EXPECT_EQ(fold.Rows("orders_view"), (TableRows{{"79927398713", {"u1", "PROCESSED", "72998", "2", "2"}},
                                                 {"12345678903", {"u1", "NEW", "", "3", "3"}}}));
  EXPECT_EQ(fold.Rows("withdrawals_view"), (TableRows{{"2377225624", {"u1", "998", "5", "7"}}}));
  EXPECT_EQ(fold.Rows("accrual_queue"), (TableRows{{"12345678903", {}}}));
}

TEST(ReadModelFold, NamesEveryDifference) {
  const TableRows expected{{"u1", {"500", "0", "1"}}, {"u2", {"0", "0", "0"}}};
  const TableRows found{{"u1", {"480", "0", "1"}}, {"u3", {"1", "0", "0"}}};
  EXPECT_EQ(CompareRows(Table("balances_view"), expected, found),
            (std::vector<std::string>{"balances_view u1: current expected 500, found 480",
                                      "balances_view u2: missing (expected current=0, withdrawn=0, account_version=0)",
                                      "balances_view u3: not in the log (found current=1, withdrawn=0, account_version=0)"}));
  EXPECT_TRUE(CompareRows(Table("balances_view"), expected, expected).empty());
  EXPECT_EQ(CompareRows(Table("orders_view"), {{"1", {"u1", "NEW", "", "1", "1"}}}, {{"1", {"u1", "NEW", "5", "1", "1"}}}),
            (std::vector<std::string>{"orders_view 1: accrual expected NULL, found 5"}));
}

TEST(StoredLog, AnEventLineReadsBackAsWritten) {
  const StoredEvent event{7, "account-u1", 3, "points_accrued.v1", R"({"user_id":"u1","amount_hundredths":5})", 1764};
  const std::string line = FormatEventLine(event);
  EXPECT_EQ(line, R"({"position":7,"stream":"account-u1","version":3,"type":"points_accrued.v1",)"
                  R"("data":{"user_id":"u1","amount_hundredths":5},"time":1764})");
  const StoredEvent back = ParseEventLine(line);
  EXPECT_EQ(back.stream, event.stream);
  EXPECT_EQ(back.version, event.version);
  EXPECT_EQ(back.type, event.type);
  EXPECT_EQ(back.data, event.data);
  EXPECT_EQ(back.recorded_at, event.recorded_at);
}

TEST(StoredLog, ABadLineSaysWhatIsWrong) {
  const auto message = [](std::string_view line) {
    try {
      ParseEventLine(line);
    } catch (const std::invalid_argument& error) {
      return std::string(error.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("[1]"), "not a JSON object");
  EXPECT_EQ(message("{\"a\":").substr(0, 9), "not JSON:");
  EXPECT_EQ(message(R"({"stream":"s","version":1,"type":"t","data":{}})"), R"(no "time")");
  EXPECT_EQ(message(R"({"stream":"","version":1,"type":"t","data":{},"time":1})"),
            R"("stream" is not a non-empty string)");
  EXPECT_EQ(message(R"({"stream":"s","version":0,"type":"t","data":{},"time":1})"), R"("version" is below 1)");
  EXPECT_EQ(message(R"({"stream":"s","version":1,"type":"t","data":[],"time":1})"), R"("data" is not an object)");
  EXPECT_EQ(message(R"({"stream":"s","version":1.5,"type":"t","data":{},"time":1})"),
            R"("version" is not an integer)");
}

}  // namespace
}  // namespace gm::infra::store
