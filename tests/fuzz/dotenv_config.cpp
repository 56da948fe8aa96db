// The configuration: a .env file's text (ParseDotenv), its values as
// gophermart's and accrual's options (ParseGophermartConfig and
// ParseAccrualConfig over CLI11, flag > environment > .env), and each value
// through every option parser (listen address, database URI, base URL,
// AMQP URI, docs address).
//
// Input: the .env text, then, after each NUL byte, one command-line
// argument (argv without the program's name).
//
// Checked: no crash, leak or undefined behaviour; a bad value is a
// ConfigError, never another exception; a parsed key is a non-empty
// [A-Za-z0-9_]+ and no value spans lines; a parsed listen address has a host.
#include <cstddef>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "infra/config/config.hpp"
#include "infra/config/dotenv.hpp"

namespace {

bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

template <class Parse>
void Refused(Parse parse) {
  try {
    parse();
  } catch (const gm::infra::ConfigError&) {
    // A bad value, said with its option's name.
  }
}

void EveryParser(const std::string& value) {
  Refused([&] {
    const auto address = gm::infra::ParseListenAddress("RUN_ADDRESS", value);
    GM_FUZZ_CHECK(!address.host.empty());
  });
  Refused([&] {
    const auto location = gm::infra::ParseDatabase(value);
    (void)gm::infra::DatabaseName(location);
  });
  Refused([&] { (void)gm::infra::ParseBaseUrl("ACCRUAL_SYSTEM_ADDRESS", value); });
  Refused([&] { (void)gm::infra::ParseAmqpUri(value); });
  Refused([&] { (void)gm::infra::ParseDocsAddress(value, {"localhost", 8080}, 8082); });
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // --help prints the options to standard output: not at every input.
  static std::ostringstream sink;
  std::cout.rdbuf(sink.rdbuf());
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::vector<std::string> parts;
  for (std::size_t start = 0;;) {
    const auto end = input.find('\0', start);
    parts.emplace_back(input.substr(start, end == std::string_view::npos ? end : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  const std::vector<std::string> args(parts.begin() + 1, parts.end());

  gm::infra::ConfigSources sources;
  sources.dotenv = gm::infra::ParseDotenv(parts.front());
  for (const auto& [key, value] : sources.dotenv) {
    GM_FUZZ_CHECK(!key.empty());
    for (const char c : key) GM_FUZZ_CHECK(IsKeyChar(c));
    GM_FUZZ_CHECK(value.find('\n') == std::string::npos);
    EveryParser(value);
  }
  for (const auto& arg : args) EveryParser(arg);

  Refused([&] { (void)gm::infra::ParseGophermartConfig(args, sources); });
  Refused([&] { (void)gm::infra::ParseAccrualConfig(args, sources); });
  return 0;
}
