#include "infra/config/config.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>
#include <charconv>
#include <cstdlib>
#include <iostream>

#include "infra/config/dotenv.hpp"

extern char** environ;

namespace gm::infra {
namespace {

// The shortest JWT_KEY taken: as long as HS256's output (RFC 7518 §3.2).
constexpr std::size_t kMinJwtKeyBytes = 32;

// One option: a flag given on the command line beats the environment,
// which beats .env, which beats the default.
class Layered {
 public:
  Layered(const ConfigSources& sources) : sources_(sources) {}  // NOLINT(google-explicit-constructor)

  std::optional<std::string> Resolve(const CLI::Option* flag, const std::string& flag_value,
                                     const std::string& variable) const {
    if (flag != nullptr && flag->count() > 0) return flag_value;
    if (auto it = sources_.environment.find(variable); it != sources_.environment.end()) return it->second;
    if (auto it = sources_.dotenv.find(variable); it != sources_.dotenv.end()) return it->second;
    return std::nullopt;
  }

 private:
  const ConfigSources& sources_;
};

int ParseCount(const std::string& option, const std::string& text, int max) {
  int value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value < 0 || value > max) {
    throw ConfigError(option + ": expected a whole number from 0 to " + std::to_string(max) + ", got \"" + text + "\"");
  }
  return value;
}

// AMQP, or the seed's misspelling AMPQ (its .env names the variable so):
// accepted with a warning, and refused when both are set and disagree. The
// flag beats both.
std::string ResolveAmqp(const Layered& layered, const CLI::Option* flag, const std::string& flag_value,
                        std::vector<std::string>& warnings) {
  if (flag->count() > 0) return flag_value.empty() ? flag_value : ParseAmqpUri(flag_value);
  const auto right = layered.Resolve(nullptr, "", "AMQP");
  const auto misspelt = layered.Resolve(nullptr, "", "AMPQ");
  if (right && misspelt && *right != *misspelt) {
    throw ConfigError("AMQP: both AMQP and AMPQ (a misspelling) are set, to different values: keep AMQP only");
  }
  if (misspelt) warnings.emplace_back("AMPQ is read as AMQP, the variable's name: rename it to AMQP");
  const std::string value = right.value_or(misspelt.value_or(""));
  return value.empty() ? value : ParseAmqpUri(value);
}

// Parses the command line, or prints help and says so.
bool ParseCommandLine(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::CallForHelp&) {
    std::cout << app.help();
    return false;
  } catch (const CLI::ParseError& error) {
    throw ConfigError(std::string("command line: ") + error.what());
  }
  return true;
}

std::uint16_t ParsePort(const std::string& option, std::string_view text, const std::string& whole) {
  unsigned value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc{} || end != text.data() + text.size() || value > 65535) {
    throw ConfigError(option + ": bad port in \"" + whole + "\" (expected 0-65535)");
  }
  return static_cast<std::uint16_t>(value);
}

// A URI with an authority ("scheme://host..."), the only kind any option
// takes, parsed; else nothing. Boost.URL 1.81 fails an assertion, instead
// of refusing, on some texts without one ("e:?", "A:\\": boostorg/url#665,
// fixed upstream in 2023; found by tests/fuzz/dotenv_config), so none
// reaches it.
std::optional<boost::urls::url_view> ParseUriWithAuthority(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos || text.substr(colon + 1, 2) != "//") return std::nullopt;
  auto url = boost::urls::parse_uri(text);
  if (!url) return std::nullopt;
  return *url;
}

}  // namespace

ListenAddress ParseListenAddress(const std::string& option, const std::string& text) {
  std::string_view rest = text;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  std::string_view host;
  std::string_view port;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    if (close == std::string_view::npos || rest.substr(close + 1, 1) != ":") {
      throw ConfigError(option + ": expected [ipv6]:port, got \"" + text + "\"");
    }
    host = rest.substr(1, close - 1);
    port = rest.substr(close + 2);
  } else {
    const auto colon = rest.rfind(':');
    if (colon == std::string_view::npos) throw ConfigError(option + ": expected host:port, got \"" + text + "\"");
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      throw ConfigError(option + ": an IPv6 host needs brackets, got \"" + text + "\"");
    }
  }
  return {host.empty() ? "0.0.0.0" : std::string(host), ParsePort(option, port, text)};
}

std::string DatabaseName(const DatabaseLocation& location) {
  if (location.dialect == Dialect::kSqlite) return location.target;
  const auto url = ParseUriWithAuthority(location.target);
  if (!url) return "postgres://(unparsable URI)";
  boost::urls::url redacted = *url;
  if (redacted.has_password()) redacted.set_password("***");
  return std::string(redacted.buffer());
}

