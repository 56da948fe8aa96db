#include "infra/http/server.hpp"

#include <array>
#include <atomic>
#include <charconv>
#include <optional>
#include <string>
#include <tuple>
#include <vector>
#include <sys/resource.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/http.hpp>

#include "infra/async.hpp"
#include "infra/event_loops.hpp"
#include "infra/http/connection_deadline.hpp"
#include "infra/http/gzip.hpp"
#include "infra/http/gzip_stream.hpp"
#include "infra/http/request_id.hpp"
#include "infra/http/request_reading.hpp"
#include "infra/http/response_stream.hpp"
#include "infra/observability/log.hpp"
#include "infra/observability/metrics.hpp"
#include "infra/time.hpp"

namespace gm::infra::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::awaitable;
using asio::use_awaitable;
using asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(use_awaitable);

// After refusing a request we read and discard what the client is still
// sending, so it sees our answer instead of a connection reset.
constexpr std::size_t kMaxDrainBytes = 64 * 1024 * 1024;
constexpr std::chrono::seconds kDrainTimeout{3};
constexpr std::size_t kReadBytes = 64 * 1024;  // at most, per read
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// A streamed response's client must take each piece within this long (the
// stream sends at least a comment every 15 s), or the connection closes.
constexpr std::chrono::seconds kStreamWriteTimeout{30};
constexpr std::size_t kMostConnections = 10'000;
// What a connection past the cap is told before it is closed.
constexpr std::string_view kTooManyConnections =
    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
    "Connection: close\r\nContent-Length: 37\r\n\r\n{\"error\":\"too many open connections\"}";
// Accept waits this long after running out of file descriptors.
constexpr std::chrono::milliseconds kNoDescriptorsPause{100};

// The cap on open connections when none is configured (ServerOptions).
std::size_t ConnectionCap(std::size_t configured) {
  if (configured > 0) return configured;
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return kMostConnections;
  const auto soft = static_cast<std::size_t>(limit.rlim_cur);
  const std::size_t reserve = std::min<std::size_t>(soft / 2, 256);
  return std::clamp<std::size_t>(soft - reserve, 1, kMostConnections);
}

// Why a request was refused before it reached a route: the label values of
// the malformed-request counter, in this order.
enum class Malformed : std::size_t { kBadSyntax, kHeadersTooLarge, kBodyTooLarge, kTimedOut };
const std::vector<std::string> kMalformedReasons{"bad_syntax", "headers_too_large", "body_too_large", "timed_out"};
// At most one log line a second about malformed requests: a flood of them
// must not drown the log (the counter counts every one).
constexpr domain::TimeMs kMalformedLogEveryMs = 1000;

bool AcceptsGzip(std::string_view accept_encoding) { return accept_encoding.find("gzip") != std::string_view::npos; }

// Bodies up to this size go out in the head's buffer: one send(2), where a
// gather write is a sendmsg(2); copying them costs less than the difference.
constexpr std::size_t kBodyInHeadBytes = 16 * 1024;

// The status line and headers of `response`, up to the empty line, then
// its body when that is small (moved out of `response.body`, which keeps a
// larger one to follow). A 204 or 304 carries no Content-Length (RFC 9110
// §8.6); Connection is said only when it differs from the version's default.
std::string ResponseBytes(HttpResponse& response, bool keep_alive, unsigned version) {
  const bool body_in_head = response.body.size() <= kBodyInHeadBytes;
  std::string head;
  head.reserve(160 + (body_in_head ? response.body.size() : 0));
  head += version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
  head += std::to_string(response.status);
  head += ' ';
  head += bhttp::obsolete_reason(static_cast<bhttp::status>(response.status));
  head += "\r\n";
  const auto field = [&head](std::string_view name, std::string_view value) {
    head.append(name).append(": ").append(value).append("\r\n");
  };
  if (!response.content_type.empty()) field("Content-Type", response.content_type);
  for (const auto& [name, value] : response.headers) field(name, value);
  if (response.status != 204 && response.status != 304 && !response.stream) {
    field("Content-Length", std::to_string(response.body.size()));
  }
  if (version == 10 && keep_alive) field("Connection", "keep-alive");
  if (version != 10 && !keep_alive) field("Connection", "close");
  head += "\r\n";
  if (body_in_head) {
    head += response.body;
    response.body.clear();
  }
  return head;
}

