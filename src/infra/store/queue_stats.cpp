#include "infra/store/queue_stats.hpp"

#include <algorithm>

namespace gm::infra::store {

QueueStats ReadQueueStats(sql::Connection& c, domain::TimeMs now, domain::TimeMs unconfirmed_until) {
  // A scrape waits for this: on PostgreSQL at most 2 s of the server's time.
  const bool postgres = c.Kind() == Dialect::kPostgres;
  if (postgres) c.Execute("BEGIN READ ONLY; SET LOCAL statement_timeout = 2000");
  try {
    QueueStats stats;
    {
      auto statement = c.Prepare(
          "SELECT COUNT(*), COALESCE(MIN(o.uploaded_at), 0), COUNT(*) FILTER (WHERE q.next_attempt_at <= ?) "
          "FROM accrual_queue q LEFT JOIN orders_view o ON o.number = q.order_number");
      statement.Bind(1, unconfirmed_until);
      statement.Step();
      stats = {statement.Int64(0), 0, statement.Int64(2)};
      if (stats.depth > 0 && statement.Int64(1) > 0) {
        stats.oldest_age_ms = std::max<std::int64_t>(0, now - statement.Int64(1));
      }
    }
    if (postgres) c.Execute("COMMIT");
    return stats;
  } catch (...) {
    if (postgres) c.Execute("ROLLBACK");
    throw;
  }
}

}  // namespace gm::infra::store
