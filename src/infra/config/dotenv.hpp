#pragma once

#include <map>
#include <string>
#include <string_view>

namespace gm::infra {

// Parses the KEY=VALUE lines of a .env file: blank lines and '#' comments
// are skipped, an `export ` prefix is allowed, and a value may be wrapped in
// single or double quotes. Malformed lines are ignored, as shells do.
std::map<std::string, std::string> ParseDotenv(std::string_view text);

// Reads ./.env if it exists; an absent file is an empty map.
std::map<std::string, std::string> LoadDotenv(const std::string& path = ".env");

}  // namespace gm::infra
