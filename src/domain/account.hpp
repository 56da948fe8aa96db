#pragma once

#include "domain/events.hpp"

namespace gm::domain {

// A user's points: what can be spent and what has been spent.
struct AccountState {
  Points current;
  Points withdrawn;
};

AccountState Evolve(AccountState state, const Event& event);

}  // namespace gm::domain
