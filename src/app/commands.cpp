#include "app/commands.hpp"

#include <thread>

#include "app/command_support.hpp"

namespace gm::app {
namespace {

void BackOff(int attempt) { std::this_thread::sleep_for(BackOffDelay(attempt)); }

// Runs decide-and-append until it appends, needs nothing, or is refused.
template <class Attempt>
auto WithRetries(Attempt attempt) {
  for (int i = 0; i < Commands::kMaxAttempts; ++i) {
    if (auto outcome = attempt()) return *outcome;
    BackOff(i);
  }
  throw ContentionError("too many concurrent writers on the same stream");
}

}  // namespace

domain::Result<Done, domain::AccrualResultError> Commands::ApplyAccrualResult(
    const domain::ApplyAccrualResult& command) {
  using R = domain::Result<Done, domain::AccrualResultError>;
  return WithRetries([&]() -> std::optional<R> {
    const std::string stream = domain::OrderStream(command.number);
    const LoadedStream loaded = store_.Load(stream);
    auto decision = domain::DecideAccrualResult(Fold<domain::OrderState>(loaded.events), command);
    if (!decision) return R(decision.Error());
    if (decision.Value().empty()) return R(Done{});
    // The order stream at the version read guards against crediting twice;
    // the account takes the credit wherever it stands (a credit needs no
    // balance check, and a racing withdrawal will see it and retry).
    if (store_.Append(ToAppends(decision.Value(), {{stream, loaded.version}})) == AppendOutcome::kVersionConflict) {
      return std::nullopt;
    }
    return R(Done{});
  });
}

}  // namespace gm::app
