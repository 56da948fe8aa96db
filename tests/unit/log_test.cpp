// The log line format: one JSON object per line, values escaped, numbers
// written without a general conversion, and lines of several threads
// never interleaved. Captures stderr in a temporary file.
#include "infra/observability/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>
#include <vector>

namespace gm::infra {
namespace {

// Runs `log` with stderr going to a file and returns what was written.
template <class Log>
std::vector<std::string> Captured(Log log) {
  char path[] = "/tmp/gm-log-XXXXXX";
  const int file = ::mkstemp(path);
  EXPECT_GE(file, 0);
  const int saved = ::dup(STDERR_FILENO);
  ::dup2(file, STDERR_FILENO);
  log();
  FlushLogs();
  ::dup2(saved, STDERR_FILENO);
  ::close(saved);
  ::close(file);
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ::unlink(path);
  return lines;
}

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

TEST(LogTest, LinesOfManyThreadsAreNeverInterleaved) {
  constexpr int kThreads = 4;
  constexpr int kLines = 500;
  const auto lines = Captured([] {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([t] {
        for (int i = 0; i < kLines; ++i) {
          LogLine()
              .Add("thread", std::int64_t{t})
              .Add("i", std::int64_t{i})
              .Add("pad", std::string(100, 'x'))
              .Info("line");
        }
      });
    }
    for (auto& thread : threads) thread.join();
  });
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  const std::regex whole(R"(\{"ts":"[^"]+","level":"info","msg":"line","thread":\d,"i":\d+,"pad":"x{100}"\})");
  std::vector<int> next(kThreads, 0);  // each thread's lines arrive whole and in its order
  for (const auto& line : lines) {
    ASSERT_TRUE(std::regex_match(line, whole)) << line;
    const int thread = line[line.find("\"thread\":") + 9] - '0';
    const auto at = line.find("\"i\":") + 4;
    EXPECT_EQ(std::stoi(line.substr(at)), next[static_cast<std::size_t>(thread)]++);
  }
}

}  // namespace
}  // namespace gm::infra
