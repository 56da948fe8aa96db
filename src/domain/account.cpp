#include "domain/account.hpp"

namespace gm::domain {

AccountState Evolve(AccountState state, const Event& event) {
  if (const auto* accrued = std::get_if<PointsAccrued>(&event)) {
    state.current = state.current + accrued->amount;
  } else if (const auto* withdrawn = std::get_if<PointsWithdrawn>(&event)) {
    state.current = state.current - withdrawn->sum;
    state.withdrawn = state.withdrawn + withdrawn->sum;
  }
  return state;
}

}  // namespace gm::domain
