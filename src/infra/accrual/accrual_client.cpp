#include "infra/accrual/accrual_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <ctime>
#include <optional>

#include "infra/http/parser_feeding.hpp"

namespace gm::infra::accrual {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace http = gm::infra::http;
using asio::awaitable;
using asio::ip::tcp;
constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);

constexpr std::chrono::seconds kTimeout{5};
constexpr std::size_t kMaxReplyBytes = 64 * 1024;
constexpr std::size_t kReadBytes = 4096;

AccrualReply NetworkFault(std::string_view what, const beast::error_code& error) {
  AccrualReply reply;
  reply.kind = AccrualReply::Kind::kFault;
  reply.fault = std::string(what) + ": " + error.message();
  return reply;
}

}  // namespace

struct AccrualClient::Impl {
  Impl(asio::any_io_executor executor, const std::string& base_url) : resolver(executor), stream(executor) {
    const auto url = boost::urls::parse_uri(base_url);
    if (!url) throw std::invalid_argument("bad accrual system URL: " + base_url);
    host = std::string(url->host());
    port = url->has_port() ? std::string(url->port()) : "80";
    base_path = std::string(url->encoded_path());
    while (!base_path.empty() && base_path.back() == '/') base_path.pop_back();
  }

  std::string host;
  std::string port;
  std::string base_path;
  tcp::resolver resolver;
  beast::tcp_stream stream;
  beast::flat_buffer buffer;
  bool connected = false;

  void Close() {
    beast::error_code ignored;
    stream.socket().close(ignored);
    buffer.clear();
    connected = false;
  }

  awaitable<beast::error_code> Connect() {
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(host, port, kNoThrow);
    if (resolve_error) co_return resolve_error;
    stream.expires_after(kTimeout);
    auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, kNoThrow);
    if (connect_error) co_return connect_error;
    stream.socket().set_option(tcp::no_delay(true));
    connected = true;
    co_return beast::error_code{};
  }

  // One request/response on the current connection.
  awaitable<std::optional<AccrualReply>> Exchange(const std::string& number, beast::error_code& error) {
    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, base_path + "/api/orders/" + number, 11};
    request.set(bhttp::field::host, host);
    request.set(bhttp::field::user_agent, "gophermart");
    request.keep_alive(true);
    stream.expires_after(kTimeout);
    auto [write_error, written] = co_await bhttp::async_write(stream, request, kNoThrow);
    if (write_error) {
      error = write_error;
      co_return std::nullopt;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(kMaxReplyBytes);
    // Not beast::http::async_read: the reply is remote bytes, and Beast
    // 1.81 asserts on one way of splitting them (parser_feeding.hpp).
    while (!error && http::NeedsMoreBytes(parser, buffer, /*whole=*/true, error)) {
      auto [read_error, bytes] =
          co_await stream.async_read_some(buffer.prepare(beast::read_size(buffer, kReadBytes)), kNoThrow);
      http::TakeRead(parser, buffer, read_error, bytes, /*deadline_expired=*/false, error);
    }
    if (error) co_return std::nullopt;
    const auto& response = parser.get();
    if (!response.keep_alive()) Close();
    co_return InterpretReply(response.result_int(), response[bhttp::field::retry_after], response.body(), number,
                             std::time(nullptr));
  }
};

AccrualClient::AccrualClient(asio::any_io_executor executor, const std::string& base_url)
    : impl_(std::make_unique<Impl>(std::move(executor), base_url)) {}

AccrualClient::~AccrualClient() = default;

awaitable<AccrualReply> AccrualClient::Check(const std::string& number) {
  // A kept-alive connection may have been closed by the server while idle;
  // the first failure on a reused connection earns one fresh attempt.
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->connected;
    if (!impl_->connected) {
      if (auto error = co_await impl_->Connect()) {
        impl_->Close();
        co_return NetworkFault("connect", error);
      }
    }
    beast::error_code error;
    auto reply = co_await impl_->Exchange(number, error);
    if (reply) co_return *reply;
    impl_->Close();
    if (!reused || error == beast::error::timeout) co_return NetworkFault("exchange", error);
  }
  co_return NetworkFault("exchange", asio::error::connection_reset);
}

}  // namespace gm::infra::accrual
