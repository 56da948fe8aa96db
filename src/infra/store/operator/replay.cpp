#include "infra/store/operator/replay.hpp"

#include <string>

#include "infra/store/event_codec.hpp"
#include "infra/store/operator/stored_log.hpp"
#include "infra/store/projector.hpp"

namespace gm::infra::store {

std::int64_t ReplayIntoReadModels(sql::Connection& c, const ReplayProgress& progress) {
  constexpr std::int64_t kReportEvery = 4096;  // one page: the projections go out with the next page's read
  for (const char* table : kProjectionTables) c.Execute("DELETE FROM " + std::string(table));
  const std::int64_t total = progress ? CountEvents(c) : 0;
  std::int64_t replayed = 0;
  ForEachStoredEvent(c, {}, [&](const StoredEvent& event) {
    Project(c, Decode(event.type, event.data), event.position);
    if (++replayed % kReportEvery == 0 && progress) progress(replayed, total);
  });
  (void)c.Changes();  // the last page's projections, so their faults surface here
  if (progress) progress(replayed, total);
  return replayed;
}

}  // namespace gm::infra::store
