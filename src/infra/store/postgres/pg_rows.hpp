#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct pg_result;

namespace gm::infra::postgres {

// The rows of one answer of the pipeline, as libpq received them. Cheap to
// copy; rows and columns are 0-based.
class PgRows {
 public:
  PgRows() = default;
  explicit PgRows(std::shared_ptr<pg_result> result) : result_(std::move(result)) {}
  // Only `rows` of `result`, in that order, and without its first column:
  // one key's share of an answer to many keys (PgStatementText::many_sql).
  PgRows(std::shared_ptr<pg_result> result, std::vector<int> rows)
      : result_(std::move(result)), rows_(std::move(rows)), selected_(true) {}
  [[nodiscard]] int Size() const;
  [[nodiscard]] std::string Text(int row, int column) const;
  [[nodiscard]] std::int64_t Int64(int row, int column) const;
  [[nodiscard]] bool IsNull(int row, int column) const;

 private:
  [[nodiscard]] int Row(int row) const { return selected_ ? rows_[static_cast<std::size_t>(row)] : row; }
  [[nodiscard]] int Column(int column) const { return selected_ ? column + 1 : column; }

  std::shared_ptr<pg_result> result_;
  std::vector<int> rows_;
  bool selected_ = false;
};

}  // namespace gm::infra::postgres
