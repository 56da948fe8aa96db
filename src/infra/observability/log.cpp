#include "infra/observability/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <cstdio>

namespace gm::infra {
namespace {

std::string Quote(std::string_view text) { return boost::json::serialize(boost::json::string_view(text)); }

std::string Render(std::string_view message, const std::string& fields) { return "\"msg\":" + Quote(message) + fields; }

}  // namespace

void InitLogging() {
  // Info lines (one per request) are buffered and written at least once a
  // second, so logging costs no system call per request; warnings and errors
  // go out at once, and so does everything when the process exits.
  static char buffer[64 * 1024];
  std::setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
  auto logger = spdlog::stderr_logger_mt("gophermart");
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
  std::atexit([] { spdlog::shutdown(); });
}

LogLine& LogLine::Add(std::string_view key, std::string_view value) {
  fields_.append(",").append(Quote(key)).append(":").append(Quote(value));
  return *this;
}

LogLine& LogLine::Add(std::string_view key, std::int64_t value) {
  fields_.append(",").append(Quote(key)).append(":").append(std::to_string(value));
  return *this;
}

LogLine& LogLine::Add(std::string_view key, double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  fields_.append(",").append(Quote(key)).append(":").append(text);
  return *this;
}

void LogLine::Info(std::string_view message) const { spdlog::info("{}", Render(message, fields_)); }
void LogLine::Warn(std::string_view message) const { spdlog::warn("{}", Render(message, fields_)); }
void LogLine::Error(std::string_view message) const { spdlog::error("{}", Render(message, fields_)); }

}  // namespace gm::infra