// Counts a request as in flight while it lives, however its handling ends:
// the shutdown drain waits for the count to reach zero.
class InFlightRequest {
 public:
  explicit InFlightRequest(std::atomic<std::size_t>& count) : count_(count) { ++count_; }
  ~InFlightRequest() { --count_; }
  InFlightRequest(const InFlightRequest&) = delete;
  InFlightRequest& operator=(const InFlightRequest&) = delete;

 private:
  std::atomic<std::size_t>& count_;
};

// Gives back a connection's place in the count when it closes.
class OpenConnection {
 public:
  explicit OpenConnection(std::atomic<std::size_t>& count) : count_(count) {}
  ~OpenConnection() { --count_; }
  OpenConnection(const OpenConnection&) = delete;
  OpenConnection& operator=(const OpenConnection&) = delete;

 private:
  std::atomic<std::size_t>& count_;
};

// Writes what the socket takes now, without waiting for it: a small answer
// usually goes out whole, with no trip through the reactor.
std::size_t WriteNow(tcp::socket& socket, const std::string& bytes, beast::error_code& error) {
  const std::size_t sent = socket.write_some(asio::buffer(bytes), error);
  if (error == asio::error::would_block) error = {};
  return sent;
}

// Sends what WriteNow left of `bytes`, then `body`.
awaitable<beast::error_code> SendRest(tcp::socket& socket, const std::string& bytes, std::size_t sent,
                                      const std::string& body) {
  const std::array<asio::const_buffer, 2> rest{asio::buffer(bytes) + sent, asio::buffer(body)};
  auto [error, ignored] = co_await asio::async_write(socket, rest, kNoThrow);
  co_return error;
}

}  // namespace

struct HttpServer::Impl : std::enable_shared_from_this<Impl> {
  Impl(EventLoops& event_loops, asio::thread_pool& database, const Dispatcher& request_dispatcher,
       ServerOptions server_options)
      : loops(event_loops),
        database_lane(database),
        dispatcher(request_dispatcher),
        options(std::move(server_options)),
        acceptor(event_loops.Main()),
        malformed(options.metrics == nullptr
                      ? nullptr
                      : &options.metrics->Counters("http_malformed_requests_total",
                                                   "Requests refused before routing (400, 408, 413, 431), by reason.",
                                                   "reason", kMalformedReasons)) {
    if (options.metrics == nullptr) return;
    refused_connections = &options.metrics->Counters(
        "http_connections_refused_total", "Connections answered 503 and closed at once: the cap was reached.",
        "reason", {"limit"});
    options.metrics->Gauge("http_connections_open", "Connections open now.",
                           [this] { return static_cast<std::int64_t>(connections.load()); });
  }

  EventLoops& loops;
  asio::thread_pool& database_lane;
  const Dispatcher& dispatcher;
  ServerOptions options;
  tcp::acceptor acceptor;
  std::atomic<std::size_t> in_flight{0};
  std::atomic<bool> stopping{false};
  CounterSet* malformed;
  const std::size_t max_connections = ConnectionCap(options.max_connections);
  std::atomic<std::size_t> connections{0};
  CounterSet* refused_connections = nullptr;
  std::atomic<domain::TimeMs> next_malformed_line{0};
  std::atomic<std::int64_t> malformed_not_logged{0};

  // Counts a refused request, and logs it unless a line went out less than
  // kMalformedLogEveryMs ago; the next line says how many were not logged.
  void NoteMalformed(Malformed reason, const beast::error_code& error, const std::string& remote) {
    if (malformed != nullptr) malformed->Add(static_cast<std::size_t>(reason));
    const domain::TimeMs now = NowMs();
    domain::TimeMs due = next_malformed_line.load();
    if (now < due || !next_malformed_line.compare_exchange_strong(due, now + kMalformedLogEveryMs)) {
      ++malformed_not_logged;
      return;
    }
    LogLine()
        .Add("reason", kMalformedReasons[static_cast<std::size_t>(reason)])
        .Add("error", error.message())
        .Add("remote", remote)
        .Add("not_logged_before", malformed_not_logged.exchange(0))
        .Warn("malformed request refused");
  }

