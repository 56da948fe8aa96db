#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "infra/store/postgres/pg_rows.hpp"

namespace gm::infra::store {

// Rows copied out of a blocking statement as text, on the thread that ran
// it: what a lane hands back to the caller.
class CopiedRows {
 public:
  CopiedRows() = default;
  CopiedRows(int columns, std::vector<std::optional<std::string>> cells)
      : columns_(columns), cells_(std::move(cells)) {}
  [[nodiscard]] int Size() const { return columns_ == 0 ? 0 : static_cast<int>(cells_.size()) / columns_; }
  [[nodiscard]] std::string Text(int row, int column) const { return Cell(row, column).value_or(std::string()); }
  [[nodiscard]] std::int64_t Int64(int row, int column) const;
  [[nodiscard]] bool IsNull(int row, int column) const { return !Cell(row, column).has_value(); }

 private:
  [[nodiscard]] const std::optional<std::string>& Cell(int row, int column) const {
    return cells_.at(static_cast<std::size_t>(row) * static_cast<std::size_t>(columns_) +
                     static_cast<std::size_t>(column));
  }

  int columns_ = 0;
  std::vector<std::optional<std::string>> cells_;  // row after row
};

// The rows of one answer from either executor (store/sql_executor.hpp):
// PostgreSQL's result as the pipeline received it, or rows copied on a
// lane. Rows and columns are 0-based; Int64 throws on a column that is not
// an integer.
class SqlRows {
 public:
  SqlRows() = default;
  explicit SqlRows(postgres::PgRows rows) : rows_(std::move(rows)) {}
  explicit SqlRows(CopiedRows rows) : rows_(std::move(rows)) {}

  [[nodiscard]] int Size() const {
    return std::visit([](const auto& rows) { return rows.Size(); }, rows_);
  }
  [[nodiscard]] std::string Text(int row, int column) const {
    return std::visit([&](const auto& rows) { return rows.Text(row, column); }, rows_);
  }
  [[nodiscard]] std::int64_t Int64(int row, int column) const {
    return std::visit([&](const auto& rows) { return rows.Int64(row, column); }, rows_);
  }
  [[nodiscard]] bool IsNull(int row, int column) const {
    return std::visit([&](const auto& rows) { return rows.IsNull(row, column); }, rows_);
  }

 private:
  std::variant<CopiedRows, postgres::PgRows> rows_;
};

}  // namespace gm::infra::store
