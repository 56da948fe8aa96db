#include "infra/store/operator/stored_log.hpp"

#include <boost/json.hpp>
#include <stdexcept>
#include <vector>

#include "infra/json/json_text.hpp"

namespace gm::infra::store {
namespace {

namespace json = boost::json;

constexpr const char* kLogPage =
    "SELECT position, stream, version, type, data, recorded_at FROM events "
    "WHERE position > ? ORDER BY position LIMIT ?";
constexpr const char* kStreamPage =
    "SELECT position, stream, version, type, data, recorded_at FROM events "
    "WHERE stream = ? AND version > ? ORDER BY version LIMIT ?";

std::vector<StoredEvent> ReadPage(sql::Connection& c, const LogRange& range, std::int64_t after, std::size_t size) {
  auto statement = range.stream.empty() ? c.Prepare(kLogPage) : c.Prepare(kStreamPage);
  int index = 1;
  if (!range.stream.empty()) statement.Bind(index++, range.stream);
  statement.Bind(index, after);
  statement.Bind(index + 1, static_cast<std::int64_t>(size));
  std::vector<StoredEvent> page;
  page.reserve(size);
  while (statement.Step()) {
    page.push_back({statement.Int64(0), statement.Text(1), statement.Int64(2), statement.Text(3), statement.Text(4),
                    statement.Int64(5)});
  }
  return page;
}

const json::value& Field(const json::object& line, std::string_view key) {
  const auto* value = line.if_contains(key);
  if (value == nullptr) throw std::invalid_argument("no \"" + std::string(key) + "\"");
  return *value;
}

std::int64_t IntegerField(const json::object& line, std::string_view key) {
  const auto& value = Field(line, key);
  if (!value.is_int64()) throw std::invalid_argument("\"" + std::string(key) + "\" is not an integer");
  return value.as_int64();
}

std::string TextField(const json::object& line, std::string_view key) {
  const auto& value = Field(line, key);
  if (!value.is_string() || value.as_string().empty()) {
    throw std::invalid_argument("\"" + std::string(key) + "\" is not a non-empty string");
  }
  return std::string(value.as_string());
}

}  // namespace

SnapshotTransaction::SnapshotTransaction(sql::Connection& connection) : connection_(connection) {
  connection_.Execute(connection_.Kind() == Dialect::kPostgres ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"
                                                               : "BEGIN");
}

SnapshotTransaction::~SnapshotTransaction() {
  try {
    connection_.Execute("COMMIT");
  } catch (...) {  // NOLINT(bugprone-empty-catch): nothing was written; the connection reports itself broken
  }
}

void ForEachStoredEvent(sql::Connection& connection, const LogRange& range,
                        const std::function<void(const StoredEvent&)>& each, std::size_t page_size) {
  std::int64_t after = range.after;
  while (true) {
    const auto page = ReadPage(connection, range, after, page_size);
    for (const auto& event : page) each(event);
    if (page.size() < page_size) return;
    after = range.stream.empty() ? page.back().position : page.back().version;
  }
}

CommittedPage ReadCommitted(sql::Connection& c, LogCursor after, std::size_t limit) {
  auto statement = c.Kind() == Dialect::kPostgres
                       ? c.Prepare(
                             "SELECT transaction_id::text::bigint, position, stream, version, type, data, recorded_at "
                             "FROM events WHERE (transaction_id, position) > (?1::text::xid8, ?2) "
                             "AND transaction_id < pg_snapshot_xmin(pg_current_snapshot()) "
                             "ORDER BY transaction_id, position LIMIT ?3")
                       : c.Prepare(
                             "SELECT 0, position, stream, version, type, data, recorded_at FROM events "
                             "WHERE ?1 = ?1 AND position > ?2 ORDER BY position LIMIT ?3");
  statement.Bind(1, after.transaction).Bind(2, after.position).Bind(3, static_cast<std::int64_t>(limit));
  CommittedPage page;
  page.next = after;
  while (statement.Step()) {
    page.next = {statement.Int64(0), statement.Int64(1)};
    page.events.push_back({statement.Int64(1), statement.Text(2), statement.Int64(3), statement.Text(4),
                           statement.Text(5), statement.Int64(6)});
  }
  return page;
}

std::int64_t CountEvents(sql::Connection& connection) {
  auto statement = connection.Prepare("SELECT COUNT(*) FROM events");
  statement.Step();
  return statement.Int64(0);
}

std::string FormatEventLine(const StoredEvent& event) {
  std::string line;
  line.reserve(96 + event.stream.size() + event.type.size() + event.data.size());
  line += R"({"position":)" + std::to_string(event.position);
  line += R"(,"stream":)" + JsonString(event.stream);
  line += R"(,"version":)" + std::to_string(event.version);
  line += R"(,"type":)" + JsonString(event.type);
  line += R"(,"data":)" + event.data;  // stored as a JSON object by the codec
  line += R"(,"time":)" + std::to_string(event.recorded_at) + "}";
  return line;
}

StoredEvent ParseEventLine(std::string_view text) {
  boost::system::error_code error;
  const auto value = json::parse(text, error);
  if (error) throw std::invalid_argument("not JSON: " + error.message());
  if (!value.is_object()) throw std::invalid_argument("not a JSON object");
  const auto& line = value.as_object();
  StoredEvent event;
  event.stream = TextField(line, "stream");
  event.version = IntegerField(line, "version");
  if (event.version < 1) throw std::invalid_argument("\"version\" is below 1");
  event.type = TextField(line, "type");
  const auto& data = Field(line, "data");
  if (!data.is_object()) throw std::invalid_argument("\"data\" is not an object");
  event.data = json::serialize(data);
  event.recorded_at = IntegerField(line, "time");
  return event;
}

}  // namespace gm::infra::store
