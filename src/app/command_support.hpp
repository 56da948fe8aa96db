#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/ports.hpp"
#include "domain/events.hpp"

// What every command handler does the same way: fold a
// stream, group decided events by stream, back off after a lost race.
namespace gm::app {

template <class State>
State Fold(const std::vector<domain::Event>& events) {
  State state{};
  for (const auto& event : events) state = Evolve(std::move(state), event);
  return state;
}

// Groups events by their stream, each stream at the version it was read;
// a stream that was not read is appended wherever it ends (kAnyVersion).
std::vector<StreamAppend> ToAppends(const std::vector<domain::Event>& events,
                                    const std::map<std::string, std::int64_t>& read_versions);

// How long the loser of a race waits before its `attempt`-th retry: random,
// so racers do not collide again in lockstep, and growing a little.
std::chrono::microseconds BackOffDelay(int attempt);

}  // namespace gm::app
