#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "domain/events.hpp"

namespace gm::infra::store {

// A read-model table as text: key → the other columns, in the order of
// ReadModelTable::columns ("" for NULL), so the folded and the stored
// forms compare with ==.
using TableRows = std::map<std::string, std::vector<std::string>>;

struct ReadModelTable {
  const char* name;
  const char* key;
  std::vector<const char*> columns;
  std::vector<bool> integer;  // per column: BIGINT (else TEXT); the key is TEXT
};

// The tables `verify` compares, with the columns the log determines (the
// accrual queue's attempts and leases are the worker's, not the log's).
const std::vector<ReadModelTable>& VerifiedTables();

// The read models recomputed in memory from the log, a second
// implementation beside the SQL projector that every append runs
// (infra/store/projector.cpp), so that `verify` checks one with the other;
// `rebuild-projections` writes its rows in bulk. Apply every event in log
// order.
class ReadModelFold {
 public:
  void Apply(const domain::Event& event, const std::string& stream, std::int64_t version, std::int64_t position);

  // The rows of VerifiedTables()[i].
  [[nodiscard]] const TableRows& Rows(std::size_t table) const { return tables_.at(table); }
  [[nodiscard]] const TableRows& Rows(std::string_view table) const;
  // A folded order's upload time, which schedules its first accrual check.
  [[nodiscard]] const std::string& UploadedAt(const std::string& number) const;

 private:
  std::array<TableRows, 5> tables_;  // in the order of VerifiedTables()
};

// One line per difference between the folded and the stored rows of one
// table: "balances_view u-1: current expected 500, found 480",
// "orders_view 12345678903: missing", "… : not in the log".
std::vector<std::string> CompareRows(const ReadModelTable& table, const TableRows& expected, const TableRows& found);

}  // namespace gm::infra::store
