#include "infra/config/dotenv.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace gm::infra {
namespace {

std::string_view Trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

bool IsKeyChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

}  // namespace

std::map<std::string, std::string> ParseDotenv(std::string_view text) {
  std::map<std::string, std::string> values;
  while (!text.empty()) {
    const auto end = text.find('\n');
    std::string_view line = Trim(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with("export ")) line = Trim(line.substr(7));
    const auto equals = line.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view key = Trim(line.substr(0, equals));
    if (key.empty() || !std::all_of(key.begin(), key.end(), IsKeyChar)) continue;
    std::string_view value = Trim(line.substr(equals + 1));
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    } else if (const auto comment = value.find(" #"); comment != std::string_view::npos) {
      value = Trim(value.substr(0, comment));
    }
    values[std::string(key)] = std::string(value);
  }
  return values;
}

std::map<std::string, std::string> LoadDotenv(const std::string& path) {
  std::ifstream file(path);
  if (!file) return {};
  std::ostringstream content;
  content << file.rdbuf();
  return ParseDotenv(content.str());
}

}  // namespace gm::infra
