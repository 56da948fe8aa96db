// The HTTP request path without a socket: bytes as a client sends them go
// through the session's reading steps (Beast's parser with the server's
// limits, src/infra/http/request_reading.hpp), pipelined requests one after
// another as on a kept-alive connection, then the request id, the router,
// the body's Content-Encoding, the dispatcher (token check, CORS) and the
// loyalty API's body parsers (src/infra/http/request_bodies.cpp).
//
// Input: one byte of options, then the bytes on the wire.
//   bits 0-2: how much each read takes: all it can, or 1, 2, 3, 7, 16, 100, 1000 bytes
//   bit 3:    the server's limits (ServerOptions) or small ones (1 KiB on the wire, 4 KiB decoded)
//
// Checked: no crash, leak or undefined behaviour; the end of the stream
// always ends a request; no handler throws (a 500); no answer's header
// carries CR, LF or NUL (response splitting); a decoded body stays within
// its limit; the request id is 1 to 128 visible ASCII characters.
// GM_FUZZ_VERBOSE=1 prints each request's answer (to replay an input).
#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/beast/core/read_size.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "api_bodies.hpp"
#include "fuzz_check.hpp"
#include "infra/auth/token_issuer.hpp"
#include "infra/http/cors.hpp"
#include "infra/http/dispatcher.hpp"
#include "infra/http/request_id.hpp"
#include "infra/http/request_reading.hpp"
#include "infra/http/server.hpp"
#include "infra/time.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using gm::infra::http::HttpRequest;
using gm::infra::http::HttpResponse;
using gm::infra::http::Lane;

// The seeds' tokens are signed with this key (tests/fuzz/make_seeds.py).
constexpr std::string_view kKey = "fuzzing-key-0123456789abcdef-0123456789";
constexpr std::size_t kReadBytes = 64 * 1024;  // the session's most per read
constexpr std::size_t kReadSizes[] = {kReadBytes, 1, 2, 3, 7, 16, 100, 1000};
constexpr int kMostRequests = 64;

HttpResponse Answer(unsigned status) {
  return status < 300 ? HttpResponse::Json(status, "{}") : HttpResponse::Error(status, "refused");
}

HttpResponse Fixed(const HttpRequest&, const std::string&) { return HttpResponse::Json(200, "[]"); }

// The API's routes, as src/infra/http/loyalty_api.cpp and its neighbours
// add them, each doing what the real one does with the request before it
// reaches the store.
gm::infra::http::Router MakeRouter() {
  gm::infra::http::Router router;
  const auto route = [&router](const char* method, const char* path, bool authenticated,
                               gm::infra::http::Handler handler) {
    router.Add({method, path, Lane::kInline, authenticated, std::move(handler)});
  };
  const auto credentials = [](const HttpRequest& request, const std::string&) {
    return Answer(gm::fuzz::Credentials(request));
  };
  route("POST", "/api/user/register", false, credentials);
  route("POST", "/api/user/login", false, credentials);
  route("POST", "/api/user/orders", true,
        [](const HttpRequest& request, const std::string&) { return Answer(gm::fuzz::Upload(request)); });
  route("GET", "/api/user/orders", true, Fixed);
  route("GET", "/api/user/balance", true, [](const HttpRequest& request, const std::string&) {
    if (request.query.empty()) return Answer(200);
    const auto at = gm::infra::http::QueryParameter(request.query, "at");
    if (!at) return Answer(200);
    return Answer(gm::infra::ParseRfc3339(*at) ? 200 : 400);
  });
  route("GET", "/api/user/balance/history", true, Fixed);
  route("POST", "/api/user/logout", false, [](const HttpRequest&, const std::string&) {
    auto response = HttpResponse::Json(200, R"({"status":"ok"})");
    response.headers.emplace_back("Set-Cookie", "token=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict");
    return response;
  });
  route("POST", "/api/user/balance/withdraw", true, [](const HttpRequest& request, const std::string&) {
    return Answer(gm::fuzz::ParseWithdrawal(request).status);
  });
  route("GET", "/api/user/withdrawals", true, Fixed);
  route("GET", "/api/user/balance/withdrawals", true, Fixed);
  route("GET", "/api/user/events", true, Fixed);
  route("GET", "/healthz", false, Fixed);
  route("GET", "/", false, Fixed);
  // The accrual system's own route with a parameter (src/accrual/accrual_api.cpp).
  route("GET", "/api/orders/{number}", false, [](const HttpRequest& request, const std::string&) {
    return Answer(gm::domain::OrderNumber::Parse(gm::infra::http::LastSegment(request.path)) ? 200 : 422);
  });
  return router;
}