DatabaseLocation ParseDatabase(const std::string& text, const std::string& default_path) {
  if (text.empty()) return {Dialect::kSqlite, default_path};
  std::string_view rest = text;
  if (rest.starts_with("postgres://") || rest.starts_with("postgresql://")) return {Dialect::kPostgres, text};
  if (rest.starts_with("sqlite://")) {
    rest.remove_prefix(9);
  } else if (rest.starts_with("sqlite:")) {
    rest.remove_prefix(7);
  } else if (const auto scheme = rest.find("://"); scheme != std::string_view::npos) {
    throw ConfigError("DATABASE_URI: unknown URI scheme \"" + std::string(rest.substr(0, scheme)) +
                      "\" (expected postgres://, postgresql://, sqlite: or a file path)");
  }
  if (rest.empty()) throw ConfigError("DATABASE_URI: empty SQLite path in \"" + text + "\"");
  return {Dialect::kSqlite, std::string(rest)};
}

std::string ParseBaseUrl(const std::string& option, const std::string& text) {
  std::string candidate = text.find("://") == std::string::npos ? "http://" + text : text;
  while (!candidate.empty() && candidate.back() == '/') candidate.pop_back();
  const auto url = ParseUriWithAuthority(candidate);
  if (!url || url->scheme() != "http" || url->host().empty() || url->has_query() || url->has_fragment()) {
    throw ConfigError(option + ": expected an http://host:port URL, got \"" + text + "\"");
  }
  return candidate;
}

std::string ParseAmqpUri(const std::string& text) {
  const auto url = ParseUriWithAuthority(text);
  if (!url || (url->scheme() != "amqp" && url->scheme() != "amqps") || url->has_fragment()) {
    throw ConfigError("AMQP: expected an amqp:// or amqps:// URI, got \"" + text + "\"");
  }
  if (url->has_port()) ParsePort("AMQP", url->port(), text);
  return text;
}

std::optional<ListenAddress> ParseDocsAddress(const std::string& text, const ListenAddress& api,
                                              std::uint16_t default_port) {
  if (text == "off" || text == "none") return std::nullopt;
  if (text.empty()) return ListenAddress{api.host, default_port};
  return ParseListenAddress("OPENAPI_ADDRESS", text);
}

ConfigSources ReadConfigSources() {
  ConfigSources sources;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string_view::npos) {
      sources.environment.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
    }
  }
  sources.dotenv = LoadDotenv();
  return sources;
}

std::optional<GophermartConfig> ParseGophermartConfig(const std::vector<std::string>& args,
                                                      const ConfigSources& sources) {
  CLI::App app{
      "gophermart: the loyalty-points service.\n"
      "Each option is read from its flag, else the environment variable named in\n"
      "brackets, else ./.env, else the default."};
  app.set_help_flag("-h,--help", "Print this help and exit");
  std::string run_address, database, accrual, amqp, jwt_key, salt;
  auto* run_flag = app.add_option("-a,--run-address", run_address,
                                  "[RUN_ADDRESS] API listen address, host:port (default localhost:8080)");
  auto* database_flag = app.add_option(
      "-d,--database-uri", database,
      "[DATABASE_URI] postgres://user@host:port/db, or a SQLite file path or sqlite:PATH (default ./gophermart.db)");
  auto* accrual_flag =
      app.add_option("-r,--accrual-system-address", accrual,
                     "[ACCRUAL_SYSTEM_ADDRESS] base URL of the accrual system (default none: orders stay NEW)");
  auto* amqp_flag = app.add_option(
      "--amqp", amqp, "[AMQP] RabbitMQ URI, amqp:// or amqps:// (default none: the embedded queue); AMPQ is read too");
  auto* jwt_flag = app.add_option("--jwt-key", jwt_key,
                                  "[JWT_KEY] HMAC key for tokens (default: generated once, kept in the database)");
  auto* salt_flag = app.add_option("--salt", salt, "[SALT] server-side pepper mixed into password hashes");
  std::string openapi;
  auto* openapi_flag =
      app.add_option("--openapi-address", openapi,
                     "[OPENAPI_ADDRESS] docs listen address, host:port, or off (default: port 8082 on the API's host)");
  std::string client_header;
  auto* client_header_flag = app.add_option(
      "--client-address-header", client_header,
      "[CLIENT_ADDRESS_HEADER] header naming the client's address, set by a proxy in front, e.g. X-Real-IP "
      "(default none: the connection's peer)");
  app.require_subcommand(0, 1);  // one verb at most
  auto* rebuild = app.add_subcommand("rebuild-projections", "Drop the read models, replay the event log, and exit");
  rebuild->fallthrough();
  auto* requeue = app.add_subcommand(
      "requeue-dead-letters", "Put the orders in RabbitMQ's dead-letter queue back on the work queue, and exit");
  requeue->fallthrough();
  auto* verify = app.add_subcommand(
      "verify", "Recompute every read model from the log and compare; exit 1 listing each difference");
  verify->fallthrough();
  auto* exporter = app.add_subcommand("export", "Write the whole event log to standard output as JSON lines");
  exporter->fallthrough();
  auto* importer = app.add_subcommand(
      "import", "Read an exported log from standard input into an empty store and rebuild the read models");
  importer->fallthrough();
  GophermartConfig::EventsVerb events;
  auto* events_verb = app.add_subcommand("events", "Print the event log, or one stream, as JSON lines");
  events_verb->fallthrough();
  events_verb->add_option("--stream", events.stream, "Only this stream (account-…, order-…, user-…, withdrawal-…)");
  events_verb->add_option("--from", events.from,
                          "Only events after this position (with --stream: after this version)")
      ->check(CLI::NonNegativeNumber);
  events_verb->add_flag("--follow", events.follow,
                        "Then keep printing events as they commit (in commit order), until stopped");

  if (!ParseCommandLine(app, args)) return std::nullopt;

  const Layered layered(sources);
  GophermartConfig config;
  config.run_address = ParseListenAddress(
      "RUN_ADDRESS", layered.Resolve(run_flag, run_address, "RUN_ADDRESS").value_or("localhost:8080"));
  config.database = ParseDatabase(layered.Resolve(database_flag, database, "DATABASE_URI").value_or(""));
  if (auto value = layered.Resolve(accrual_flag, accrual, "ACCRUAL_SYSTEM_ADDRESS"); value && !value->empty()) {
    config.accrual_address = ParseBaseUrl("ACCRUAL_SYSTEM_ADDRESS", *value);
  }
  config.amqp = ResolveAmqp(layered, amqp_flag, amqp, config.warnings);
  config.jwt_key = layered.Resolve(jwt_flag, jwt_key, "JWT_KEY").value_or("");
  if (!config.jwt_key.empty() && config.jwt_key.size() < kMinJwtKeyBytes) {
    throw ConfigError("JWT_KEY: at least " + std::to_string(kMinJwtKeyBytes) + " bytes expected, got " +
                      std::to_string(config.jwt_key.size()) + " (make one with: openssl rand -hex 32)");
  }
  config.salt = layered.Resolve(salt_flag, salt, "SALT").value_or("");
  config.openapi_address = ParseDocsAddress(layered.Resolve(openapi_flag, openapi, "OPENAPI_ADDRESS").value_or(""),
                                            config.run_address, 8082);
  config.client_address_header =
      layered.Resolve(client_header_flag, client_header, "CLIENT_ADDRESS_HEADER").value_or("");
  std::transform(config.client_address_header.begin(), config.client_address_header.end(),
                 config.client_address_header.begin(), [](char c) {
                   return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
                 });
  config.rebuild_projections = rebuild->parsed();
  config.requeue_dead_letters = requeue->parsed();
  config.verify = verify->parsed();
  config.export_log = exporter->parsed();
  config.import_log = importer->parsed();
  if (events_verb->parsed()) config.events = events;
  if (config.requeue_dead_letters && config.amqp.empty()) {
    throw ConfigError("requeue-dead-letters: AMQP is not set (the broker whose dead letters to put back)");
  }
  return config;
}

