#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <vector>

#include "app/ports.hpp"
#include "infra/store/postgres/pipeline.hpp"

namespace gm::infra::store {

// PostgreSQL: each query one prepared statement on the event-loop pipeline;
// no thread waits for the answer.
class PipelinedReadModels final : public app::AsyncReadModels {
 public:
  explicit PipelinedReadModels(postgres::PgPipelinePool& pool) : pool_(pool) {}
  // What the pool must prepare on each connection.
  static std::vector<postgres::PgStatementText> Statements();

  app::Async<std::optional<app::UserCredentialsView>> FindUserByLogin(const std::string& login) override;
  app::Async<std::vector<app::OrderView>> OrdersOf(const std::string& user_id) override;
  app::Async<app::BalanceView> BalanceOf(const std::string& user_id) override;
  app::Async<std::vector<app::WithdrawalView>> WithdrawalsOf(const std::string& user_id) override;

 private:
  postgres::PgPipelinePool& pool_;
};

// Any store with blocking queries (SQLite): each query runs on `lane`, a
// thread pool's executor, whose threads may block.
class DeferredReadModels final : public app::AsyncReadModels {
 public:
  DeferredReadModels(app::ReadModels& models, boost::asio::any_io_executor lane)
      : models_(models), lane_(std::move(lane)) {}

  app::Async<std::optional<app::UserCredentialsView>> FindUserByLogin(const std::string& login) override;
  app::Async<std::vector<app::OrderView>> OrdersOf(const std::string& user_id) override;
  app::Async<app::BalanceView> BalanceOf(const std::string& user_id) override;
  app::Async<std::vector<app::WithdrawalView>> WithdrawalsOf(const std::string& user_id) override;

 private:
  app::ReadModels& models_;
  boost::asio::any_io_executor lane_;
};

}  // namespace gm::infra::store