  awaitable<void> Accept() {
    for (;;) {
      // The connection lives on the next loop; see EventLoops.
      const asio::any_io_executor loop = loops.Next().get_executor();
      auto [error, socket] = co_await acceptor.async_accept(loop, kNoThrow);
      if (error) {
        if (stopping || error == asio::error::operation_aborted) co_return;
        LogLine().Add("error", error.message()).Warn("accept failed");
        if (error == asio::error::no_descriptors) {  // not at once again: the failure would repeat
          asio::steady_timer pause(acceptor.get_executor(), kNoDescriptorsPause);
          co_await pause.async_wait(kNoThrow);
        }
        continue;
      }
      if (connections.load() >= max_connections) {
        // Told at once, on the socket's buffer, and closed: a client that
        // goes away and comes back is better off than one left waiting.
        beast::error_code ignored;
        socket.non_blocking(true, ignored);
        socket.write_some(asio::buffer(kTooManyConnections), ignored);
        socket.shutdown(tcp::socket::shutdown_send, ignored);
        // What the client sent already is read (without waiting), so the
        // close is a FIN after the answer, not a reset that could drop it.
        std::array<char, 4096> sink{};
        for (int reads = 0; reads < 16 && !ignored; ++reads) socket.read_some(asio::buffer(sink), ignored);
        socket.close(ignored);
        if (refused_connections != nullptr) refused_connections->Add(0);
        continue;
      }
      ++connections;
      socket.set_option(tcp::no_delay(true));
      asio::co_spawn(socket.get_executor(), Session(std::move(socket)), LogFailure("http session failed"));
    }
  }

  // A blocking handler, on the database lane.
  awaitable<HttpResponse> HandleOnLane(const HttpRequest& request, const Router::Match& match) {
    co_return co_await asio::co_spawn(
        database_lane.get_executor(),
        [this, &request, &match]() -> awaitable<HttpResponse> { co_return dispatcher.Handle(request, match); },
        use_awaitable);
  }

  // Admits the request and awaits the route's coroutine handler; a throw
  // from it is answered as FailureResponse says.
  awaitable<HttpResponse> HandleAsync(const HttpRequest& request, const Router::Match& match) {
    auto admission = dispatcher.Admit(request, match);
    HttpResponse response;
    if (admission.answer) {
      response = std::move(*admission.answer);
    } else {
      try {
        response = co_await match.route->async_handler(request, admission.user_id);
      } catch (...) {
        response = FailureResponse(request, std::current_exception());
      }
    }
    dispatcher.Finish(request, match, response);
    co_return response;
  }

  // Compresses the body when the client takes gzip and it is worth it;
  // returns the bytes to send first, laid out by us: the status line and
  // headers, and the body when it is small (a larger one stays in
  // `response.body`, to follow). Beast's serializer costs an allocation per
  // header field and a deep buffer sequence per write.
  [[nodiscard]] std::string PrepareToWrite(ConnectionDeadline& deadline, HttpResponse& response, bool keep_alive,
                                           bool gzip_ok, unsigned version) const {
    if (gzip_ok && response.body.size() >= options.gzip_min_bytes) {
      response.body = Gzip(response.body);
      response.headers.emplace_back("Content-Encoding", "gzip");
      response.headers.emplace_back("Vary", "Accept-Encoding");
    }
    deadline.ExpireAfter(options.read_timeout);
    return ResponseBytes(response, keep_alive, version);
  }

  // Answers a request we refuse before reading it all, then drains the
  // rest of what the client sends so it can read the answer.
  awaitable<void> RefuseAndClose(tcp::socket& socket, ConnectionDeadline& deadline, HttpResponse response) {
    const std::string bytes = PrepareToWrite(deadline, response, false, false, 11);
    beast::error_code error;
    const std::size_t sent = WriteNow(socket, bytes, error);
    if (!error && (sent < bytes.size() || !response.body.empty())) {
      error = co_await SendRest(socket, bytes, sent, response.body);
    }
    socket.shutdown(tcp::socket::shutdown_send, error);
    deadline.ExpireAfter(kDrainTimeout);
    std::array<char, 16 * 1024> sink{};
    for (std::size_t drained = 0; drained < kMaxDrainBytes;) {
      auto [read_error, bytes_read] = co_await socket.async_read_some(asio::buffer(sink), kNoThrow);
      if (read_error) break;
      drained += bytes_read;
    }
  }

