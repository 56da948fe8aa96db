#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "infra/observability/log.hpp"

namespace gm::infra {

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

}  // namespace gm::infra
