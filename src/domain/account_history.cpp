#include "domain/account_history.hpp"

#include <algorithm>

namespace gm::domain {
namespace {

// Calls `visit(entry)` for each credit and withdrawal in
// stream order, from `walk` on, until it answers false: `walk` is then left
// before that entry (after the last when none refused), and this is false.
template <class Visit>
bool WalkAccount(const std::vector<Event>& account_events, AccountWalk& walk, Visit visit) {
  for (const auto& event : account_events) {
    HistoryEntry entry;
    if (const auto* accrued = std::get_if<PointsAccrued>(&event)) {
      entry = {HistoryEntry::Kind::kAccrual, accrued->order, accrued->amount, {}, accrued->at};
    } else if (const auto* withdrawn = std::get_if<PointsWithdrawn>(&event)) {
      entry = {HistoryEntry::Kind::kWithdrawal, withdrawn->order, Points{} - withdrawn->sum, {}, withdrawn->at};
    } else {
      continue;
    }
    const AccountWalk after{Evolve(walk.state, event), std::max(walk.latest, entry.at)};
    entry.at = after.latest;
    entry.balance = after.state.current;
    if (!visit(std::move(entry))) return false;
    walk = after;
  }
  return true;
}

}  // namespace

std::vector<HistoryEntry> AccountHistory(const std::vector<Event>& account_events) {
  AccountWalk walk;
  return AccountHistory(account_events, walk);
}

std::vector<HistoryEntry> AccountHistory(const std::vector<Event>& stretch, AccountWalk& walk) {
  std::vector<HistoryEntry> history;
  history.reserve(stretch.size());
  WalkAccount(stretch, walk, [&](HistoryEntry entry) {
    history.push_back(std::move(entry));
    return true;
  });
  return history;
}

AccountState AccountAt(const std::vector<Event>& account_events, TimeMs instant) {
  AccountWalk walk;
  WalkUntil(account_events, instant, walk);
  return walk.state;
}

bool WalkUntil(const std::vector<Event>& stretch, TimeMs instant, AccountWalk& walk) {
  return WalkAccount(stretch, walk, [instant](const HistoryEntry& entry) { return entry.at <= instant; });
}

}  // namespace gm::domain