  // The request's line in the log, and its count and duration in the metrics.
  void CountAndLog(const HttpRequest& request, std::string_view route_label, unsigned status,
                   std::chrono::steady_clock::time_point started, std::size_t bytes_in, std::size_t bytes_out) const {
    const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
    if (options.metrics != nullptr) {
      options.metrics->CountRequest(route_label, request.method, status, took.count() / 1000);
    }
    LogLine()
        .Add("method", request.method)
        .Add("path", request.path)
        .Add("status", std::int64_t{status})
        .Add("duration_ms", took.count())
        .Add("bytes_in", static_cast<std::int64_t>(bytes_in))
        .Add("bytes_out", static_cast<std::int64_t>(bytes_out))
        .Add("remote", request.remote)
        .Add("request_id", request.id)
        .Info("request");
  }

  // A streamed answer: its head (counted and logged as the request), then
  // each piece as the stream makes it, until it ends, a write fails or
  // takes too long, or the client closes its side.
  awaitable<void> SendStream(tcp::socket& socket, ConnectionDeadline& deadline, const HttpRequest& request,
                             HttpResponse& response, unsigned version, std::string_view route_label,
                             std::chrono::steady_clock::time_point started) {
    using namespace asio::experimental::awaitable_operators;
    const std::shared_ptr<ResponseStream> stream = response.stream;
    const std::string head = ResponseBytes(response, false, version);
    deadline.ExpireAfter(kStreamWriteTimeout);
    auto [error, ignored] = co_await asio::async_write(socket, asio::buffer(head), kNoThrow);
    CountAndLog(request, route_label, response.status, started, request.body.size(), 0);
    if (error) co_return;
    const auto opened = std::chrono::steady_clock::now();
    std::int64_t bytes = 0;
    co_await (PumpStream(socket, deadline, *stream, bytes) || AwaitClientClose(socket));
    LogLine()
        .Add("path", request.path)
        .Add("seconds", std::chrono::duration<double>(std::chrono::steady_clock::now() - opened).count())
        .Add("bytes_out", bytes)
        .Add("request_id", request.id)
        .Info("stream ended");
  }

  // A stream that ends (a long list): its head, then each piece as a chunk
  // (HTTP/1.0: as it is, ended by the close), gzip-compressed when the
  // client takes it, then the last chunk. False when the connection must
  // close: the client asked so, a write failed, or the stream failed
  // midway, and then the last chunk never goes, so the client sees the
  // answer cut short rather than taking part of it for all.
  awaitable<bool> SendChunked(tcp::socket& socket, ConnectionDeadline& deadline, const HttpRequest& request,
                              HttpResponse& response, bool keep_alive, bool gzip_ok, unsigned version,
                              std::string_view route_label, std::chrono::steady_clock::time_point started) {
    const bool chunked = version != 10;
    keep_alive = keep_alive && chunked;
    std::optional<GzipStream> gzip;
    if (gzip_ok) {
      gzip.emplace();
      response.headers.emplace_back("Content-Encoding", "gzip");
      response.headers.emplace_back("Vary", "Accept-Encoding");
    }
    if (chunked) response.headers.emplace_back("Transfer-Encoding", "chunked");
    std::string out = ResponseBytes(response, keep_alive, version);
    const std::shared_ptr<ResponseStream> stream = std::move(response.stream);
    const auto add_chunk = [&out, chunked](std::string_view data) {
      if (data.empty()) return;
      if (!chunked) {
        out += data;
        return;
      }
      std::array<char, 16> size{};
      const auto end = std::to_chars(size.data(), size.data() + size.size(), data.size(), 16).ptr;
      out.append(size.data(), end).append("\r\n").append(data).append("\r\n");
    };
    std::int64_t bytes = 0;
    bool whole = false;
    beast::error_code error;
    for (;;) {
      std::string piece;
      try {
        piece = co_await stream->Next();
      } catch (const std::exception& failure) {
        LogLine()
            .Add("path", request.path)
            .Add("request_id", request.id)
            .Add("error", failure.what())
            .Warn("a streamed answer failed midway: cut short");
        break;
      }
      if (piece.empty()) {
        if (gzip) add_chunk(gzip->Finish());
        if (chunked) out += "0\r\n\r\n";
        whole = true;
      } else {
        add_chunk(gzip ? gzip->Piece(piece) : piece);
      }
      deadline.ExpireAfter(kStreamWriteTimeout);
      std::size_t written = 0;
      std::tie(error, written) = co_await asio::async_write(socket, asio::buffer(out), kNoThrow);
      bytes += static_cast<std::int64_t>(written);
      out.clear();
      if (error || whole) break;
    }
    CountAndLog(request, route_label, response.status, started, request.body.size(), static_cast<std::size_t>(bytes));
    co_return whole && !error && keep_alive;
  }

