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

// The account stream's events, oldest first, as entries oldest first.
std::vector<HistoryEntry> AccountHistory(const std::vector<Event>& account_events);

// The account as it stood at `instant`: the stream folded up to the last
// entry whose `at` (as AccountHistory has it) is not later. Always a state
// the account really had, so never negative.
AccountState AccountAt(const std::vector<Event>& account_events, TimeMs instant);

}  // namespace gm::domain