bool Visible(std::string_view text) {
  for (const char c : text) {
    if (c <= ' ' || c >= '\x7f') return false;
  }
  return true;
}

bool SafeInHeader(std::string_view text) {
  return text.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

struct Service {
  gm::infra::http::Router router = MakeRouter();
  gm::infra::TokenIssuer tokens{std::string(kKey), std::chrono::hours(24)};
  gm::infra::http::CorsPolicy cors{"localhost", 8082};
  gm::infra::http::Dispatcher dispatcher{router, &tokens, &cors};
};

// What the session does with one parsed request (server.cpp, Session).
void Serve(const Service& service, HttpRequest request, std::size_t max_decoded_bytes) {
  for (const auto& [name, value] : request.headers) {
    for (const char c : name) GM_FUZZ_CHECK(c < 'A' || c > 'Z');
  }
  request.id = gm::infra::http::RequestId(request.Header("x-request-id"));
  GM_FUZZ_CHECK(!request.id.empty() && request.id.size() <= gm::infra::http::kMaxRequestIdLength &&
                Visible(request.id));
  const auto match = service.dispatcher.Find(request);
  if (match.route == nullptr) GM_FUZZ_CHECK(match.status == 404 || (match.status == 405 && !match.allow.empty()));
  HttpResponse response;
  if (auto refused = gm::infra::http::DecodeBody(request, max_decoded_bytes)) {
    response = std::move(*refused);
  } else {
    GM_FUZZ_CHECK(!request.Header("content-encoding") || request.body.size() <= max_decoded_bytes);
    response = service.dispatcher.Handle(request, match);
  }
  response.headers.emplace_back("X-Request-Id", request.id);
  static const bool verbose = std::getenv("GM_FUZZ_VERBOSE") != nullptr;
  if (verbose) std::fprintf(stderr, "%s %s -> %u\n", request.method.c_str(), request.path.c_str(), response.status);
  GM_FUZZ_CHECK(response.status >= 200 && response.status <= 599 && response.status != 500);
  GM_FUZZ_CHECK(SafeInHeader(response.content_type));
  for (const auto& [name, value] : response.headers) {
    GM_FUZZ_CHECK(!name.empty() && Visible(name));
    GM_FUZZ_CHECK(SafeInHeader(value));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Service service;
  if (size == 0) return 0;
  const std::uint8_t options_byte = data[0];
  std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t read_size = kReadSizes[options_byte & 7U];
  gm::infra::http::ServerOptions options;
  if ((options_byte & 8U) != 0) {
    options.max_body_bytes = 1024;
    options.max_decoded_body_bytes = 4096;
  }

  beast::flat_buffer buffer;
  for (int served = 0; served < kMostRequests; ++served) {
    gm::infra::http::RequestParser parser;
    parser.header_limit(gm::infra::http::kMaxHeaderBytes);
    parser.body_limit(options.max_body_bytes);
    beast::error_code error;
    int ends = 0;  // reads that met the end of the stream
    for (const bool whole : {false, true}) {
      parser.eager(whole);
      while (!error && gm::infra::http::NeedsMoreBytes(parser, buffer, whole, error)) {
        if (wire.empty()) {
          // The session would read again, and meet the end again: it must
          // end the request, not spin until the deadline.
          GM_FUZZ_CHECK(++ends <= 2);
          gm::infra::http::TakeRead(parser, buffer, asio::error::eof, 0, false, error);
          continue;
        }
        const auto space = buffer.prepare(beast::read_size(buffer, kReadBytes));
        const std::size_t bytes = std::min({space.size(), read_size, wire.size()});
        std::memcpy(space.data(), wire.data(), bytes);
        wire.remove_prefix(bytes);
        gm::infra::http::TakeRead(parser, buffer, {}, bytes, false, error);
      }
      if (error || whole) break;
      (void)parser.get()[bhttp::field::expect];  // the session answers 100-continue here
    }
    if (error) {
      // The session answers 431, 413 or 400 and closes, or just closes.
      GM_FUZZ_CHECK(!parser.is_done() || error == bhttp::error::end_of_stream);
      return 0;
    }
    GM_FUZZ_CHECK(parser.is_done());
    auto message = parser.release();
    GM_FUZZ_CHECK(message.body().size() <= options.max_body_bytes);
    const bool keep_alive = message.keep_alive();
    Serve(service, gm::infra::http::ToRequest(std::move(message), "192.0.2.1"), options.max_decoded_body_bytes);
    if (!keep_alive) return 0;
  }
  return 0;
}
