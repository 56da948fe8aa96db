#include "domain/user.hpp"

namespace gm::domain {

UserState Evolve(UserState state, const Event& event) {
  if (const auto* registered = std::get_if<UserRegistered>(&event)) {
    state.registered = true;
    state.user_id = registered->user_id;
  }
  return state;
}

Result<std::vector<Event>, RegisterError> DecideRegister(const UserState& state, const RegisterUser& command) {
  if (state.registered) return RegisterError::kLoginTaken;
  return std::vector<Event>{UserRegistered{command.user_id, command.login, command.password_hash, command.now}};
}

}  // namespace gm::domain
