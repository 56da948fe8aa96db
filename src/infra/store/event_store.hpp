#pragma once

#include <vector>

#include "app/ports.hpp"
#include "infra/store/sql_executor.hpp"

namespace gm::infra {
class CounterSet;
}  // namespace gm::infra

namespace gm::infra::store {

// The event store over either executor: reads are single statements; an
// append is its statements (append_writer.hpp: the events and their
// projections) recorded and committed as one transaction, whose unique
// (stream, version) decides a race.
class SqlEventStore final : public app::AsyncEventStore {
 public:
  // With `appended` (one counter per TypeNames() entry), counts each
  // committed event by its type.
  explicit SqlEventStore(SqlExecutor& executor, CounterSet* appended = nullptr)
      : executor_(executor), appended_(appended) {}
  // The queries it runs (what a pipeline must prepare).
  static std::vector<SqlQuery> Queries();

  app::Async<app::LoadedStream> Load(const std::string& stream) override;
  app::Async<app::AccountSnapshot> LoadAccount(const std::string& user_id) override;
  app::Async<app::AppendOutcome> Append(std::vector<app::StreamAppend> appends) override;

 private:
  SqlExecutor& executor_;
  CounterSet* appended_;
};

}  // namespace gm::infra::store
