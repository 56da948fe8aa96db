#include "domain/account_history.hpp"

#include <algorithm>

namespace gm::domain {
namespace {

// Calls `visit(entry, state_after)` for each credit and withdrawal in
// stream order, until it answers false.
template <class Visit>
void WalkAccount(const std::vector<Event>& account_events, Visit visit) {
  AccountState state;
  TimeMs latest = 0;
  for (const auto& event : account_events) {
    HistoryEntry entry;
    if (const auto* accrued = std::get_if<PointsAccrued>(&event)) {
      entry = {HistoryEntry::Kind::kAccrual, accrued->order, accrued->amount, {}, accrued->at};
    } else if (const auto* withdrawn = std::get_if<PointsWithdrawn>(&event)) {
      entry = {HistoryEntry::Kind::kWithdrawal, withdrawn->order, Points{} - withdrawn->sum, {}, withdrawn->at};
    } else {
      continue;
    }
    state = Evolve(state, event);
    latest = std::max(latest, entry.at);
    entry.at = latest;
    entry.balance = state.current;
    if (!visit(std::move(entry), state)) return;
  }
}

}  // namespace

std::vector<HistoryEntry> AccountHistory(const std::vector<Event>& account_events) {
  std::vector<HistoryEntry> history;
  history.reserve(account_events.size());
  WalkAccount(account_events, [&](HistoryEntry entry, const AccountState&) {
    history.push_back(std::move(entry));
    return true;
  });
  return history;
}

AccountState AccountAt(const std::vector<Event>& account_events, TimeMs instant) {
  AccountState at_instant;
  WalkAccount(account_events, [&](const HistoryEntry& entry, const AccountState& after) {
    if (entry.at > instant) return false;
    at_instant = after;
    return true;
  });
  return at_instant;
}

}  // namespace gm::domain
