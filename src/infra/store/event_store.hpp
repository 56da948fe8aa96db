#pragma once

#include <vector>

#include "app/ports.hpp"
#include "infra/store/sql_executor.hpp"

namespace gm::infra {
class Metrics;
}  // namespace gm::infra

namespace gm::infra::store {

// The event store over either executor: reads are single statements; an
// append is its statements (append_writer.hpp: the events and their
// projections) recorded and committed as one transaction, whose unique
// (stream, version) decides a race.
class SqlEventStore final : public app::AsyncEventStore {
 public:
  // With `metrics`, counts each committed event by type
  // (events_appended_total{type="order_uploaded.v1"}).
  explicit SqlEventStore(SqlExecutor& executor, Metrics* metrics = nullptr) : executor_(executor), metrics_(metrics) {}
  // The queries it runs (what a pipeline must prepare).
  static std::vector<SqlQuery> Queries();

  app::Async<app::LoadedStream> Load(const std::string& stream) override;
  app::Async<app::AccountSnapshot> LoadAccount(const std::string& user_id) override;
  app::Async<app::AppendOutcome> Append(std::vector<app::StreamAppend> appends) override;

 private:
  SqlExecutor& executor_;
  Metrics* metrics_;
};

}  // namespace gm::infra::store
