#pragma once

namespace gm::domain {

// Builds one visitor from several lambdas, for std::visit over events.
template <class... Handlers>
struct Overloaded : Handlers... {
  using Handlers::operator()...;
};

}  // namespace gm::domain
