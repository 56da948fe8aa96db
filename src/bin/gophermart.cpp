// gophermart: wires the loyalty service together and runs it until SIGINT or
// SIGTERM, then drains requests in flight and exits 0.
#include <boost/asio.hpp>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include "app/command_service.hpp"
#include "infra/accrual/accrual_worker.hpp"
#include "infra/amqp/broker_accrual_queue.hpp"
#include "infra/amqp/broker_link.hpp"
#include "infra/amqp/dead_letters.hpp"
#include "infra/amqp/outbox_relay.hpp"
#include "infra/amqp/pause_notice.hpp"
#include "infra/auth/password_hasher.hpp"
#include "infra/auth/random_hex.hpp"
#include "infra/auth/token_issuer.hpp"
#include "infra/config/config.hpp"
#include "infra/event_loops.hpp"
#include "infra/http/account_events_api.hpp"
#include "infra/http/customer_site.hpp"
#include "infra/http/dispatcher.hpp"
#include "infra/http/docs/assets.hpp"
#include "infra/http/docs_listener.hpp"
#include "infra/http/loyalty_api.hpp"
#include "infra/http/operations_api.hpp"
#include "infra/http/server.hpp"
#include "infra/lifecycle.hpp"
#include "infra/live/account_feed.hpp"
#include "infra/observability/log.hpp"
#include "infra/store/accrual_queue.hpp"
#include "infra/store/event_codec.hpp"
#include "infra/store/event_store.hpp"
#include "infra/store/lane_executor.hpp"
#include "infra/store/operator/log_verbs.hpp"
#include "infra/store/operator/replay.hpp"
#include "infra/store/pipeline_executor.hpp"
#include "infra/store/queue_stats.hpp"
#include "infra/store/read_models.hpp"
#include "infra/store/sql_store.hpp"
#include "infra/time.hpp"

