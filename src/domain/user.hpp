#pragma once

#include <string>
#include <vector>

#include "domain/events.hpp"
#include "domain/result.hpp"

namespace gm::domain {

struct UserState {
  bool registered = false;
  std::string user_id;
};

UserState Evolve(UserState state, const Event& event);

struct RegisterUser {
  std::string user_id;  // chosen by the caller, so a retry can be recognised
  std::string login;
  std::string password_hash;
  TimeMs now = 0;
};

enum class RegisterError {
  kLoginTaken,
};

Result<std::vector<Event>, RegisterError> DecideRegister(const UserState& state, const RegisterUser& command);

}  // namespace gm::domain
