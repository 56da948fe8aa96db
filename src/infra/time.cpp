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

}  // namespace gm::infra