namespace {

namespace asio = boost::asio;
using namespace gm;

constexpr std::chrono::hours kTokenLifetime{24};
constexpr unsigned kEventLoops = 2;  // one per core
// Threads that run blocking database work: on SQLite everything that
// touches the database (one writer, so more threads would only queue for
// its lock); on PostgreSQL only /readyz and the docs pages, as everything
// else goes over the pipelines below.
constexpr unsigned kPostgresDatabaseThreads = 2;
constexpr unsigned kSqliteDatabaseThreads = 4;
constexpr unsigned kHashingThreads = 2;
// Pipelined PostgreSQL connections for the read queries, per event loop:
// one keeps each busy with many queries per round trip.
constexpr std::size_t kQueryConnectionsPerLoop = 1;
// Pipelined PostgreSQL connections for the commands and the accrual queue,
// per event loop. A commit holds its connection until the WAL is flushed, and commits
// in flight on different connections share flushes: 16 in all keep uploads
// at about the pgbench ceiling of the same transaction.
constexpr std::size_t kCommandConnectionsPerLoop = 8;

std::string JwtKey(const infra::GophermartConfig& config, infra::store::SqlStore& store) {
  if (!config.jwt_key.empty()) return config.jwt_key;
  return store.GetOrCreateSetting("jwt_key", infra::RandomHex(32));
}

// After the listener is up, so a start-up failure is the only line printed.
void WarnAboutDefaults(const infra::GophermartConfig& config) {
  for (const auto& warning : config.warnings) infra::LogLine().Warn(warning);
  if (config.jwt_key.empty()) {
    infra::LogLine().Warn("JWT_KEY is not set: using a key generated once and kept in the database");
  }
  if (!config.accrual_address) infra::LogLine().Warn("ACCRUAL_SYSTEM_ADDRESS is not set: uploaded orders stay NEW");
}

// The "queue" member of /readyz's body.
std::string QueueStatus(const infra::amqp::BrokerLink* link) {
  if (link == nullptr) return R"({"kind":"embedded"})";
  const auto status = link->Status();
  return std::string(R"({"kind":"rabbitmq","connected":)") + (status.connected ? "true" : "false") +
         R"(,"connections":)" + std::to_string(status.connections) + R"(,"pending_publishes":)" +
         std::to_string(status.pending_publishes) + R"(,"dead_letters":)" + std::to_string(status.dead_letters) + "}";
}

void AddBrokerGauges(infra::Metrics& metrics, const infra::amqp::BrokerLink& link) {
  metrics.Gauge("broker_connected", "1 while the link to RabbitMQ is up, else 0.",
                [&link] { return link.Status().connected ? 1 : 0; });
  metrics.Gauge("broker_connections", "Connections to RabbitMQ made since start (more than 1: it came back).",
                [&link] { return static_cast<std::int64_t>(link.Status().connections); });
  metrics.Gauge("broker_pending_publishes", "Publishes queued or awaiting the broker's confirm.",
                [&link] { return static_cast<std::int64_t>(link.Status().pending_publishes); });
  metrics.Gauge("broker_dead_letters", "Orders in the dead-letter queue (-1 before the first count).",
                [&link] { return link.Status().dead_letters; });
}

// Read from the database at each scrape, which runs on the database lane.
// A failed read shows as accrual_queue_readable 0 (and a log line), not as
// a failed scrape.
void AddQueueGauges(infra::Metrics& metrics, infra::store::SqlStore& store,
                    const infra::amqp::OutboxRelayOptions* relay) {
  metrics.Gauges([&store, relay] {
    std::vector<infra::Metrics::Sample> samples;
    try {
      auto connection = store.Pool().Acquire();
      const auto now = infra::NowMs();
      // Twice the backoff: see ReadQueueStats.
      const auto stats = infra::store::ReadQueueStats(*connection, now,
                                                      now + 2 * (relay ? relay->backoff.count() : 0));
      samples = {
          {"accrual_queue_depth", "Orders not yet final (NEW, PROCESSING), in the whole store.",
           static_cast<double>(stats.depth)},
          {"accrual_queue_oldest_pending_seconds", "Since the oldest order not yet final was uploaded; 0 when none.",
           static_cast<double>(stats.oldest_age_ms) / 1000},
      };
      if (relay) {
        samples.push_back({"outbox_unconfirmed",
                           "Outbox rows not held back after a confirmed publish to RabbitMQ (not yet published, "
                           "refused, or due again).",
                           static_cast<double>(stats.unconfirmed)});
      }
    } catch (const std::exception& error) {
      infra::LogLine().Add("error", error.what()).Warn("metrics: the accrual queue could not be read");
      samples.clear();
    }
    samples.push_back({"accrual_queue_readable", "1 when this scrape could read the accrual queue's gauges, else 0.",
                       samples.empty() ? 0.0 : 1.0});
    return samples;
  });
}

int Serve(const infra::GophermartConfig& config, infra::store::SqlStore& store) {
  store.ReleaseLeasesAtStart();
  const infra::PasswordHasher hasher(config.salt);
  const infra::TokenIssuer tokens(JwtKey(config, store), kTokenLifetime);
  // From here on no call waits on PostgreSQL for long (the pipelines below
  // have the same deadline): a stopped server makes requests fail with 503.
  store.Pool().AnswerWithin(infra::postgres::kAnswerWithin);

  infra::EventLoops loops(kEventLoops);
  asio::thread_pool database_lane(config.database.dialect == infra::Dialect::kPostgres ? kPostgresDatabaseThreads
                                                                                            : kSqliteDatabaseThreads);
  asio::thread_pool hashing_lane(kHashingThreads);

  infra::Metrics metrics("gophermart");

  // The per-user queries, the commands and the accrual queue: over
  // event-loop pipelines on PostgreSQL (the queries on pipelines of their
  // own), on the database lane on SQLite.
  std::unique_ptr<infra::postgres::PgPipelinePool> query_pool;
  std::unique_ptr<infra::postgres::PgPipelinePool> command_pool;
  std::unique_ptr<infra::store::SqlExecutor> query_executor;
  std::unique_ptr<infra::store::SqlExecutor> command_executor;
  if (config.database.dialect == infra::Dialect::kPostgres) {
    using infra::store::PipelineExecutor;
    constexpr auto kOne = infra::postgres::PgPipelinePool::LoopThreads::kOne;
    query_pool = std::make_unique<infra::postgres::PgPipelinePool>(
        loops.All(), config.database.target, PipelineExecutor::Statements(infra::store::SqlReadModels::Queries()),
        kQueryConnectionsPerLoop, kOne);
    auto command_queries = infra::store::SqlEventStore::Queries();
    for (const auto& query : infra::store::SqlAccrualQueue::Queries()) command_queries.push_back(query);
    command_pool = std::make_unique<infra::postgres::PgPipelinePool>(
        loops.All(), config.database.target, PipelineExecutor::Statements(command_queries), kCommandConnectionsPerLoop, kOne);
    query_executor = std::make_unique<PipelineExecutor>(*query_pool);
    command_executor = std::make_unique<PipelineExecutor>(*command_pool);
  } else {
    command_executor = std::make_unique<infra::store::LaneExecutor>(store.Pool(), database_lane.get_executor());
  }
  infra::store::SqlReadModels queries(query_executor ? *query_executor : *command_executor);
  infra::store::SqlEventStore events(
      *command_executor, &metrics.Counters("events_appended_total", "Events this instance committed, by stored type.",
                                          "type", infra::TypeNames()));
  infra::store::SqlAccrualQueue accrual_queue(*command_executor);
  app::CommandService commands(events);

  // With AMQP the work goes through RabbitMQ (decision 0012): the relay
  // publishes the table's rows, and the worker takes deliveries (only when
  // it has an accrual system to ask) and tells every instance of a 429.
  // Declared in this order so that each goes after what it calls: the
  // link's thread calls the queue and the worker until the link is gone.
  std::unique_ptr<infra::amqp::BrokerAccrualQueue> broker_queue;
  std::unique_ptr<infra::accrual::AccrualWorker> worker;
  std::unique_ptr<infra::amqp::BrokerLink> link;
  std::unique_ptr<infra::amqp::OutboxRelay> relay;
  const infra::amqp::OutboxRelayOptions relay_options;
  if (!config.amqp.empty()) {
    infra::amqp::BrokerAccrualQueue::Options queue_options;
    queue_options.metrics = &metrics;
    broker_queue = std::make_unique<infra::amqp::BrokerAccrualQueue>(loops.Main(), accrual_queue, queue_options);
    infra::amqp::BrokerLinkOptions link_options;
    link_options.uri = config.amqp;
    link_options.consume = config.accrual_address.has_value();
    link = std::make_unique<infra::amqp::BrokerLink>(
        link_options,
        [&broker_queue, &link](infra::amqp::Delivery delivery, std::uint64_t epoch) {
          broker_queue->Deliver(*link, std::move(delivery), epoch);
        },
        [&worker](const std::string& body) {
          const auto notice = infra::amqp::ParsePauseNotice(body);
          if (!notice) {
            infra::LogLine().Add("body", body.substr(0, 80)).Warn("amqp: a control message not understood");
          } else if (worker) {
            infra::LogLine()
                .Add("retry_after_ms", static_cast<std::int64_t>(notice->retry_after.count()))
                .Info("told of a 429 (by any instance, this one too): pausing requests");
            worker->Pause(notice->retry_after, notice->requests_per_minute);
          }
        });
    relay = std::make_unique<infra::amqp::OutboxRelay>(loops.Main(), accrual_queue, *link, relay_options);
  }

  if (config.accrual_address) {
    infra::accrual::AccrualWorkerOptions worker_options;
    worker_options.metrics = &metrics;
    app::AsyncAccrualQueue* work = &accrual_queue;
    if (broker_queue) {
      work = broker_queue.get();
      worker_options.idle_poll = std::chrono::milliseconds(1);  // a claim waits for a delivery itself
      worker_options.on_rate_limited = [&link](std::chrono::milliseconds retry_after,
                                               std::optional<int> requests_per_minute) {
        link->Broadcast(infra::amqp::FormatPauseNotice({retry_after, requests_per_minute}));
      };
    }
    worker = std::make_unique<infra::accrual::AccrualWorker>(loops.Main(), *work, commands, *config.accrual_address,
                                                             worker_options);
  }

  infra::LoginThrottle sign_in_throttle;
  infra::http::LoyaltyApi api(commands, queries, hasher, hashing_lane.get_executor(), tokens,
                              {sign_in_throttle, config.client_address_header}, [&worker, &relay] {
    if (relay) {
      relay->Nudge();
    } else if (worker) {
      worker->Nudge();
    }
  });
  infra::http::Router router;
  api.AddRoutes(router);
  // Customers watching their accounts: one tailer of the shared log.
  infra::live::AccountFeed feed(store, database_lane.get_executor(), loops.Main().get_executor());
  infra::http::AccountEventsApi account_events(feed);
  account_events.AddRoutes(router);
  infra::http::CustomerSite::AddRoutes(router);
  metrics.Gauge("event_streams_open", "GET /api/user/events streams open now.",
                [&feed] { return static_cast<std::int64_t>(feed.Watching()); });
  if (link) AddBrokerGauges(metrics, *link);
  AddQueueGauges(metrics, store, relay ? &relay_options : nullptr);
  const infra::http::OperationsApi operations(metrics, [&store] { return store.Ping(); },
                                              [&link] { return QueueStatus(link.get()); });
  operations.AddRoutes(router);
  const auto cors = infra::http::CorsForDocs(config.openapi_address);
  const infra::http::Dispatcher dispatcher(router, &tokens, cors.get());
  infra::http::ServerOptions options;
  options.address = config.run_address;
  options.metrics = &metrics;
  infra::http::HttpServer server(loops, database_lane, dispatcher, options);
  try {
    server.Start();
  } catch (const std::exception& error) {
    std::cerr << "gophermart: RUN_ADDRESS: " << error.what() << "\n";
    return 2;
  }
  std::vector<infra::http::HttpServer*> servers{&server};
  std::unique_ptr<infra::http::DocsListener> docs;
  try {
    docs = infra::http::StartDocs(loops, database_lane,
                                  {assets::OpenapiYaml(), assets::OpenapiJson(), "http://localhost:8080"},
                                  server.Port(), config.openapi_address);
  } catch (const std::exception& error) {
    std::cerr << "gophermart: " << error.what() << "\n";
    return 2;
  }
  if (docs) servers.push_back(&docs->Server());
  WarnAboutDefaults(config);
  if (link) link->Start();
  if (relay) relay->Start();
  if (worker) worker->Start();
  feed.Start();

  infra::LogLine()
      .Add("api", "http://" + config.run_address.host + ":" + std::to_string(server.Port()))
      .Add("database", infra::DatabaseName(config.database))
      .Add("accrual_system", config.accrual_address.value_or("none"))
      .Add("queue", config.amqp.empty() ? "embedded" : "rabbitmq")
      .Add("docs", docs ? docs->Url() : "off")
      .Info("gophermart is listening");
  infra::FlushLogs();  // the start-up lines now, not within the second

  infra::RunUntilSignalled(loops, servers, "gophermart");
  database_lane.join();
  hashing_lane.join();
  infra::LogLine().Info("gophermart stopped");
  return 0;
}

// Progress on a terminal, at most twice a second: events done, their rate
// and the time left. Nothing when standard error is not a terminal.
infra::store::ReplayProgress TerminalProgress(std::chrono::steady_clock::time_point started) {
  if (isatty(STDERR_FILENO) == 0) return {};
  return [started, last = std::chrono::steady_clock::time_point{}](std::int64_t done, std::int64_t total) mutable {
    const auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(500) && done != total) return;
    last = now;
    const double seconds = std::chrono::duration<double>(now - started).count();
    const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
    const double left = rate > 0 ? static_cast<double>(total - done) / rate : 0;
    std::fprintf(stderr, "\rrebuilding: %lld of %lld events, %.0f events/s, %.0f s left   ",
                 static_cast<long long>(done), static_cast<long long>(total), rate, left);
    if (done == total) std::fputc('\n', stderr);
  };
}

