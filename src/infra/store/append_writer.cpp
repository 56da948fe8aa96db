#include "infra/store/append_writer.hpp"

#include "infra/store/event_codec.hpp"
#include "infra/store/projector.hpp"

namespace gm::infra::store {

void WriteAppends(sql::Connection& c, const std::vector<app::StreamAppend>& appends, std::int64_t recorded_at) {
  for (const auto& append : appends) {
    std::int64_t version = append.expected_version;
    for (const auto& event : append.events) {
      const EncodedEvent encoded = Encode(event);
      if (append.expected_version == app::kAnyVersion) {
        c.Prepare(
             "INSERT INTO events (stream, version, type, data, recorded_at) "
             "SELECT ?1, COALESCE(MAX(version), 0) + 1, ?2, ?3, ?4 FROM events WHERE stream = ?1")
            .Bind(1, append.stream)
            .Bind(2, encoded.type)
            .Bind(3, encoded.data)
            .Bind(4, recorded_at)
            .Run();
      } else {
        c.Prepare("INSERT INTO events (stream, version, type, data, recorded_at) VALUES (?, ?, ?, ?, ?)")
            .Bind(1, append.stream)
            .Bind(2, ++version)
            .Bind(3, encoded.type)
            .Bind(4, encoded.data)
            .Bind(5, recorded_at)
            .Run();
      }
      Project(c, event, std::nullopt);  // the position is the insert's own: nothing to wait for
    }
  }
}

}  // namespace gm::infra::store
