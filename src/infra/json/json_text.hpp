#pragma once

#include <string>
#include <string_view>

#include "domain/points.hpp"
#include "domain/result.hpp"

namespace boost::json {
class value;
}

namespace gm::infra {

// A JSON string literal, quoted and escaped.
std::string JsonString(std::string_view text);

// Points as a JSON number with at most two decimals: 500, 500.5, 729.98.
// Written from the integer hundredths, never through a double.
std::string JsonPoints(domain::Points points);

enum class JsonPointsError {
  kNotANumber,
  kTooPrecise,
  kOutOfRange,
};

// Reads points from a parsed JSON number. Boost.JSON holds a number with a
// fraction as a double; the shortest decimal that reads back as that same
// double is exactly what the client wrote whenever it had at most 15
// significant digits, which every amount within kMaxPointsHundredths has.
domain::Result<domain::Points, JsonPointsError> PointsFromJson(const boost::json::value& value);

}  // namespace gm::infra
