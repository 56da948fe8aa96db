#include "infra/observability/log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

namespace gm::infra {
namespace {

using Clock = std::chrono::system_clock;

// A thread's buffer is written out once it holds this much.
constexpr std::size_t kFlushBytes = 32 * 1024;
constexpr std::chrono::seconds kFlushEvery{1};

bool NeedsEscape(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte >= 0x7f || byte == '"' || byte == '\\';
}

// The length of the well-formed UTF-8 sequence that starts `text` (RFC 3629:
// no overlong forms, no surrogates, nothing past U+10FFFF), or 0.
std::size_t Utf8SequenceLength(std::string_view text) {
  const auto byte = [&text](std::size_t i) { return static_cast<unsigned char>(text[i]); };
  const auto continuation = [&](std::size_t i, unsigned char low = 0x80, unsigned char high = 0xbf) {
    return i < text.size() && byte(i) >= low && byte(i) <= high;
  };
  const unsigned char lead = byte(0);
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const unsigned char low = lead == 0xe0 ? 0xa0 : 0x80;
    const unsigned char high = lead == 0xed ? 0x9f : 0xbf;
    return continuation(1, low, high) && continuation(2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const unsigned char low = lead == 0xf0 ? 0x90 : 0x80;
    const unsigned char high = lead == 0xf4 ? 0x8f : 0xbf;
    return continuation(1, low, high) && continuation(2) && continuation(3) ? 4 : 0;
  }
  return 0;
}

// Appends `text` as a JSON string that is valid UTF-8 whatever `text` holds:
// quotes, backslashes and control characters escaped, well-formed UTF-8 as
// it is, and each byte that is not part of a well-formed sequence as
// U+FFFD (what a client sent in a path may be any bytes). This runs for
// every field of every request's line, so text with nothing to escape
// (nearly all) is appended whole.
void AppendQuoted(std::string& out, std::string_view text) {
  out += '"';
  std::size_t pending = 0;  // where the bytes not yet appended start
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (!NeedsEscape(text[i])) continue;
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte >= 0x80) {
      if (const std::size_t length = Utf8SequenceLength(text.substr(i)); length > 0) {
        i += length - 1;  // well formed: stays in the pending run
        continue;
      }
    }
    out.append(text.data() + pending, i - pending);
    pending = i + 1;
    if (text[i] == '"' || text[i] == '\\') {
      out += '\\';
      out += text[i];
    } else if (byte >= 0x80) {
      out += "\\ufffd";
    } else {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", byte);
      out += escaped;
    }
  }
  out.append(text.data() + pending, text.size() - pending);
  out += '"';
}

// Keys are names in our code, written as they are.
void AppendKey(std::string& out, std::string_view key) {
  out += ",\"";
  out += key;
  out += "\":";
}

template <class Integer>
void AppendInteger(std::string& out, Integer value) {
  std::array<char, 24> text{};
  const auto written = std::to_chars(text.data(), text.data() + text.size(), value);
  out.append(text.data(), written.ptr);
}

// 0..999 as three digits: "007".
void AppendThreeDigits(std::string& out, std::int64_t value) {
  out += static_cast<char>('0' + value / 100);
  out += static_cast<char>('0' + value / 10 % 10);
  out += static_cast<char>('0' + value % 10);
}

// Writes all of `bytes` to stderr.
void WriteAll(std::string_view bytes) {
  while (!bytes.empty()) {
    const auto written = ::write(STDERR_FILENO, bytes.data(), bytes.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere left to report it
    }
    bytes.remove_prefix(static_cast<std::size_t>(written));
  }
}

// Lines a thread has logged and not yet written. Each thread appends to its
// own, so logging a request takes no lock another thread holds; the
// flusher takes it once a second.
struct Pending {
  std::mutex mutex;
  std::string lines;
};

// Every thread's buffer, and the periodic flusher. Never destroyed: threads
// may log while the process exits.
class Logs {
 public:
  static Logs& Get() {
    static auto* logs = new Logs;
    return *logs;
  }

  void Add(Pending* pending) {
    std::lock_guard lock(mutex_);
    buffers_.push_back(pending);
  }

  void Remove(Pending* pending) {
    std::lock_guard lock(mutex_);
    std::erase(buffers_, pending);
  }

  // Writes out a thread's lines; `held` locks that thread's buffer. The
  // lines are taken out, and the buffer is let go once this write is next
  // in line: the thread logs on while its bytes go out (a slow stderr
  // stalls a loop only when it must write itself), and its lines keep
  // their order. One write at a time, so two threads' lines never
  // interleave.
  void Write(std::unique_lock<std::mutex>& held, Pending& pending) {
    if (pending.lines.empty()) return;
    std::string lines;
    lines.swap(pending.lines);
    pending.lines.reserve(lines.capacity());
    std::lock_guard lock(write_mutex_);
    held.unlock();
    WriteAll(lines);
  }

