#pragma once

#include <functional>
#include <vector>

#include "app/ports.hpp"
#include "infra/store/deferred.hpp"
#include "infra/store/postgres/pipeline.hpp"

namespace gm::infra::store {

// PostgreSQL: each query one prepared statement on the event-loop pipeline;
// no thread waits for the answer.
class PipelinedReadModels final : public app::AsyncReadModels {
 public:
  explicit PipelinedReadModels(postgres::PgPipelinePool& pool) : pool_(pool) {}
  // What the pool must prepare on each connection.
  static std::vector<postgres::PgStatementText> Statements();

  void FindUserByLogin(const std::string& login, app::Answer<std::optional<app::UserCredentialsView>> answer) override;
  void OrdersOf(const std::string& user_id, app::Answer<std::vector<app::OrderView>> answer) override;
  void BalanceOf(const std::string& user_id, app::Answer<app::BalanceView> answer) override;
  void WithdrawalsOf(const std::string& user_id, app::Answer<std::vector<app::WithdrawalView>> answer) override;

 private:
  postgres::PgPipelinePool& pool_;
};

// Any store with blocking queries (SQLite): each query runs through `run`,
// which hands it to a thread that may block.
class DeferredReadModels final : public app::AsyncReadModels {
 public:
  DeferredReadModels(app::ReadModels& models, Runner run) : models_(models), run_(std::move(run)) {}

  void FindUserByLogin(const std::string& login, app::Answer<std::optional<app::UserCredentialsView>> answer) override;
  void OrdersOf(const std::string& user_id, app::Answer<std::vector<app::OrderView>> answer) override;
  void BalanceOf(const std::string& user_id, app::Answer<app::BalanceView> answer) override;
  void WithdrawalsOf(const std::string& user_id, app::Answer<std::vector<app::WithdrawalView>> answer) override;

 private:
  app::ReadModels& models_;
  Runner run_;
};

}  // namespace gm::infra::store
