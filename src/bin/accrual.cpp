// accrual: our own implementation of the accrual system (SPEC §4), so the
// whole loyalty pipeline runs and is tested on one machine.
#include <boost/asio.hpp>
#include <iostream>

#include "accrual/accrual_api.hpp"
#include "accrual/calculator.hpp"
#include "infra/config/config.hpp"
#include "infra/event_loops.hpp"
#include "infra/http/dispatcher.hpp"
#include "infra/http/docs/assets.hpp"
#include "infra/http/docs_listener.hpp"
#include "infra/http/operations_api.hpp"
#include "infra/http/server.hpp"
#include "infra/lifecycle.hpp"
#include "infra/observability/log.hpp"

namespace {

namespace asio = boost::asio;
using namespace gm;

constexpr unsigned kEventLoops = 2;  // one per core
constexpr unsigned kDatabaseThreads = 4;

int Serve(const infra::AccrualConfig& config, accrual::AccrualStore& store) {
  infra::EventLoops loops(kEventLoops);
  asio::thread_pool lane(kDatabaseThreads);
  accrual::Calculator calculator(loops.Main(), lane, store, config.processing_delay);
  std::unique_ptr<accrual::RateLimiter> rate_limiter;
  if (config.rate_limit_per_minute > 0)
    rate_limiter = std::make_unique<accrual::RateLimiter>(config.rate_limit_per_minute);

  accrual::AccrualApi api(store, rate_limiter.get(), [&calculator] { calculator.Nudge(); });
  infra::http::Router router;
  api.AddRoutes(router);
  infra::Metrics metrics("accrual");
  const infra::http::OperationsApi operations(metrics, [&store] { return store.Ping(); });
  operations.AddRoutes(router);
  const auto cors = infra::http::CorsForDocs(config.openapi_address);
  const infra::http::Dispatcher dispatcher(router, nullptr, cors.get());
  infra::http::ServerOptions options;
  options.address = config.run_address;
  options.metrics = &metrics;
  infra::http::HttpServer server(loops, lane, dispatcher, options);
  try {
    server.Start();
  } catch (const std::exception& error) {
    std::cerr << "accrual: RUN_ADDRESS: " << error.what() << "\n";
    return 2;
  }
  std::vector<infra::http::HttpServer*> servers{&server};
  std::unique_ptr<infra::http::DocsListener> docs;
  try {
    docs = infra::http::StartDocs(loops, lane,
                                  {assets::AccrualOpenapiYaml(), assets::AccrualOpenapiJson(), "http://localhost:8081"},
                                  server.Port(), config.openapi_address);
  } catch (const std::exception& error) {
    std::cerr << "accrual: " << error.what() << "\n";
    return 2;
  }
  if (docs) servers.push_back(&docs->Server());
  calculator.Start();
  infra::LogLine()
      .Add("api", "http://" + config.run_address.host + ":" + std::to_string(server.Port()))
      .Add("database", infra::DatabaseName(config.database))
      .Add("rate_limit_per_minute", std::int64_t{config.rate_limit_per_minute})
      .Add("docs", docs ? docs->Url() : "off")
      .Info("accrual is listening");
  infra::FlushLogs();  // the start-up lines now, not within the second

  infra::RunUntilSignalled(loops, servers, "accrual");
  lane.join();
  infra::LogLine().Info("accrual stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  infra::InitLogging();
  std::optional<infra::AccrualConfig> config;
  try {
    config = infra::ParseAccrualConfig(std::vector<std::string>(argv + 1, argv + argc), infra::ReadConfigSources());
  } catch (const infra::ConfigError& error) {
    std::cerr << "accrual: " << error.what() << "\n";
    return 2;
  }
  if (!config) return 0;  // --help

  std::unique_ptr<accrual::AccrualStore> store;
  try {
    store = std::make_unique<accrual::AccrualStore>(config->database);
  } catch (const std::exception& error) {
    std::cerr << "accrual: DATABASE_URI: " << error.what() << "\n";
    return 2;
  }
  return Serve(*config, *store);
}
