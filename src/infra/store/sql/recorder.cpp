#include "infra/store/sql/recorder.hpp"

#include <stdexcept>

namespace gm::infra::sql {
namespace {

[[noreturn]] void NeedsAnAnswer(const char* what) {
  throw std::logic_error(std::string("sql::Recorder cannot answer ") + what + ": it only records writes");
}

class RecordingStatement final : public StatementBackend {
 public:
  RecordingStatement(std::vector<RecordedStatement>& out, const char* sql) : out_(out), statement_{sql, {}} {}

  void Bind(int index, std::int64_t value) override { Param(index) = std::to_string(value); }
  void Bind(int index, std::string_view value) override { Param(index) = std::string(value); }
  void BindNull(int index) override { Param(index) = std::nullopt; }
  bool Step() override { NeedsAnAnswer("Step"); }
  void Run() override { out_.push_back(std::move(statement_)); }
  [[nodiscard]] std::int64_t Int64(int) const override { NeedsAnAnswer("Int64"); }
  [[nodiscard]] std::string Text(int) const override { NeedsAnAnswer("Text"); }
  [[nodiscard]] bool IsNull(int) const override { NeedsAnAnswer("IsNull"); }
  [[nodiscard]] int Columns() const override { NeedsAnAnswer("Columns"); }

 private:
  std::optional<std::string>& Param(int index) {
    auto& params = statement_.params;
    if (params.size() < static_cast<std::size_t>(index)) params.resize(static_cast<std::size_t>(index));
    return params[static_cast<std::size_t>(index) - 1];
  }

  std::vector<RecordedStatement>& out_;
  RecordedStatement statement_;
};

}  // namespace

Statement Recorder::Prepare(const char* sql) { return Statement(std::make_unique<RecordingStatement>(recorded_, sql)); }

void Recorder::Execute(const std::string&) { NeedsAnAnswer("Execute"); }

std::int64_t Recorder::Changes() { NeedsAnAnswer("Changes"); }

}  // namespace gm::infra::sql
