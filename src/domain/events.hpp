#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "domain/points.hpp"

namespace gm::domain {

// Milliseconds since the Unix epoch, UTC. The domain never reads a clock:
// every command carries the time it was issued.
using TimeMs = std::int64_t;

// Events are past-tense facts. Their stored names are versioned and frozen
// (see infra/store/event_codec.cpp); a change of shape is a new version.

struct UserRegistered {
  std::string user_id;
  std::string login;
  std::string password_hash;
  TimeMs at = 0;
};

struct OrderUploaded {
  std::string number;
  std::string user_id;
  TimeMs at = 0;
};

// The accrual system has seen the order (REGISTERED or PROCESSING there).
struct OrderProcessingStarted {
  std::string number;
  TimeMs at = 0;
};

struct OrderProcessed {
  std::string number;
  std::string user_id;
  Points accrual;
  TimeMs at = 0;
};

struct OrderInvalidated {
  std::string number;
  TimeMs at = 0;
};

struct PointsAccrued {
  std::string user_id;
  std::string order;
  Points amount;
  TimeMs at = 0;
};

struct PointsWithdrawn {
  std::string user_id;
  std::string order;
  Points sum;
  TimeMs at = 0;
};

// An order number taken for a withdrawal: the fact that makes a withdrawal
// order number unique and a repeated request recognisable.
struct WithdrawalPlaced {
  std::string order;
  std::string user_id;
  Points sum;
  TimeMs at = 0;
};

using Event = std::variant<UserRegistered, OrderUploaded, OrderProcessingStarted, OrderProcessed, OrderInvalidated,
                           PointsAccrued, PointsWithdrawn, WithdrawalPlaced>;

// One stream per aggregate instance.
std::string UserStream(const std::string& login);
std::string OrderStream(const std::string& number);
std::string AccountStream(const std::string& user_id);
std::string WithdrawalStream(const std::string& order);

// The stream an event belongs to, derived from the event itself.
std::string StreamOf(const Event& event);

}  // namespace gm::domain
