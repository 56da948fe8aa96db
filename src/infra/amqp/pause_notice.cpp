#include "infra/amqp/pause_notice.hpp"

#include <algorithm>
#include <charconv>

namespace gm::infra::amqp {
namespace {

constexpr std::string_view kVerb = "pause ";
constexpr std::chrono::milliseconds kLongest = std::chrono::hours(1);

std::optional<long long> NonNegative(std::string_view text) {
  long long value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

}  // namespace

std::string FormatPauseNotice(const PauseNotice& notice) {
  std::string text(kVerb);
  text += std::to_string(notice.retry_after.count());
  text += ' ';
  text += std::to_string(notice.requests_per_minute.value_or(0));
  return text;
}

std::optional<PauseNotice> ParsePauseNotice(std::string_view text) {
  if (!text.starts_with(kVerb)) return std::nullopt;
  text.remove_prefix(kVerb.size());
  const auto space = text.find(' ');
  if (space == std::string_view::npos) return std::nullopt;
  const auto milliseconds = NonNegative(text.substr(0, space));
  const auto per_minute = NonNegative(text.substr(space + 1));
  if (!milliseconds || !per_minute || *per_minute > 1'000'000) return std::nullopt;
  PauseNotice notice;
  notice.retry_after = std::chrono::milliseconds(std::min<long long>(*milliseconds, kLongest.count()));
  if (*per_minute > 0) notice.requests_per_minute = static_cast<int>(*per_minute);
  return notice;
}

}  // namespace gm::infra::amqp
