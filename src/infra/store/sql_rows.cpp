#include "infra/store/sql_rows.hpp"

#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

std::int64_t CopiedRows::Int64(int row, int column) const {
  const auto& cell = Cell(row, column);
  return sql::ParseInt64(cell ? std::string_view(*cell) : std::string_view(), column);
}

}  // namespace gm::infra::store
