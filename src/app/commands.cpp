#include "app/commands.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <thread>

#include "domain/account.hpp"

namespace gm::app {
namespace {

template <class State>
State Fold(const std::vector<domain::Event>& events) {
  State state{};
  for (const auto& event : events) state = Evolve(std::move(state), event);
  return state;
}

// Groups events by their stream, each stream at the version it was read.
std::vector<StreamAppend> ToAppends(const std::vector<domain::Event>& events,
                                    const std::map<std::string, std::int64_t>& read_versions) {
  std::vector<StreamAppend> appends;
  for (const auto& event : events) {
    std::string stream = domain::StreamOf(event);
    auto it = std::find_if(appends.begin(), appends.end(), [&](const auto& a) { return a.stream == stream; });
    if (it == appends.end()) {
      const auto version = read_versions.find(stream);
      appends.push_back({stream, version == read_versions.end() ? kAnyVersion : version->second, {}});
      it = std::prev(appends.end());
    }
    it->events.push_back(event);
  }
  return appends;
}

// Losers of a race back off a little, randomly, so they do not collide again
// in lockstep.
void BackOff(int attempt) {
  thread_local std::minstd_rand random{std::random_device{}()};
  const int ceiling_us = 50 * std::min(attempt + 1, 20);
  std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, ceiling_us)(random)));
}

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

domain::Result<Done, domain::RegisterError> Commands::Register(const domain::RegisterUser& command) {
  using R = domain::Result<Done, domain::RegisterError>;
  return WithRetries([&]() -> std::optional<R> {
    const std::string stream = domain::UserStream(command.login);
    const LoadedStream loaded = store_.Load(stream);
    auto decision = domain::DecideRegister(Fold<domain::UserState>(loaded.events), command);
    if (!decision) return R(decision.Error());
    if (store_.Append(ToAppends(decision.Value(), {{stream, loaded.version}})) == AppendOutcome::kVersionConflict) {
      return std::nullopt;
    }
    return R(Done{});
  });
}

domain::Result<bool, domain::UploadError> Commands::UploadOrder(const domain::UploadOrder& command) {
  using R = domain::Result<bool, domain::UploadError>;
  bool first_attempt = true;
  return WithRetries([&]() -> std::optional<R> {
    const std::string stream = domain::OrderStream(command.number.Digits());
    // Most uploads are of new numbers: the first attempt assumes the stream
    // does not exist and appends at once (one round trip); if it does exist,
    // the append conflicts and the next attempt reads it and decides again.
    const LoadedStream loaded = first_attempt ? LoadedStream{} : store_.Load(stream);
    first_attempt = false;
    auto decision = domain::DecideUpload(Fold<domain::OrderState>(loaded.events), command);
    if (!decision) return R(decision.Error());
    if (decision.Value().already_uploaded_by_this_user) return R(false);
    if (store_.Append(ToAppends(decision.Value().events, {{stream, loaded.version}})) ==
        AppendOutcome::kVersionConflict) {
      return std::nullopt;
    }
    return R(true);
  });
}

domain::Result<Done, domain::WithdrawError> Commands::Withdraw(const domain::WithdrawPoints& command) {
  using R = domain::Result<Done, domain::WithdrawError>;
  return WithRetries([&]() -> std::optional<R> {
    const std::string account_stream = domain::AccountStream(command.user_id);
    const std::string withdrawal_stream = domain::WithdrawalStream(command.order.Digits());
    const AccountSnapshot account = store_.LoadAccount(command.user_id);
    const LoadedStream withdrawal = store_.Load(withdrawal_stream);
    auto decision = domain::DecideWithdraw(account.state, Fold<domain::WithdrawalState>(withdrawal.events), command);
    if (!decision) return R(decision.Error());
    if (decision.Value().empty()) return R(Done{});
    const auto appends =
        ToAppends(decision.Value(), {{account_stream, account.version}, {withdrawal_stream, withdrawal.version}});
    if (store_.Append(appends) == AppendOutcome::kVersionConflict) return std::nullopt;
    return R(Done{});
  });
}

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