  void FlushAll() {
    std::lock_guard lock(mutex_);
    for (auto* pending : buffers_) {
      std::unique_lock buffer(pending->mutex);
      Write(buffer, *pending);
    }
  }

  // From now on info lines wait in their thread's buffer for at most
  // kFlushEvery.
  void StartBuffering() {
    if (buffering_.exchange(true)) return;
    flusher_ = std::thread([this] {
      std::unique_lock lock(stop_mutex_);
      while (!stop_cv_.wait_for(lock, kFlushEvery, [this] { return stopping_; })) FlushAll();
    });
    std::atexit([] { Get().StopBuffering(); });
  }

  [[nodiscard]] bool Buffering() const { return buffering_.load(std::memory_order_relaxed); }

 private:
  void StopBuffering() {
    {
      std::lock_guard lock(stop_mutex_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    if (flusher_.joinable()) flusher_.join();
    FlushAll();
  }

  std::mutex mutex_;  // guards buffers_
  std::vector<Pending*> buffers_;
  std::mutex write_mutex_;
  std::atomic<bool> buffering_{false};
  std::thread flusher_;
  std::mutex stop_mutex_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
};

// This thread's buffer, and the timestamp text of the second it last
// logged in (formatted again only when the second changes).
class ThreadLog {
 public:
  ThreadLog() { Logs::Get().Add(&pending_); }
  ~ThreadLog() {
    Logs::Get().Remove(&pending_);
    std::unique_lock lock(pending_.mutex);
    Logs::Get().Write(lock, pending_);
  }
  ThreadLog(const ThreadLog&) = delete;
  ThreadLog& operator=(const ThreadLog&) = delete;

  void Log(std::string_view level, std::string_view message, std::string_view fields, bool now) {
    std::unique_lock lock(pending_.mutex);
    auto& out = pending_.lines;
    out += R"({"ts":")";
    AppendTimestamp(out);
    out += R"(","level":")";
    out += level;
    out += R"(","msg":)";
    AppendQuoted(out, message);
    out += fields;
    out += "}\n";
    if (now || !Logs::Get().Buffering() || out.size() >= kFlushBytes) Logs::Get().Write(lock, pending_);
  }

 private:
  // 2026-11-25T12:00:00.123Z (UTC, milliseconds)
  void AppendTimestamp(std::string& out) {
    const auto since_epoch = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now().time_since_epoch());
    const std::time_t second = static_cast<std::time_t>(since_epoch.count() / 1000);
    if (second != second_) {
      std::tm utc{};
      gmtime_r(&second, &utc);
      second_text_.fill('\0');
      std::strftime(second_text_.data(), second_text_.size(), "%Y-%m-%dT%H:%M:%S", &utc);
      second_ = second;
    }
    out += second_text_.data();
    out += '.';
    AppendThreeDigits(out, since_epoch.count() % 1000);
    out += 'Z';
  }

  Pending pending_;
  std::time_t second_ = -1;
  std::array<char, 32> second_text_{};
};

void Log(std::string_view level, std::string_view message, std::string_view fields, bool now) {
  thread_local ThreadLog log;
  log.Log(level, message, fields, now);
}

}  // namespace

void InitLogging() { Logs::Get().StartBuffering(); }

void FlushLogs() { Logs::Get().FlushAll(); }

LogLine& LogLine::Add(std::string_view key, std::string_view value) {
  AppendKey(fields_, key);
  AppendQuoted(fields_, value);
  return *this;
}

LogLine& LogLine::Add(std::string_view key, std::int64_t value) {
  AppendKey(fields_, key);
  AppendInteger(fields_, value);
  return *this;
}

LogLine& LogLine::Add(std::string_view key, double value) {
  AppendKey(fields_, key);
  // Three decimals by integer arithmetic where the value allows it
  // (durations), which costs a fraction of a general conversion.
  if (value >= 0 && value < 1e12) {
    const auto thousandths = static_cast<std::int64_t>(value * 1000 + 0.5);
    AppendInteger(fields_, thousandths / 1000);
    fields_ += '.';
    AppendThreeDigits(fields_, thousandths % 1000);
    return *this;
  }
  std::array<char, 32> text{};
  const auto written = std::to_chars(text.data(), text.data() + text.size(), value, std::chars_format::fixed, 3);
  fields_.append(text.data(), written.ptr);
  return *this;
}

void LogLine::Info(std::string_view message) const { Log("info", message, fields_, false); }
void LogLine::Warn(std::string_view message) const { Log("warning", message, fields_, true); }
void LogLine::Error(std::string_view message) const { Log("error", message, fields_, true); }

}  // namespace gm::infra
