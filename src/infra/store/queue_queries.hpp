#pragma once

#include <vector>

#include "app/ports.hpp"
#include "infra/store/row_cursor.hpp"

// The accrual queue's SQL and the reading of its rows, shared by the
// blocking store and the pipeline.
namespace gm::infra::store::queries {

// ?1 now, ?2 the lease's end, ?3 at most this many. On PostgreSQL several
// instances claim at once: SKIP LOCKED hands each a different set, and the
// outer condition re-checks a row after its lock. SQLite has one writer.
// The claimed numbers are collected first, as an array, and the update
// finds them by key: planned once for any limit (`IN (subquery)` made a
// generic plan hash-join against a scan of the whole queue).
inline constexpr const char* kClaimDuePostgres =
    "UPDATE accrual_queue SET lease_until = ?2 WHERE lease_until <= ?1 AND order_number = ANY(ARRAY("
    "  SELECT order_number FROM accrual_queue WHERE next_attempt_at <= ?1 AND lease_until <= ?1"
    "  ORDER BY next_attempt_at LIMIT ?3 FOR UPDATE SKIP LOCKED)) "
    "RETURNING order_number, attempts";
inline constexpr const char* kClaimDueSqlite =
    "UPDATE accrual_queue SET lease_until = ?2 WHERE order_number IN ("
    "  SELECT order_number FROM accrual_queue WHERE next_attempt_at <= ?1 AND lease_until <= ?1"
    "  ORDER BY next_attempt_at LIMIT ?3) "
    "RETURNING order_number, attempts";

inline constexpr const char* kReschedule =
    "UPDATE accrual_queue SET attempts = ?, next_attempt_at = ?, lease_until = 0 WHERE order_number = ?";

// The rows of either claim: order_number, attempts.
template <RowCursor Rows>
std::vector<app::PendingOrder> ReadClaimed(Rows& rows) {
  std::vector<app::PendingOrder> claimed;
  ReserveFor(claimed, rows);
  while (rows.Step()) claimed.push_back({rows.Text(0), static_cast<int>(rows.Int64(1))});
  return claimed;
}

}  // namespace gm::infra::store::queries
