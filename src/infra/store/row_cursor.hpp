#pragma once

#include <concepts>
#include <cstddef>
#include <vector>

// What the row readers beside each query (read_model_queries.hpp,
// stream_queries.hpp, queue_queries.hpp) read from: a cursor with Step()
// (true while a row is there) and 0-based Text, Int64 and IsNull of the
// current row. sql::Statement is one as it is; PgRowCursor walks a
// pipeline's PgRows. So each query's columns are read in one place, for
// both stores.
namespace gm::infra::store {

template <class Rows>
concept RowCursor = requires(Rows& rows, int column) {
  { rows.Step() } -> std::same_as<bool>;
  rows.Text(column);
  rows.Int64(column);
  { rows.IsNull(column) } -> std::same_as<bool>;
};

// Room for the rows to come, when the cursor knows how many.
template <class T, RowCursor Rows>
void ReserveFor(std::vector<T>& items, const Rows& rows) {
  if constexpr (requires { rows.Size(); }) items.reserve(static_cast<std::size_t>(rows.Size()));
}

}  // namespace gm::infra::store
