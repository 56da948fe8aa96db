#include "infra/store/async_event_store.hpp"

#include "infra/store/append_writer.hpp"
#include "infra/store/event_codec.hpp"
#include "infra/store/mapped_reply.hpp"
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

void PipelinedEventStore::Load(const std::string& stream, app::Answer<app::LoadedStream> answer) {
  pool_.Query(kLoadStream, {stream}, Mapped(std::move(answer), [](const postgres::PgRows& rows) {
                app::LoadedStream loaded;
                loaded.events.reserve(static_cast<std::size_t>(rows.Size()));
                for (int row = 0; row < rows.Size(); ++row) {
                  loaded.version = rows.Int64(row, 0);
                  loaded.events.push_back(Decode(rows.Text(row, 1), rows.Text(row, 2)));
                }
                return loaded;
              }));
}

void PipelinedEventStore::LoadAccount(const std::string& user_id, app::Answer<app::AccountSnapshot> answer) {
  pool_.Query(kLoadAccount, {user_id}, Mapped(std::move(answer), [](const postgres::PgRows& rows) {
                app::AccountSnapshot account;
                if (rows.Size() > 0) {
                  account = {{domain::Points{rows.Int64(0, 0)}, domain::Points{rows.Int64(0, 1)}}, rows.Int64(0, 2)};
                }
                return account;
              }));
}

void PipelinedEventStore::Append(std::vector<app::StreamAppend> appends, app::Answer<app::AppendOutcome> answer) {
  sql::Recorder recorder(Dialect::kPostgres);
  try {
    WriteAppends(recorder, appends, NowMs());
  } catch (...) {
    return answer(std::current_exception(), app::AppendOutcome::kAppended);
  }
  pool_.Write(recorder.Take(), [answer = std::move(answer)](std::exception_ptr error, postgres::PgRows) {
    if (!error) return answer(nullptr, app::AppendOutcome::kAppended);
    try {
      std::rethrow_exception(error);
    } catch (const sql::UniqueViolation&) {
      // Another writer took the same (stream, version) first.
      return answer(nullptr, app::AppendOutcome::kVersionConflict);
    } catch (...) {
      return answer(std::current_exception(), app::AppendOutcome::kAppended);
    }
  });
}

void DeferredEventStore::Load(const std::string& stream, app::Answer<app::LoadedStream> answer) {
  Defer(run_, std::move(answer), [this, stream] { return store_.Load(stream); });
}

void DeferredEventStore::LoadAccount(const std::string& user_id, app::Answer<app::AccountSnapshot> answer) {
  Defer(run_, std::move(answer), [this, user_id] { return store_.LoadAccount(user_id); });
}

void DeferredEventStore::Append(std::vector<app::StreamAppend> appends, app::Answer<app::AppendOutcome> answer) {
  Defer(run_, std::move(answer), [this, appends = std::move(appends)] { return store_.Append(appends); });
}

}  // namespace gm::infra::store
