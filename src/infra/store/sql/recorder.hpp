#pragma once

#include <optional>
#include <string>
#include <vector>

#include "infra/store/sql/sql.hpp"

namespace gm::infra::sql {

// A statement as written, with its parameters as text (nullopt is NULL).
struct RecordedStatement {
  const char* sql = nullptr;  // the string literal given to Prepare
  std::vector<std::optional<std::string>> params;
};

// A Connection that keeps the statements run on it instead of running them,
// so code written for a blocking connection (the append writer, the
// projector) can describe a write that an asynchronous connection then
// sends. Only statements run for their effect can be recorded: anything
// that needs an answer (Step, Execute, Changes) throws std::logic_error.
class Recorder final : public Connection {
 public:
  explicit Recorder(Dialect dialect) : dialect_(dialect) {}

  Statement Prepare(const char* sql) override;
  void Execute(const std::string& sql) override;
  void BeginWrite() override {}
  [[nodiscard]] std::int64_t Changes() override;
  [[nodiscard]] Dialect Kind() const override { return dialect_; }

  // The statements recorded so far, in order; leaves none behind.
  std::vector<RecordedStatement> Take() { return std::move(recorded_); }

 private:
  Dialect dialect_;
  std::vector<RecordedStatement> recorded_;
};

}  // namespace gm::infra::sql
