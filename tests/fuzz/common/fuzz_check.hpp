// A property a harness checks: when it does not hold, the input is a
// finding, reported and kept by libFuzzer like a crash.
#pragma once

#include <cstdio>
#include <cstdlib>

#define GM_FUZZ_CHECK(condition)                                                              \
  do {                                                                                        \
    if (!(condition)) {                                                                       \
      std::fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #condition); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (false)
