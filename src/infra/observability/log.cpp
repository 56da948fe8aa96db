#include "infra/observability/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstdio>

namespace gm::infra {
namespace {

// stderr through stdio's buffer. (spdlog's own stderr sink flushes after
// every line: one write() per request.)
class BufferedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    spdlog::memory_buf_t formatted;
    formatter_->format(message, formatted);
    std::fwrite(formatted.data(), 1, formatted.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

// Appends `text` as a JSON string: quotes, backslashes and control
// characters escaped, other bytes as they are.
// Bytes that need no escape are appended in runs: this runs for every
// field of every request's line.
void AppendQuoted(std::string& out, std::string_view text) {
  out += '"';
  std::size_t pending = 0;  // where the bytes not yet appended start
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x20 && byte != 0x7f && byte != '"' && byte != '\\') continue;
    out.append(text.data() + pending, i - pending);
    pending = i + 1;
    if (byte == '"' || byte == '\\') {
      out += '\\';
      out += text[i];
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    }
  }
  out.append(text.data() + pending, text.size() - pending);
  out += '"';
}

// "msg":"<message>" — short enough to need no allocation for our messages.
std::string MessageField(std::string_view message) {
  std::string field = "\"msg\":";
  AppendQuoted(field, message);
  return field;
}

}  // namespace

void InitLogging() {
  // Info lines (one per request) are buffered and written at least once a
  // second, so logging costs no system call per request; warnings and errors
  // go out at once, and so does everything when the process exits.
  static char buffer[64 * 1024];
  std::setvbuf(stderr, buffer, _IOFBF, sizeof buffer);
  auto logger = std::make_shared<spdlog::logger>("gophermart", std::make_shared<BufferedStderrSink>());
  logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  spdlog::flush_every(std::chrono::seconds(1));
  std::atexit([] { spdlog::shutdown(); });
}

void FlushLogs() { spdlog::default_logger()->flush(); }

LogLine& LogLine::Add(std::string_view key, std::string_view value) {
  fields_ += ',';
  AppendQuoted(fields_, key);
  fields_ += ':';
  AppendQuoted(fields_, value);
  return *this;
}

LogLine& LogLine::Add(std::string_view key, std::int64_t value) {
  fields_ += ',';
  AppendQuoted(fields_, key);
  fields_.append(":").append(std::to_string(value));
  return *this;
}

LogLine& LogLine::Add(std::string_view key, double value) {
  char text[32];
  const auto written = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, 3);
  fields_ += ',';
  AppendQuoted(fields_, key);
  fields_ += ':';
  fields_.append(text, written.ptr);
  return *this;
}

void LogLine::Info(std::string_view message) const { spdlog::info("{}{}", MessageField(message), fields_); }
void LogLine::Warn(std::string_view message) const { spdlog::warn("{}{}", MessageField(message), fields_); }
void LogLine::Error(std::string_view message) const { spdlog::error("{}{}", MessageField(message), fields_); }

}  // namespace gm::infra
