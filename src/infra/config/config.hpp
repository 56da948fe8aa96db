#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "infra/config/database_location.hpp"

namespace gm::infra {

// A bad configuration value. The message starts with the option's name:
// "RUN_ADDRESS: expected host:port, got \"x\"".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ListenAddress {
  std::string host;
  std::uint16_t port = 0;
};

struct GophermartConfig {
  ListenAddress run_address;
  DatabaseLocation database;
  std::optional<std::string> accrual_address;  // base URL, "http://host:port"
  std::string jwt_key;                         // empty: generated and kept in the database
  std::string salt;
  std::string amqp;  // RabbitMQ URI (amqp:// or amqps://); empty: the embedded queue
  std::optional<ListenAddress> openapi_address;  // docs listener; none when "off"
  std::string client_address_header;             // lower case; empty: the socket's peer is the client
  bool rebuild_projections = false;              // the `rebuild-projections` verb
  bool requeue_dead_letters = false;             // the `requeue-dead-letters` verb (needs AMQP)
  bool verify = false;                           // the `verify` verb
  bool export_log = false;                       // the `export` verb: the log to standard output
  bool import_log = false;                       // the `import` verb: the log from standard input
  // The `events` verb: print the log (or one stream) as JSON lines.
  struct EventsVerb {
    std::string stream;          // empty: every stream
    std::int64_t from = 0;       // events after this position (of the log, or of the stream's versions)
    bool follow = false;         // keep printing events as they commit
  };
  std::optional<EventsVerb> events;
  // What parsing noticed but accepted (the seed's AMPQ spelling): one line
  // each, for the log once the service is up.
  std::vector<std::string> warnings;
};

struct AccrualConfig {
  ListenAddress run_address;
  DatabaseLocation database;
  int rate_limit_per_minute = 0;  // 0: no limit
  std::chrono::milliseconds processing_delay{0};
  std::optional<ListenAddress> openapi_address;  // docs listener; none when "off"
};

// Where an option's value comes from, highest precedence first.
struct ConfigSources {
  std::map<std::string, std::string> environment;
  std::map<std::string, std::string> dotenv;
};

ConfigSources ReadConfigSources();

// Parses the command line over the given sources. Returns nothing when the
// user asked for --help (already printed); throws ConfigError on bad values.
std::optional<GophermartConfig> ParseGophermartConfig(const std::vector<std::string>& args,
                                                      const ConfigSources& sources);

// The same for the accrual server.
std::optional<AccrualConfig> ParseAccrualConfig(const std::vector<std::string>& args, const ConfigSources& sources);

// Exposed for tests.
ListenAddress ParseListenAddress(const std::string& option, const std::string& text);
// For logs: the SQLite path, or the PostgreSQL URI without its password.
std::string DatabaseName(const DatabaseLocation& location);

// DATABASE_URI: postgres:// or postgresql:// URIs, sqlite:PATH, or a path.
DatabaseLocation ParseDatabase(const std::string& text, const std::string& default_path = "gophermart.db");
std::string ParseBaseUrl(const std::string& option, const std::string& text);
// AMQP: an amqp:// or amqps:// URI (host, port, credentials and vhost as
// RabbitMQ reads them); returned as given.
std::string ParseAmqpUri(const std::string& text);
// OPENAPI_ADDRESS: "off" disables the docs; empty means `default_port` on the API's host.
std::optional<ListenAddress> ParseDocsAddress(const std::string& text, const ListenAddress& api,
                                              std::uint16_t default_port);

}  // namespace gm::infra
