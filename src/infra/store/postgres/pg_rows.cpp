#include "infra/store/postgres/pg_rows.hpp"

#include <libpq-fe.h>

#include "infra/store/sql/sql.hpp"

namespace gm::infra::postgres {

int PgRows::Size() const {
  if (selected_) return static_cast<int>(rows_.size());
  return result_ ? PQntuples(result_.get()) : 0;
}

std::string PgRows::Text(int row, int column) const {
  return {PQgetvalue(result_.get(), Row(row), Column(column)),
          static_cast<std::size_t>(PQgetlength(result_.get(), Row(row), Column(column)))};
}

std::int64_t PgRows::Int64(int row, int column) const {
  return sql::ParseInt64({PQgetvalue(result_.get(), Row(row), Column(column)),
                          static_cast<std::size_t>(PQgetlength(result_.get(), Row(row), Column(column)))},
                         column);
}

bool PgRows::IsNull(int row, int column) const { return PQgetisnull(result_.get(), Row(row), Column(column)) != 0; }

}  // namespace gm::infra::postgres
