#include "infra/json/json_text.hpp"

#include <boost/json.hpp>
#include <charconv>

namespace gm::infra {

std::string JsonString(std::string_view text) { return boost::json::serialize(boost::json::string_view(text)); }

std::string JsonPoints(domain::Points points) { return domain::FormatPoints(points); }

domain::Result<domain::Points, JsonPointsError> PointsFromJson(const boost::json::value& value) {
  std::string text;
  if (value.is_int64()) {
    text = std::to_string(value.get_int64());
  } else if (value.is_uint64()) {
    text = std::to_string(value.get_uint64());
  } else if (value.is_double()) {
    char buffer[400];  // the longest double in fixed notation is 309 digits plus change
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value.get_double(), std::chars_format::fixed);
    if (result.ec != std::errc{}) return JsonPointsError::kOutOfRange;
    text.assign(buffer, result.ptr);
  } else {
    return JsonPointsError::kNotANumber;
  }
  auto points = domain::ParsePoints(text);
  if (points) return points.Value();
  switch (points.Error()) {
    case domain::PointsError::kNotANumber:
      return JsonPointsError::kNotANumber;
    case domain::PointsError::kTooPrecise:
      return JsonPointsError::kTooPrecise;
    case domain::PointsError::kOutOfRange:
      return JsonPointsError::kOutOfRange;
  }
  return JsonPointsError::kNotANumber;
}

}  // namespace gm::infra
