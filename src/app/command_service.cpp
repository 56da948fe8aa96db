#include "app/command_service.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <tuple>

#include "app/command_support.hpp"

namespace gm::app {

namespace asio = boost::asio;

namespace {

// Awaits `first` and `second` at once and gives both values; if either
// throws, the first fault is thrown, once both have ended. Nothing is
// cancelled: Asio's `&&` cancels the other branch, which Boost 1.81's
// co_spawn handles unsafely across threads (the SQLite lane), and throws
// multiple_exceptions when both fail, where the caller needs the fault
// itself (StoreUnavailable is a 503).
template <class A, class B>
Async<std::tuple<A, B>> Both(Async<A> first, Async<B> second) {
  const auto executor = co_await asio::this_coro::executor;
  auto [order, first_error, first_value, second_error, second_value] =
      co_await asio::experimental::make_parallel_group(asio::co_spawn(executor, std::move(first), asio::deferred),
                                                       asio::co_spawn(executor, std::move(second), asio::deferred))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  if (first_error) std::rethrow_exception(first_error);
  if (second_error) std::rethrow_exception(second_error);
  co_return std::tuple<A, B>{std::move(first_value), std::move(second_value)};
}

}  // namespace

Async<bool> CommandService::Appended(std::vector<StreamAppend> appends) {
  co_return co_await store_.Append(std::move(appends)) == AppendOutcome::kAppended;
}

Async<void> CommandService::AfterConflict(int attempt) {
  if (attempt + 1 >= kMaxAttempts) throw ContentionError("too many concurrent writers on the same stream");
  asio::steady_timer pause(co_await asio::this_coro::executor, BackOffDelay(attempt));
  co_await pause.async_wait(asio::use_awaitable);
}

Async<domain::Result<Done, domain::RegisterError>> CommandService::Register(const domain::RegisterUser& command) {
  const std::string stream = domain::UserStream(command.login);
  LoadedStream loaded;  // logins are mostly new: the first attempt assumes so, and a taken one conflicts
  for (int attempt = 0;; ++attempt) {
    auto decision = domain::DecideRegister(Fold<domain::UserState>(loaded.events), command);
    if (!decision) co_return decision.Error();
    // (Built apart from the co_await: GCC 12 cannot keep an initializer
    // list's array alive across a suspension.)
    auto appends = ToAppends(decision.Value(), {{stream, loaded.version}});
    if (co_await Appended(std::move(appends))) co_return Done{};
    co_await AfterConflict(attempt);
    loaded = co_await store_.Load(stream);
  }
}

Async<domain::Result<bool, domain::UploadError>> CommandService::UploadOrder(const domain::UploadOrder& command) {
  const std::string stream = domain::OrderStream(command.number.Digits());
  LoadedStream loaded;  // most uploads are of new numbers: the first attempt assumes so
  for (int attempt = 0;; ++attempt) {
    auto decision = domain::DecideUpload(Fold<domain::OrderState>(loaded.events), command);
    if (!decision) co_return decision.Error();
    if (decision.Value().already_uploaded_by_this_user) co_return false;
    auto appends = ToAppends(decision.Value().events, {{stream, loaded.version}});
    if (co_await Appended(std::move(appends))) co_return true;
    co_await AfterConflict(attempt);
    loaded = co_await store_.Load(stream);
  }
}

Async<domain::Result<Done, domain::AccrualResultError>> CommandService::ApplyAccrualResult(
    const domain::ApplyAccrualResult& command) {
  const std::string stream = domain::OrderStream(command.number);
  for (int attempt = 0;; ++attempt) {
    const auto loaded = co_await store_.Load(stream);
    auto decision = domain::DecideAccrualResult(Fold<domain::OrderState>(loaded.events), command);
    if (!decision) co_return decision.Error();
    if (decision.Value().empty()) co_return Done{};
    // The order stream at the version read guards against crediting twice;
    // the account takes the credit wherever it stands (a credit needs no
    // balance check, and a racing withdrawal will see it and retry).
    auto appends = ToAppends(decision.Value(), {{stream, loaded.version}});
    if (co_await Appended(std::move(appends))) co_return Done{};
    co_await AfterConflict(attempt);
  }
}

Async<domain::Result<Done, domain::WithdrawError>> CommandService::Withdraw(const domain::WithdrawPoints& command) {
  const std::string account_stream = domain::AccountStream(command.user_id);
  const std::string withdrawal_stream = domain::WithdrawalStream(command.order.Digits());
  const auto turn = co_await accounts_.Take(command.user_id);
  for (int attempt = 0;; ++attempt) {
    auto [account, withdrawal] = co_await Both(store_.LoadAccount(command.user_id), store_.Load(withdrawal_stream));
    auto decision =
        domain::DecideWithdraw(account.state, Fold<domain::WithdrawalState>(withdrawal.events), command);
    if (!decision) co_return decision.Error();
    if (decision.Value().empty()) co_return Done{};
    auto appends =
        ToAppends(decision.Value(), {{account_stream, account.version}, {withdrawal_stream, withdrawal.version}});
    if (co_await Appended(std::move(appends))) co_return Done{};
    co_await AfterConflict(attempt);
  }
}

}  // namespace gm::app
