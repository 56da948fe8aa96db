#pragma once

#include <string>
#include <vector>

#include "domain/account.hpp"

namespace gm::domain {

// One change of an account's points, as a customer reads it.
struct HistoryEntry {
  enum class Kind { kAccrual, kWithdrawal };
  Kind kind = Kind::kAccrual;
  std::string order;
  Points amount;   // negative for a withdrawal
  Points balance;  // what can be spent right after this entry
  // When it happened: the event's time, but never before the entry ahead of
  // it, so a history read in stream order is also in time order (instances'
  // clocks may differ by a little, and a command's time is taken before its
  // append).
  TimeMs at = 0;
};

// Where a walk of the account stream stands after some of its events: the
// account then, and the latest time of its entries (the next entry's `at`
// is never before it). A long stream is walked a stretch at a time.
struct AccountWalk {
  AccountState state;
  TimeMs latest = 0;
};

// The account stream's events, oldest first, as entries oldest first.
std::vector<HistoryEntry> AccountHistory(const std::vector<Event>& account_events);
// The same of a stretch of the stream (oldest first), walked on from
// `walk`, which is left where the stretch ends.
std::vector<HistoryEntry> AccountHistory(const std::vector<Event>& stretch, AccountWalk& walk);

// The account as it stood at `instant`: the stream folded up to the last
// entry whose `at` (as AccountHistory has it) is not later. Always a state
// the account really had, so never negative.
AccountState AccountAt(const std::vector<Event>& account_events, TimeMs instant);
// The same, a stretch at a time: walks `walk` on through `stretch` up to
// its last entry not later than `instant`. False when an entry later than
// `instant` ended the walk (the rest of the stream changes nothing).
bool WalkUntil(const std::vector<Event>& stretch, TimeMs instant, AccountWalk& walk);

}  // namespace gm::domain
