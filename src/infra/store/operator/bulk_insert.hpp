#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// A table and the columns a bulk insert fills; `Sql()` gives its SQL
// texts, built once (Prepare caches statements by the text's address), so
// a target lives as long as the program: declare it static.
class BulkTarget {
 public:
  struct Column {
    const char* name;
    bool integer;
  };
  BulkTarget(const char* table, std::vector<Column> columns);

  [[nodiscard]] const std::vector<Column>& Columns() const { return columns_; }
  // PostgreSQL: one INSERT … SELECT * FROM unnest(?::text[], ?::bigint[], …)
  // for a whole batch. SQLite: one INSERT … VALUES (?, ?, …) per row.
  [[nodiscard]] const char* Sql(Dialect dialect) const;

 private:
  std::vector<Column> columns_;
  std::string postgres_;
  std::string sqlite_;
};

// Inserts rows into a target inside the caller's transaction: on
// PostgreSQL a batch of rows per statement, each column sent as one array;
// on SQLite, whose statements cost no round trip, a prepared insert per
// row. Rows go in in the order added. A row is text per column, "" for
// NULL (so an empty text cannot be written: the read models hold none).
// Call Flush() at the end; its faults (a unique key taken) surface there or
// at Add().
class BulkInsert {
 public:
  static constexpr std::size_t kBatch = 8192;  // rows per statement on PostgreSQL

  BulkInsert(sql::Connection& connection, const BulkTarget& target, std::size_t batch = kBatch);
  ~BulkInsert();
  BulkInsert(const BulkInsert&) = delete;
  BulkInsert& operator=(const BulkInsert&) = delete;

  void Add(const std::vector<std::string>& row);
  void Flush();

 private:
  sql::Connection& connection_;
  const BulkTarget& target_;
  std::size_t batch_;
  std::size_t rows_ = 0;
  std::vector<std::string> arrays_;  // PostgreSQL: a column's array literal so far
  int exceptions_;                   // uncaught at construction
};

}  // namespace gm::infra::store
