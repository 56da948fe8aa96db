#pragma once

#include <cstdint>
#include <functional>

#include "infra/store/sql/sql.hpp"

namespace gm::infra::store {

// Called now and then during a replay with the events done and the total.
using ReplayProgress = std::function<void(std::int64_t done, std::int64_t total)>;

// Recomputes the read models and the accrual queue from the whole log,
// inside the caller's write transaction on `connection`: folds the log in
// memory (ReadModelFold, read a page at a time), then empties the tables
// and writes each row once, in bulk (BulkInsert). Memory grows with the
// read models (about 360 bytes a row: 120 MB for a log of a million
// events), not with the log. Returns the
// events replayed.
std::int64_t ReplayIntoReadModels(sql::Connection& connection, const ReplayProgress& progress);

// After a replay has committed, on PostgreSQL: the planner's statistics
// brought up to the tables' new contents. Until autovacuum gets to them
// they describe the tables as they were (empty, after an import into a
// new database), and the pipelines' plans, made once per connection and
// made again when statistics change, follow them: a big customer's next
// page was read by sorting every row of theirs below the cursor, 35 ms a
// page where the ordered index takes 0.35 ms.
void RefreshPlannerStatistics(sql::Connection& connection);

}  // namespace gm::infra::store
