#pragma once

#include <chrono>
#include <cstdint>
#include <iosfwd>
#include <stdexcept>

#include "infra/store/operator/stored_log.hpp"
#include "infra/store/sql/sql.hpp"

// The operator's verbs over the event log (docs/operations.md): each runs
// on its own connection and may run beside a live service.
namespace gm::infra::store {

// `import` into a store that already holds events, or a bad line (the
// message names its number and what is wrong). Nothing is written then.
class ImportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes `range` of the log as JSON lines (FormatEventLine), under one
// snapshot. Returns the number of events written.
std::int64_t WriteEvents(sql::ConnectionPool& pool, const LogRange& range, std::ostream& out);

// Writes every event of `range` as a JSON line as it commits, oldest
// first in commit order (on PostgreSQL positions may then come out of
// order; each event comes exactly once), looking for new ones every
// `poll` when there were none, until the process is stopped (a closed
// pipe stops it at the next write, by SIGPIPE) or `out` fails.
void FollowEvents(sql::ConnectionPool& pool, const LogRange& range, std::ostream& out,
                  std::chrono::milliseconds poll = std::chrono::milliseconds(200));

// Appends every line of `in` to an empty store, each event with its stream,
// version and time, then rebuilds the read models and the accrual queue: in
// one transaction, so a failure leaves the store empty. Returns the events
// imported.
std::int64_t ImportEvents(sql::ConnectionPool& pool, std::istream& in);

// Recomputes the read models from the log in memory (ReadModelFold) and
// compares them with the stored ones under one snapshot. Writes one line
// per difference to `out` and returns how many there were.
std::int64_t VerifyReadModels(sql::ConnectionPool& pool, std::ostream& out);

}  // namespace gm::infra::store
