#include "infra/time.hpp"

#include <chrono>
#include <cstdio>

namespace gm::infra {

domain::TimeMs NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

// Civil-date arithmetic from <chrono>: no gmtime_r, no time-zone lock.
std::string FormatRfc3339(domain::TimeMs time) {
  using namespace std::chrono;
  const sys_time<milliseconds> at{milliseconds{time}};
  const auto day = floor<days>(at);
  const year_month_day date{day};
  const hh_mm_ss clock{floor<seconds>(at - day)};
  char text[40];
  const int length =
      std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02d:%02d:%02d+00:00", int{date.year()}, unsigned{date.month()},
                    unsigned{date.day()}, static_cast<int>(clock.hours().count()),
                    static_cast<int>(clock.minutes().count()), static_cast<int>(clock.seconds().count()));
  return {text, static_cast<std::size_t>(length)};
}

namespace {

// Reads RFC 3339's fixed-width fields left to right.
class FieldReader {
 public:
  explicit FieldReader(std::string_view text) : text_(text) {}

  bool Digits(int count, int& value) {
    if (text_.size() - at_ < static_cast<std::size_t>(count)) return false;
    value = 0;
    for (int i = 0; i < count; ++i) {
      const char c = text_[at_++];
      if (c < '0' || c > '9') return false;
      value = value * 10 + (c - '0');
    }
    return true;
  }
  bool Take(std::string_view any_of) {
    if (at_ == text_.size() || any_of.find(text_[at_]) == std::string_view::npos) return false;
    ++at_;
    return true;
  }
  [[nodiscard]] char Last() const { return text_[at_ - 1]; }
  [[nodiscard]] bool AtDigit() const { return at_ < text_.size() && text_[at_] >= '0' && text_[at_] <= '9'; }
  [[nodiscard]] bool Done() const { return at_ == text_.size(); }

 private:
  std::string_view text_;
  std::size_t at_ = 0;
};

}  // namespace

std::optional<domain::TimeMs> ParseRfc3339(std::string_view text) {
  using namespace std::chrono;
  FieldReader in(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!in.Digits(4, year) || !in.Take("-") || !in.Digits(2, month) || !in.Take("-") || !in.Digits(2, day) ||
      !in.Take("Tt ") || !in.Digits(2, hour) || !in.Take(":") || !in.Digits(2, minute) || !in.Take(":") ||
      !in.Digits(2, second)) {
    return std::nullopt;
  }
  int millis = 0;
  if (in.Take(".")) {
    if (!in.AtDigit()) return std::nullopt;
    for (int place = 100; in.AtDigit(); place /= 10) {
      int digit = 0;
      in.Digits(1, digit);
      millis += digit * place;
    }
  }
  int offset_minutes = 0;
  if (!in.Take("Zz")) {
    if (!in.Take("+-")) return std::nullopt;
    const int sign = in.Last() == '-' ? -1 : 1;
    int offset_hour = 0, offset_minute = 0;
    if (!in.Digits(2, offset_hour) || !in.Take(":") || !in.Digits(2, offset_minute) || offset_hour > 23 ||
        offset_minute > 59) {
      return std::nullopt;
    }
    offset_minutes = sign * (offset_hour * 60 + offset_minute);
  }
  const year_month_day date{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                            std::chrono::day{static_cast<unsigned>(day)}};
  // A second of 60 is a leap second: it counts as the next minute's first.
  if (!in.Done() || !date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const auto at = sys_days{date} + hours{hour} + minutes{minute - offset_minutes} + seconds{second} +
                  milliseconds{millis};
  return duration_cast<milliseconds>(at.time_since_epoch()).count();
}

}  // namespace gm::infra
