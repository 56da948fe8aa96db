// The log line format: one JSON object per line, values escaped, numbers
// written without a general conversion, and lines of several threads
// never interleaved. Captures stderr in a temporary file.
#include "infra/observability/log.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

#include "captured_log.hpp"

namespace gm::infra {
namespace {

TEST(LogTest, ALineIsOneJsonObjectWithItsFieldsEscaped) {
  const auto lines = Captured([] {
    LogLine()
        .Add("path", "/a\"b\\c\x01")
        .Add("status", std::int64_t{-42})
        .Add("duration_ms", 0.8604)
        .Add("rounded", 12.3456)
        .Add("negative", -1.5)
        .Info("said \"hi\"");
    LogLine().Warn("careful");
  });
  ASSERT_EQ(lines.size(), 2U);
  const std::regex info(
      R"(\{"ts":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z","level":"info","msg":"said \\"hi\\"",)"
      R"("path":"/a\\"b\\\\c\\u0001","status":-42,"duration_ms":0\.860,"rounded":12\.346,"negative":-1\.500\})");
  EXPECT_TRUE(std::regex_match(lines[0], info)) << lines[0];
  EXPECT_TRUE(std::regex_match(lines[1], std::regex(R"(\{"ts":"[^"]+","level":"warning","msg":"careful"\})")))
      << lines[1];
}

// Logs `count` lines from each of four threads; returns what was written.
// With `flushing`, a fifth thread flushes every buffer over and over, as
// the flusher does once a second.
std::vector<std::string> LinesOfFourThreads(int count, bool flushing = false) {
  return Captured([count, flushing] {
    std::atomic<bool> done{false};
    std::thread flusher([&done, flushing] {
      while (flushing && !done) FlushLogs();
    });
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([t, count] {
        for (int i = 0; i < count; ++i) {
          LogLine()
              .Add("thread", std::int64_t{t})
              .Add("i", std::int64_t{i})
              .Add("pad", std::string(100, 'x'))
              .Info("line");
        }
      });
    }
    for (auto& thread : threads) thread.join();
    done = true;
    flusher.join();
  });
}

// Every line arrived whole, and each thread's lines in its order.
void ExpectWholeLinesInThreadOrder(const std::vector<std::string>& lines, int count) {
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(4 * count));
  const std::regex whole(R"(\{"ts":"[^"]+","level":"info","msg":"line","thread":\d,"i":\d+,"pad":"x{100}"\})");
  std::vector<int> next(4, 0);
  for (const auto& line : lines) {
    ASSERT_TRUE(std::regex_match(line, whole)) << line;
    const int thread = line[line.find("\"thread\":") + 9] - '0';
    const auto at = line.find("\"i\":") + 4;
    ASSERT_EQ(std::stoi(line.substr(at)), next[static_cast<std::size_t>(thread)]++);
  }
}

// Whatever bytes a client put in a path, the line stays valid UTF-8:
// well-formed sequences as they are, every other byte as U+FFFD.
TEST(LogTest, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  const std::vector<std::pair<std::string, std::string>> cases{
      {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xb0 \xf4\x8f\xbf\xbf", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x92\xb0 \xf4\x8f\xbf\xbf"},
      {"a\xff" "b", "a\\ufffdb"},
      {"\xc0\x80", "\\ufffd\\ufffd"},              // an overlong NUL
      {"\xed\xa0\x80", "\\ufffd\\ufffd\\ufffd"},      // a surrogate
      {"\xf4\x90\x80\x80", "\\ufffd\\ufffd\\ufffd\\ufffd"},  // past U+10FFFF
      {"\xe2\x82", "\\ufffd\\ufffd"},              // cut short at the end
      {"\xe2\x82" "x", "\\ufffd\\ufffdx"},            // cut short before ASCII
      {"\x80\xbf", "\\ufffd\\ufffd"},              // continuations alone
      {"\x7f\"", "\\u007f\\\""},
  };
  for (const auto& [raw, written] : cases) {
    const auto lines = Captured([&raw = raw] { LogLine().Add("path", raw).Info("request"); });
    ASSERT_EQ(lines.size(), 1U);
    const std::string expected = R"(","level":"info","msg":"request","path":")" + written + "\"}";
    EXPECT_TRUE(lines[0].ends_with(expected)) << lines[0] << "\nexpected the end: " << expected;
  }
}

TEST(LogTest, LinesOfManyThreadsAreNeverInterleaved) { ExpectWholeLinesInThreadOrder(LinesOfFourThreads(500), 500); }

// Buffered, as the binaries log: each thread writes its own full buffers
// while flushes take the rest, and neither may reorder a thread's lines.
// (Buffering stays on for the rest of the process.)
TEST(LogTest, BufferedLinesKeepEachThreadsOrderWhileFlushesRun) {
  InitLogging();
  ExpectWholeLinesInThreadOrder(LinesOfFourThreads(5000, true), 5000);
}

}  // namespace
}  // namespace gm::infra