std::optional<AccrualConfig> ParseAccrualConfig(const std::vector<std::string>& args, const ConfigSources& sources) {
  CLI::App app{
      "accrual: the accrual system that rates orders for gophermart.\n"
      "Each option is read from its flag, else the environment variable named in\n"
      "brackets, else ./.env, else the default."};
  app.set_help_flag("-h,--help", "Print this help and exit");
  std::string run_address, database, rate_limit, delay;
  auto* run_flag = app.add_option("-a,--run-address", run_address,
                                  "[RUN_ADDRESS] listen address, host:port (default localhost:8081)");
  auto* database_flag =
      app.add_option("-d,--database-uri", database,
                     "[DATABASE_URI] postgres:// URI, or a SQLite file path or sqlite:PATH (default ./accrual.db)");
  auto* rate_flag =
      app.add_option("-l,--rate-limit", rate_limit,
                     "[RATE_LIMIT] GET /api/orders requests per minute per client; 0 for none (default 0)");
  auto* delay_flag = app.add_option("--processing-delay", delay,
                                    "[PROCESSING_DELAY] milliseconds an order stays PROCESSING (default 0)");
  std::string openapi;
  auto* openapi_flag =
      app.add_option("--openapi-address", openapi,
                     "[OPENAPI_ADDRESS] docs listen address, host:port, or off (default: port 8083 on the API's host)");
  if (!ParseCommandLine(app, args)) return std::nullopt;

  const Layered layered(sources);
  AccrualConfig config;
  config.run_address = ParseListenAddress(
      "RUN_ADDRESS", layered.Resolve(run_flag, run_address, "RUN_ADDRESS").value_or("localhost:8081"));
  config.database = ParseDatabase(layered.Resolve(database_flag, database, "DATABASE_URI").value_or(""), "accrual.db");
  config.rate_limit_per_minute =
      ParseCount("RATE_LIMIT", layered.Resolve(rate_flag, rate_limit, "RATE_LIMIT").value_or("0"), 1'000'000);
  config.processing_delay = std::chrono::milliseconds(
      ParseCount("PROCESSING_DELAY", layered.Resolve(delay_flag, delay, "PROCESSING_DELAY").value_or("0"), 3'600'000));
  config.openapi_address = ParseDocsAddress(layered.Resolve(openapi_flag, openapi, "OPENAPI_ADDRESS").value_or(""),
                                            config.run_address, 8083);
  return config;
}

}  // namespace gm::infra
