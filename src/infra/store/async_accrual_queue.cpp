#include "infra/store/async_accrual_queue.hpp"

#include "infra/store/mapped_reply.hpp"
#include "infra/store/queue_queries.hpp"

namespace gm::infra::store {
namespace {

constexpr const char* kClaimDue = "claim_due";
constexpr const char* kReschedule = "reschedule";

}  // namespace

std::vector<postgres::PgStatementText> PipelinedAccrualQueue::Statements() {
  return {{kClaimDue, queries::kClaimDuePostgres}, {kReschedule, queries::kReschedule}};
}

void PipelinedAccrualQueue::ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit,
                                     app::Answer<std::vector<app::PendingOrder>> answer) {
  pool_.Query(kClaimDue, {std::to_string(now), std::to_string(lease_until), std::to_string(limit)},
              Mapped(std::move(answer), [](const postgres::PgRows& rows) {
                std::vector<app::PendingOrder> claimed;
                for (int row = 0; row < rows.Size(); ++row) {
                  claimed.push_back({rows.Text(row, 0), static_cast<int>(rows.Int64(row, 1))});
                }
                return claimed;
              }));
}

void PipelinedAccrualQueue::Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at,
                                       app::Answer<bool> answer) {
  pool_.Query(kReschedule, {std::to_string(attempts), std::to_string(next_attempt_at), number},
              [answer = std::move(answer)](std::exception_ptr error, postgres::PgRows) { answer(error, !error); });
}

void DeferredAccrualQueue::ClaimDue(domain::TimeMs now, domain::TimeMs lease_until, std::size_t limit,
                                    app::Answer<std::vector<app::PendingOrder>> answer) {
  Defer(run_, std::move(answer), [this, now, lease_until, limit] { return queue_.ClaimDue(now, lease_until, limit); });
}

void DeferredAccrualQueue::Reschedule(const std::string& number, int attempts, domain::TimeMs next_attempt_at,
                                      app::Answer<bool> answer) {
  Defer(run_, std::move(answer), [this, number, attempts, next_attempt_at] {
    queue_.Reschedule(number, attempts, next_attempt_at);
    return true;
  });
}

}  // namespace gm::infra::store
