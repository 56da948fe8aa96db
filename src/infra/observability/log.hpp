#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace gm::infra {

// Structured logs: one JSON object per line on stderr, e.g.
// {"ts":"2026-11-25T12:00:00.123Z","level":"info","msg":"request","method":"GET",...}
// Each thread buffers its info lines (written within a second, or once it
// holds 32 KiB); a warning or an error writes its thread's lines at once.
// Lines never interleave, but two threads' lines within a second may
// appear out of time order. Before InitLogging every line goes out at once.
void InitLogging();
// Writes out buffered lines now.
void FlushLogs();

// Keys are names written in our code, put in the line as they are; values
// are escaped.
class LogLine {
 public:
  LogLine() { fields_.reserve(192); }  // a request's line without growing
  LogLine& Add(std::string_view key, std::string_view value);
  LogLine& Add(std::string_view key, const char* value) { return Add(key, std::string_view(value)); }
  LogLine& Add(std::string_view key, std::int64_t value);
  LogLine& Add(std::string_view key, double value);

  void Info(std::string_view message) const;
  void Warn(std::string_view message) const;
  void Error(std::string_view message) const;

 private:
  std::string fields_;
};

}  // namespace gm::infra
