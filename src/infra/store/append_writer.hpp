#pragma once

#include <cstdint>
#include <vector>

#include "app/ports.hpp"
#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// Writes an append: each event at its stream's next version, and its
// projections. Every statement only runs (none needs an answer), so a
// connection may send them all in one round trip; the caller supplies the
// transaction. With an expected version the versions are known; with
// kAnyVersion each insert takes the stream's last version + 1 in SQL. Either
// way UNIQUE(stream, version) refuses an insert when another writer got
// there first: the caller reports that as a version conflict.
void WriteAppends(sql::Connection& connection, const std::vector<app::StreamAppend>& appends,
                  std::int64_t recorded_at);

}  // namespace gm::infra::store