int Rebuild(infra::store::SqlStore& store) {
  const auto started = std::chrono::steady_clock::now();
  const auto replayed = store.RebuildProjections(TerminalProgress(started));
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("rebuilt the read models from %lld events in %.2f s (%.0f events/s)\n",
              static_cast<long long>(replayed), seconds, seconds > 0 ? static_cast<double>(replayed) / seconds : 0.0);
  return 0;
}

// The verbs that work on the store and exit (docs/operations.md); nothing
// when the service is to run.
std::optional<int> OperatorVerb(const infra::GophermartConfig& config, infra::store::SqlStore& store) {
  using namespace infra::store;
  if (config.rebuild_projections) return Rebuild(store);
  if (config.events) {
    const LogRange range{config.events->stream, config.events->from};
    if (config.events->follow) {
      FollowEvents(store.Pool(), range, std::cout);
      return 0;  // standard output failed
    }
    WriteEvents(store.Pool(), range, std::cout);
    return 0;
  }
  if (config.export_log) {
    const auto exported = WriteEvents(store.Pool(), {}, std::cout);
    std::cerr << "exported " << exported << " events\n";
    return 0;
  }
  if (config.import_log) {
    std::ios::sync_with_stdio(false);
    const auto imported = ImportEvents(store.Pool(), std::cin);
    std::cout << "imported " << imported << " events and rebuilt the read models\n";
    return 0;
  }
  if (config.verify) {
    const auto differences = VerifyReadModels(store.Pool(), std::cout);
    std::cout << differences << (differences == 1 ? " difference" : " differences")
              << " between the log and the read models\n";
    return differences == 0 ? 0 : 1;
  }
  return std::nullopt;
}

}  // namespace

