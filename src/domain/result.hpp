#pragma once

#include <utility>
#include <variant>

namespace gm::domain {

// The outcome of a decision that may be refused for an expected reason.
// Expected refusals are values; faults stay exceptions. (std::expected is
// C++23 and only half there in g++ 12.)
template <class T, class E>
class Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(E error) : state_(std::in_place_index<1>, error) {}             // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool HasValue() const { return state_.index() == 0; }
  explicit operator bool() const { return HasValue(); }

  [[nodiscard]] const T& Value() const& { return std::get<0>(state_); }
  [[nodiscard]] T& Value() & { return std::get<0>(state_); }
  [[nodiscard]] T&& Value() && { return std::get<0>(std::move(state_)); }
  [[nodiscard]] E Error() const { return std::get<1>(state_); }

 private:
  std::variant<T, E> state_;
};

}  // namespace gm::domain
