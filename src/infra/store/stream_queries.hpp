#pragma once

#include "app/ports.hpp"
#include "infra/store/event_codec.hpp"
#include "infra/store/row_cursor.hpp"

// The event store's reads and the reading of their rows, shared by the
// blocking store and the PostgreSQL pipeline so both ask and read exactly
// the same thing.
namespace gm::infra::store::queries {

// version, type, data of a stream's events, oldest first.
inline constexpr const char* kLoadStream = "SELECT version, type, data FROM events WHERE stream = ? ORDER BY version";
// The account stream folded (current, withdrawn) and its version.
inline constexpr const char* kLoadAccount =
    "SELECT current, withdrawn, account_version FROM balances_view WHERE user_id = ?";

template <RowCursor Rows>
app::LoadedStream ReadStream(Rows& rows) {
  app::LoadedStream loaded;
  ReserveFor(loaded.events, rows);
  while (rows.Step()) {
    loaded.version = rows.Int64(0);
    loaded.events.push_back(Decode(rows.Text(1), rows.Text(2)));
  }
  return loaded;
}

template <RowCursor Rows>
app::AccountSnapshot ReadAccount(Rows& rows) {
  if (!rows.Step()) return {};
  return {{domain::Points{rows.Int64(0)}, domain::Points{rows.Int64(1)}}, rows.Int64(2)};
}

}  // namespace gm::infra::store::queries