  static awaitable<void> PumpStream(tcp::socket& socket, ConnectionDeadline& deadline, ResponseStream& stream,
                                    std::int64_t& bytes) {
    for (;;) {
      const std::string piece = co_await stream.Next();
      if (piece.empty() || deadline.Expired()) co_return;
      deadline.ExpireAfter(kStreamWriteTimeout);
      auto [error, written] = co_await asio::async_write(socket, asio::buffer(piece), kNoThrow);
      bytes += static_cast<std::int64_t>(written);
      if (error) co_return;
    }
  }

  // Completes when the client closes the connection (or says anything: a
  // stream's client has nothing more to send), or the deadline passes.
  static awaitable<void> AwaitClientClose(tcp::socket& socket) {
    std::array<char, 256> sink{};
    co_await socket.async_read_some(asio::buffer(sink), kNoThrow);
  }

  // One connection: requests are read and answered in turn. Reads go
  // straight to the socket (one recv(2) each) and through Beast's parser;
  // answers go out at once when the socket takes them (see WriteNow).
  awaitable<void> Session(tcp::socket socket) {
    auto self = shared_from_this();
    const OpenConnection open(connections);  // counted by Accept
    ConnectionDeadline deadline(socket);
    beast::flat_buffer buffer;
    std::string remote;
    {
      beast::error_code ignored;
      socket.non_blocking(true, ignored);  // for WriteNow
      remote = socket.remote_endpoint(ignored).address().to_string();
    }
    for (;;) {
      RequestParser parser;
      parser.header_limit(kMaxHeaderBytes);
      parser.body_limit(options.max_body_bytes);
      // Idle until the request's first byte, then read_timeout for all of it.
      deadline.ExpireAfter(buffer.size() > 0 ? options.read_timeout : options.idle_timeout);
      std::chrono::steady_clock::time_point started;
      beast::error_code error;
      // The header, then (once any 100 Continue is out) the body.
      for (const bool whole : {false, true}) {
        parser.eager(whole);
        while (!error && NeedsMoreBytes(parser, buffer, whole, error)) {
          if (deadline.Expired()) {
            error = beast::error::timeout;
            break;
          }
          const bool first_bytes = buffer.size() == 0 && !parser.got_some();
          auto [read_error, bytes] =
              co_await socket.async_read_some(buffer.prepare(beast::read_size(buffer, kReadBytes)), kNoThrow);
          TakeRead(parser, buffer, read_error, bytes, deadline.Expired(), error);
          if (first_bytes && bytes > 0) deadline.ExpireAfter(options.read_timeout);
        }
        if (error || whole) break;
        started = std::chrono::steady_clock::now();
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
          co_await asio::async_write(socket, asio::buffer(kContinue), kNoThrow);
        }
      }
      if (error) {
        const bool mid_request = parser.got_some() || buffer.size() > 0;
        if (error == bhttp::error::header_limit) {
          NoteMalformed(Malformed::kHeadersTooLarge, error, remote);
          co_await RefuseAndClose(socket, deadline, HttpResponse::Error(431, "request headers too large"));
        } else if (error == bhttp::error::body_limit) {  // Content-Length over the limit, or the body
          NoteMalformed(Malformed::kBodyTooLarge, error, remote);
          co_await RefuseAndClose(socket, deadline, HttpResponse::Error(413, "request body too large"));
        } else if (error == beast::error::timeout) {
          if (mid_request) {
            NoteMalformed(Malformed::kTimedOut, error, remote);
            co_await RefuseAndClose(socket, deadline, HttpResponse::Error(408, "the request did not arrive in time"));
          }
        } else if (error != bhttp::error::end_of_stream && error != asio::error::connection_reset &&
                   error != asio::error::operation_aborted) {
          NoteMalformed(Malformed::kBadSyntax, error, remote);
          co_await RefuseAndClose(socket, deadline, HttpResponse::Error(400, "malformed HTTP request"));
        }
        break;
      }

      std::optional<InFlightRequest> counted(std::in_place, in_flight);
      auto message = parser.release();
      const unsigned version = message.version();
      const bool keep_alive = message.keep_alive() && !stopping;
      const bool gzip_ok = AcceptsGzip(message[bhttp::field::accept_encoding]);
      HttpRequest request = ToRequest(std::move(message), remote);
      request.id = RequestId(request.Header("x-request-id"));
      const std::size_t bytes_in = request.body.size();
      const auto match = dispatcher.Find(request);
      const std::string_view route_label = match.route ? std::string_view(match.route->path) : "unmatched";
      HttpResponse response;
      if (auto refused = DecodeBody(request, options.max_decoded_body_bytes)) {
        response = std::move(*refused);
      } else if (match.route != nullptr && match.route->async_handler) {
        response = co_await HandleAsync(request, match);
      } else if (match.route == nullptr || match.route->lane == Lane::kInline) {
        response = dispatcher.Handle(request, match);
      } else {
        response = co_await HandleOnLane(request, match);
      }
      response.headers.emplace_back("X-Request-Id", request.id);
      if (response.stream && !response.stream->Endless()) {
        if (co_await SendChunked(socket, deadline, request, response, keep_alive, gzip_ok, version, route_label,
                                 started)) {
          continue;
        }
        break;
      }
      if (response.stream) {
        counted.reset();  // a stream is no work in flight: the shutdown drain does not wait for it
        co_await SendStream(socket, deadline, request, response, version, route_label, started);
        break;
      }
      const unsigned status = response.status;
      const std::size_t bytes_out = response.body.size();
      const std::string bytes = PrepareToWrite(deadline, response, keep_alive, gzip_ok, version);
      beast::error_code write_error;
      const std::size_t sent = WriteNow(socket, bytes, write_error);
      if (!write_error && (sent < bytes.size() || !response.body.empty())) {
        write_error = co_await SendRest(socket, bytes, sent, response.body);
      }

      CountAndLog(request, route_label, status, started, bytes_in, bytes_out);
      if (!keep_alive || write_error) break;
    }
    beast::error_code ignored;
    socket.shutdown(tcp::socket::shutdown_send, ignored);
  }
};

