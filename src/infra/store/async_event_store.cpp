#include "infra/store/async_event_store.hpp"

#include "infra/store/append_writer.hpp"
#include "infra/async.hpp"
#include "infra/store/sql/recorder.hpp"
#include "infra/store/stream_queries.hpp"
#include "infra/time.hpp"

namespace gm::infra::store {
namespace {

constexpr const char* kLoadStream = "load_stream";
constexpr const char* kLoadAccount = "load_account";

}  // namespace

std::vector<postgres::PgStatementText> PipelinedEventStore::Statements() {
  return {{kLoadStream, queries::kLoadStream}, {kLoadAccount, queries::kLoadAccount}};
}

app::Async<app::LoadedStream> PipelinedEventStore::Load(const std::string& stream) {
  const auto rows = co_await pool_.Ask(kLoadStream, postgres::Params(stream));
  postgres::PgRowCursor cursor(rows);
  co_return queries::ReadStream(cursor);
}

app::Async<app::AccountSnapshot> PipelinedEventStore::LoadAccount(const std::string& user_id) {
  const auto rows = co_await pool_.Ask(kLoadAccount, postgres::Params(user_id));
  postgres::PgRowCursor cursor(rows);
  co_return queries::ReadAccount(cursor);
}

app::Async<app::AppendOutcome> PipelinedEventStore::Append(std::vector<app::StreamAppend> appends) {
  sql::Recorder recorder(Dialect::kPostgres);
  WriteAppends(recorder, appends, NowMs());
  try {
    co_await pool_.Commit(recorder.Take());
  } catch (const sql::UniqueViolation&) {
    co_return app::AppendOutcome::kVersionConflict;  // another writer took the same (stream, version) first
  }
  co_return app::AppendOutcome::kAppended;
}

app::Async<app::LoadedStream> DeferredEventStore::Load(const std::string& stream) {
  co_return co_await RunOn(lane_, [&] { return store_.Load(stream); });
}

app::Async<app::AccountSnapshot> DeferredEventStore::LoadAccount(const std::string& user_id) {
  co_return co_await RunOn(lane_, [&] { return store_.LoadAccount(user_id); });
}

app::Async<app::AppendOutcome> DeferredEventStore::Append(std::vector<app::StreamAppend> appends) {
  co_return co_await RunOn(lane_, [&] { return store_.Append(appends); });
}

}  // namespace gm::infra::store
