#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <vector>

#include "app/ports.hpp"
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

  app::Async<app::LoadedStream> Load(const std::string& stream) override;
  app::Async<app::AccountSnapshot> LoadAccount(const std::string& user_id) override;
  app::Async<app::AppendOutcome> Append(std::vector<app::StreamAppend> appends) override;

 private:
  postgres::PgPipelinePool& pool_;
};

// Any blocking event store (SQLite): each call runs on `lane`, a thread
// pool's executor, whose threads may block.
class DeferredEventStore final : public app::AsyncEventStore {
 public:
  DeferredEventStore(app::EventStore& store, boost::asio::any_io_executor lane)
      : store_(store), lane_(std::move(lane)) {}

  app::Async<app::LoadedStream> Load(const std::string& stream) override;
  app::Async<app::AccountSnapshot> LoadAccount(const std::string& user_id) override;
  app::Async<app::AppendOutcome> Append(std::vector<app::StreamAppend> appends) override;

 private:
  app::EventStore& store_;
  boost::asio::any_io_executor lane_;
};

}  // namespace gm::infra::store
