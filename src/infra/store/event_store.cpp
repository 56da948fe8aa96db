#include "infra/store/event_store.hpp"

#include "infra/store/append_writer.hpp"
#include "infra/store/event_codec.hpp"
#include "infra/observability/metrics.hpp"
#include "infra/time.hpp"

namespace gm::infra::store {
namespace {

// version, type, data of a stream's events, oldest first.
constexpr SqlQuery kLoadStream{"load_stream",
                               "SELECT version, type, data FROM events WHERE stream = ? ORDER BY version"};
// The account stream folded (current, withdrawn) and its version: one row
// however many events the stream holds (every append keeps it in step).
constexpr SqlQuery kLoadAccount{"load_account",
                                "SELECT current, withdrawn, account_version FROM balances_view WHERE user_id = ?"};

app::LoadedStream ReadStream(const SqlRows& rows) {
  app::LoadedStream loaded;
  loaded.events.reserve(static_cast<std::size_t>(rows.Size()));
  for (int row = 0; row < rows.Size(); ++row) {
    loaded.version = rows.Int64(row, 0);
    loaded.events.push_back(Decode(rows.Text(row, 1), rows.Text(row, 2)));
  }
  return loaded;
}

app::AccountSnapshot ReadAccount(const SqlRows& rows) {
  if (rows.Size() == 0) return {};
  return {{domain::Points{rows.Int64(0, 0)}, domain::Points{rows.Int64(0, 1)}}, rows.Int64(0, 2)};
}

}  // namespace

std::vector<SqlQuery> SqlEventStore::Queries() { return {kLoadStream, kLoadAccount}; }

app::Async<app::LoadedStream> SqlEventStore::Load(const std::string& stream) {
  return RunAndRead(executor_, kLoadStream, Params(stream), ReadStream);
}

app::Async<app::AccountSnapshot> SqlEventStore::LoadAccount(const std::string& user_id) {
  return RunAndRead(executor_, kLoadAccount, Params(user_id), ReadAccount);
}

app::Async<app::AppendOutcome> SqlEventStore::Append(std::vector<app::StreamAppend> appends) {
  sql::Recorder recorder(executor_.Kind());
  WriteAppends(recorder, appends, NowMs());
  try {
    co_await executor_.Commit(recorder.Take());
  } catch (const sql::UniqueViolation&) {
    co_return app::AppendOutcome::kVersionConflict;  // another writer took the same (stream, version) first
  }
  if (appended_ != nullptr) {
    for (const auto& append : appends) {
      for (const auto& event : append.events) appended_->Add(event.index());
    }
  }
  co_return app::AppendOutcome::kAppended;
}

}  // namespace gm::infra::store
