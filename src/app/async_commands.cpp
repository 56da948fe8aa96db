#include "app/async_commands.hpp"

#include <atomic>
#include <memory>
#include <utility>

#include "app/command_support.hpp"

namespace gm::app {
namespace {

// One decide-and-append: it replies with an outcome, with a fault, or with
// neither after a version conflict (then it runs again).
template <class R>
using Attempt = std::function<void(Reply<R> reply)>;

// A fault thrown by an attempt's synchronous part is its reply's error.
// (Each attempt's reply runs once: a store answers exactly once, and one
// that throws has not taken the callback.)
template <class R>
void WithRetries(std::shared_ptr<const Attempt<R>> attempt, const Later& later, Reply<R> reply, int tried = 0) {
  auto settle = [attempt, &later, reply, tried](std::exception_ptr error, std::optional<R> outcome) mutable {
    if (error || outcome) return reply(error, std::move(outcome));
    if (tried + 1 >= kMaxAttempts) {
      return reply(std::make_exception_ptr(ContentionError("too many concurrent writers on the same stream")),
                   std::nullopt);
    }
    later(BackOffDelay(tried), [attempt, &later, reply = std::move(reply), tried]() mutable {
      WithRetries(std::move(attempt), later, std::move(reply), tried + 1);
    });
  };
  try {
    (*attempt)(settle);
  } catch (...) {
    reply(std::current_exception(), std::nullopt);
  }
}

// Both reads a withdrawal decides on, asked for at once.
struct WithdrawalReads {
  std::atomic<int> pending{2};
  std::exception_ptr account_error;
  std::exception_ptr withdrawal_error;
  AccountSnapshot account;
  LoadedStream withdrawal;
};

}  // namespace

template <class R>
void AsyncCommands::AppendThen(std::vector<StreamAppend> appends, R outcome, Reply<R> reply) {
  store_.Append(std::move(appends), [outcome = std::move(outcome), reply = std::move(reply)](
                                        std::exception_ptr error, AppendOutcome appended) mutable {
    if (error || appended == AppendOutcome::kVersionConflict) return reply(error, std::nullopt);
    reply(nullptr, std::move(outcome));
  });
}

template <class R>
void AsyncCommands::OnStream(std::string stream, FirstAttempt first, Decide<R> decide, Reply<R> reply) {
  // An optimistic first attempt assumes the stream does not exist and
  // appends at once (one round trip); if it does exist, the append conflicts
  // and the next attempt reads it and decides again.
  auto assume_new = std::make_shared<bool>(first == FirstAttempt::kAssumeNew);
  auto attempt = std::make_shared<const Attempt<R>>([this, stream = std::move(stream), decide = std::move(decide),
                                                     assume_new](Reply<R> settle) {
    if (std::exchange(*assume_new, false)) return decide(LoadedStream{}, std::move(settle));
    store_.Load(stream, [decide, settle = std::move(settle)](std::exception_ptr error, LoadedStream loaded) mutable {
      if (error) return settle(error, std::nullopt);
      decide(loaded, std::move(settle));
    });
  });
  WithRetries<R>(std::move(attempt), later_, std::move(reply));
}

void AsyncCommands::Register(const domain::RegisterUser& command,
                             Reply<domain::Result<Done, domain::RegisterError>> reply) {
  using R = domain::Result<Done, domain::RegisterError>;
  std::string stream = domain::UserStream(command.login);
  // Logins are mostly new, and one taken conflicts on the first append.
  OnStream<R>(
      stream, FirstAttempt::kAssumeNew,
      [this, command, stream](const LoadedStream& loaded, Reply<R> then) {
        auto decision = domain::DecideRegister(Fold<domain::UserState>(loaded.events), command);
        if (!decision) return then(nullptr, R(decision.Error()));
        AppendThen(ToAppends(decision.Value(), {{stream, loaded.version}}), R(Done{}), std::move(then));
      },
      std::move(reply));
}

void AsyncCommands::UploadOrder(const domain::UploadOrder& command,
                                Reply<domain::Result<bool, domain::UploadError>> reply) {
  using R = domain::Result<bool, domain::UploadError>;
  std::string stream = domain::OrderStream(command.number.Digits());
  // Most uploads are of new numbers.
  OnStream<R>(
      stream, FirstAttempt::kAssumeNew,
      [this, command, stream](const LoadedStream& loaded, Reply<R> then) {
        auto decision = domain::DecideUpload(Fold<domain::OrderState>(loaded.events), command);
        if (!decision) return then(nullptr, R(decision.Error()));
        if (decision.Value().already_uploaded_by_this_user) return then(nullptr, R(false));
        AppendThen(ToAppends(decision.Value().events, {{stream, loaded.version}}), R(true), std::move(then));
      },
      std::move(reply));
}

void AsyncCommands::ApplyAccrualResult(const domain::ApplyAccrualResult& command,
                                       Reply<domain::Result<Done, domain::AccrualResultError>> reply) {
  using R = domain::Result<Done, domain::AccrualResultError>;
  std::string stream = domain::OrderStream(command.number);
  OnStream<R>(
      stream, FirstAttempt::kLoad,
      [this, command, stream](const LoadedStream& loaded, Reply<R> then) {
        auto decision = domain::DecideAccrualResult(Fold<domain::OrderState>(loaded.events), command);
        if (!decision) return then(nullptr, R(decision.Error()));
        if (decision.Value().empty()) return then(nullptr, R(Done{}));
        // The order stream at the version read guards against crediting
        // twice; the account takes the credit wherever it stands (a credit
        // needs no balance check, and a racing withdrawal will see it and
        // retry).
        AppendThen(ToAppends(decision.Value(), {{stream, loaded.version}}), R(Done{}), std::move(then));
      },
      std::move(reply));
}

void AsyncCommands::Withdraw(const domain::WithdrawPoints& command,
                             Reply<domain::Result<Done, domain::WithdrawError>> reply) {
  using R = domain::Result<Done, domain::WithdrawError>;
  auto attempt = std::make_shared<const Attempt<R>>([this, command](Reply<R> settle) {
    const std::string withdrawal_stream = domain::WithdrawalStream(command.order.Digits());
    auto reads = std::make_shared<WithdrawalReads>();
    auto decide = [this, command, withdrawal_stream, reads, settle = std::move(settle)]() mutable {
      if (auto error = reads->account_error ? reads->account_error : reads->withdrawal_error) {
        return settle(error, std::nullopt);
      }
      auto decision = domain::DecideWithdraw(reads->account.state,
                                             Fold<domain::WithdrawalState>(reads->withdrawal.events), command);
      if (!decision) return settle(nullptr, R(decision.Error()));
      if (decision.Value().empty()) return settle(nullptr, R(Done{}));
      AppendThen(ToAppends(decision.Value(), {{domain::AccountStream(command.user_id), reads->account.version},
                                              {withdrawal_stream, reads->withdrawal.version}}),
                 R(Done{}), std::move(settle));
    };
    // Whichever read answers last decides.
    auto both = std::make_shared<decltype(decide)>(std::move(decide));
    store_.LoadAccount(command.user_id, [reads, both](std::exception_ptr error, AccountSnapshot account) {
      reads->account_error = error;
      reads->account = std::move(account);
      if (reads->pending.fetch_sub(1) == 1) (*both)();
    });
    store_.Load(withdrawal_stream, [reads, both](std::exception_ptr error, LoadedStream withdrawal) {
      reads->withdrawal_error = error;
      reads->withdrawal = std::move(withdrawal);
      if (reads->pending.fetch_sub(1) == 1) (*both)();
    });
  });
  accounts_.Run(
      command.user_id, [this, attempt = std::move(attempt), reply = std::move(reply)](KeyedQueue::Done done) mutable {
        WithRetries<R>(
            std::move(attempt), later_,
            [done = std::move(done), reply = std::move(reply)](std::exception_ptr error, std::optional<R> outcome) {
              done();  // the account's next withdrawal may start
              reply(error, std::move(outcome));
            });
      });
}

}  // namespace gm::app
