#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "domain/events.hpp"

namespace gm::infra {

// The stored form of an event: a frozen, versioned type name and a JSON
// object. Points are stored as integer hundredths, times as Unix ms.
struct EncodedEvent {
  std::string type;
  std::string data;
};

EncodedEvent Encode(const domain::Event& event);

// The frozen type name Encode stores an event under ("order_uploaded.v1").
std::string_view TypeName(const domain::Event& event);

// Every type name, in the order of domain::Event's alternatives (so that
// TypeNames()[event.index()] == TypeName(event)).
std::vector<std::string> TypeNames();

// Throws std::runtime_error for an unknown type or malformed data: the log
// is ours, so either means a bug or a newer writer, never user input.
domain::Event Decode(std::string_view type, std::string_view data);

}  // namespace gm::infra