HttpServer::HttpServer(EventLoops& loops, asio::thread_pool& database_lane, const Dispatcher& dispatcher,
                       ServerOptions options)
    : impl_(std::make_shared<Impl>(loops, database_lane, dispatcher, std::move(options))) {}

HttpServer::~HttpServer() = default;

void HttpServer::Start() {
  const auto& address = impl_->options.address;
  const std::string where = address.host + ":" + std::to_string(address.port);
  beast::error_code error;
  tcp::resolver resolver(impl_->loops.Main());
  const auto endpoints = resolver.resolve(address.host, std::to_string(address.port), error);
  if (error || endpoints.empty()) throw std::runtime_error("cannot resolve " + where + ": " + error.message());
  const tcp::endpoint endpoint = *endpoints.begin();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) throw std::runtime_error("cannot listen on " + where + ": " + error.message());
  asio::co_spawn(impl_->loops.Main(), impl_->Accept(), LogFailure("http acceptor failed"));
}

void HttpServer::Stop() {
  impl_->stopping = true;
  asio::post(impl_->loops.Main(), [impl = impl_] {
    beast::error_code ignored;
    impl->acceptor.close(ignored);
  });
}

std::size_t HttpServer::InFlight() const { return impl_->in_flight; }

std::uint16_t HttpServer::Port() const {
  beast::error_code ignored;
  return impl_->acceptor.local_endpoint(ignored).port();
}

}  // namespace gm::infra::http