int main(int argc, char** argv) {
  infra::InitLogging();
  std::optional<infra::GophermartConfig> config;
  try {
    config = infra::ParseGophermartConfig(std::vector<std::string>(argv + 1, argv + argc), infra::ReadConfigSources());
  } catch (const infra::ConfigError& error) {
    std::cerr << "gophermart: " << error.what() << "\n";
    return 2;
  }
  if (!config) return 0;  // --help

  if (config->requeue_dead_letters) {
    try {
      const auto moved = infra::amqp::RequeueDeadLetters(config->amqp, infra::amqp::Topology(infra::amqp::TopologyOptions{}));
      std::cout << "put " << moved << " dead letters back on the work queue\n";
      return 0;
    } catch (const std::exception& error) {
      std::cerr << "gophermart: AMQP: " << error.what() << "\n";
      return 1;
    }
  }

  std::unique_ptr<infra::store::SqlStore> store;
  try {
    store = std::make_unique<infra::store::SqlStore>(config->database);
  } catch (const std::exception& error) {
    std::cerr << "gophermart: DATABASE_URI: " << error.what() << "\n";
    return 2;
  }
  try {
    if (auto verb = OperatorVerb(*config, *store)) return *verb;
  } catch (const infra::store::ImportError& error) {
    std::cerr << "gophermart: import: " << error.what() << "\n";
    return 1;
  } catch (const std::exception& error) {  // 2, so that verify's 1 means differences only
    std::cerr << "gophermart: " << error.what() << "\n";
    return 2;
  }
  return Serve(*config, *store);
}
