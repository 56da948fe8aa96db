#include "infra/store/operator/replay.hpp"

#include <string>
#include <vector>

#include "infra/store/event_codec.hpp"
#include "infra/store/operator/bulk_insert.hpp"
#include "infra/store/operator/read_model_fold.hpp"
#include "infra/store/operator/stored_log.hpp"
#include "infra/store/projector.hpp"  // kProjectionTables

namespace gm::infra::store {
namespace {

// Each folded table as a bulk target: its key, then its columns.
std::vector<BulkTarget> MakeTargets() {
  std::vector<BulkTarget> targets;
  for (const auto& table : VerifiedTables()) {
    std::vector<BulkTarget::Column> columns{{table.key, false}};
    for (std::size_t i = 0; i < table.columns.size(); ++i) columns.push_back({table.columns[i], table.integer[i]});
    targets.emplace_back(table.name, std::move(columns));
  }
  return targets;
}

// The accrual queue's rows need only a first attempt: at the upload, as
// the projector schedules it. Attempts and leases start at their defaults.
const BulkTarget kQueueTarget{"accrual_queue", {{"order_number", false}, {"next_attempt_at", true}}};

void WriteTable(sql::Connection& c, const BulkTarget& target, const TableRows& rows) {
  BulkInsert insert(c, target);
  std::vector<std::string> row;
  for (const auto& [key, columns] : rows) {
    row.clear();
    row.push_back(key);
    row.insert(row.end(), columns.begin(), columns.end());
    insert.Add(row);
  }
  insert.Flush();
}

void WriteQueue(sql::Connection& c, const ReadModelFold& fold, const TableRows& queue) {
  BulkInsert insert(c, kQueueTarget);
  for (const auto& [number, unused] : queue) insert.Add({number, fold.UploadedAt(number)});
  insert.Flush();
}

}  // namespace

std::int64_t ReplayIntoReadModels(sql::Connection& c, const ReplayProgress& progress) {
  constexpr std::size_t kPage = 16384;            // events read per statement
  constexpr std::int64_t kReportEvery = 4 * kPage;  // progress every so many events
  const std::int64_t total = progress ? CountEvents(c) : 0;
  ReadModelFold fold;
  std::int64_t replayed = 0;
  ForEachStoredEvent(
      c, {},
      [&](const StoredEvent& event) {
        fold.Apply(Decode(event.type, event.data), event.stream, event.version, event.position);
        if (++replayed % kReportEvery == 0 && progress) progress(replayed, total);
      },
      kPage);
  for (const char* table : kProjectionTables) c.Execute("DELETE FROM " + std::string(table));
  static const std::vector<BulkTarget> targets = MakeTargets();
  const auto& tables = VerifiedTables();
  for (std::size_t i = 0; i < tables.size(); ++i) {
    if (tables[i].columns.empty()) {
      WriteQueue(c, fold, fold.Rows(i));
    } else {
      WriteTable(c, targets[i], fold.Rows(i));
    }
  }
  if (progress) progress(replayed, total);
  return replayed;
}

void RefreshPlannerStatistics(sql::Connection& connection) {
  if (connection.Kind() == Dialect::kPostgres) connection.Execute("ANALYZE");
}

}  // namespace gm::infra::store
