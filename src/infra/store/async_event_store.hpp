#pragma once

#include <vector>

#include "app/ports.hpp"
#include "infra/store/deferred.hpp"
#include "infra/store/postgres/pipeline.hpp"

namespace gm::infra::store {

// PostgreSQL: reads are prepared statements on the event-loop pipeline; an
// append is its statements (the same ones the blocking store runs, recorded)
// sent as one write with its own Sync: one round trip, no BEGIN/COMMIT, and
// no thread waiting for the commit.
class PipelinedEventStore final : public app::AsyncEventStore {
 public:
  explicit PipelinedEventStore(postgres::PgPipelinePool& pool) : pool_(pool) {}
  // What the pool must prepare on each connection.
  static std::vector<postgres::PgStatementText> Statements();

  void Load(const std::string& stream, app::Answer<app::LoadedStream> answer) override;
  void LoadAccount(const std::string& user_id, app::Answer<app::AccountSnapshot> answer) override;
  void Append(std::vector<app::StreamAppend> appends, app::Answer<app::AppendOutcome> answer) override;

 private:
  postgres::PgPipelinePool& pool_;
};

// Any blocking event store (SQLite): each call runs through `run`, which
// hands it to a thread that may block.
class DeferredEventStore final : public app::AsyncEventStore {
 public:
  DeferredEventStore(app::EventStore& store, Runner run) : store_(store), run_(std::move(run)) {}

  void Load(const std::string& stream, app::Answer<app::LoadedStream> answer) override;
  void LoadAccount(const std::string& user_id, app::Answer<app::AccountSnapshot> answer) override;
  void Append(std::vector<app::StreamAppend> appends, app::Answer<app::AppendOutcome> answer) override;

 private:
  app::EventStore& store_;
  Runner run_;
};

}  // namespace gm::infra::store
