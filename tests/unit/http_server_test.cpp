// The HTTP server over real sockets on the loopback: how it reads requests
// (in pieces, pipelined, with 100-continue), how it writes answers larger
// than the socket takes at once, and its deadlines.
#include "infra/http/server.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "infra/event_loops.hpp"
#include "infra/http/response_stream.hpp"

namespace gm::infra::http {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kLargeBody = 512 * 1024;  // goes out apart from the head
constexpr std::size_t kSmallBody = 10 * 1024;   // goes out in the head's buffer

HttpResponse Text(std::string body) {
  HttpResponse response;
  response.content_type = "text/plain";
  response.body = std::move(body);
  return response;
}

// A plain blocking client: what a test sends and reads is exactly what is
// on the wire.
class RawClient {
 public:
  // A small `receive_buffer` keeps the server's writes meeting a full socket.
  explicit RawClient(std::uint16_t port, int receive_buffer = 0) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (receive_buffer > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address), 0);
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    const timeval limit{10, 0};  // a test that waits longer than this has failed
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
  }
  ~RawClient() { ::close(fd_); }
  RawClient(const RawClient&) = delete;
  RawClient& operator=(const RawClient&) = delete;

  void Send(std::string_view bytes) {
    while (!bytes.empty()) {
      const auto sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      ASSERT_GT(sent, 0);
      bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
  }

  struct Received {
    std::string bytes;
    bool closed_by_server = false;  // else our 10 s limit ended the wait
  };
  // Everything until the server closes the connection, `chunk_bytes` at a time.
  Received ReadToEnd(std::size_t chunk_bytes = 64 * 1024) {
    Received received;
    std::vector<char> chunk(chunk_bytes);
    for (;;) {
      const auto got = ::recv(fd_, chunk.data(), chunk.size(), 0);
      if (got > 0) {
        received.bytes.append(chunk.data(), static_cast<std::size_t>(got));
        continue;
      }
      received.closed_by_server = got == 0 || errno == ECONNRESET;
      return received;
    }
  }
  // Reads until `text` has arrived.
  std::string ReadUntil(std::string_view text) {
    std::string bytes;
    char c = 0;
    while (bytes.find(text) == std::string::npos && ::recv(fd_, &c, 1, 0) == 1) bytes += c;
    return bytes;
  }

 private:
  int fd_;
};

// The bodies of consecutive answers in `bytes`; fails on anything that is
// not a whole 200 answer with a Content-Length.
std::vector<std::string> Bodies(std::string_view bytes) {
  std::vector<std::string> bodies;
  while (!bytes.empty()) {
    EXPECT_EQ(bytes.substr(0, 13), "HTTP/1.1 200 ");
    const auto end = bytes.find("\r\n\r\n");
    const auto length_at = bytes.find("Content-Length: ");
    if (end == std::string_view::npos || length_at == std::string_view::npos || length_at > end) {
      ADD_FAILURE() << "not an answer: " << bytes.substr(0, 200);
      break;
    }
    const auto length = std::stoul(std::string(bytes.substr(length_at + 16, end - length_at - 16)));
    if (bytes.size() < end + 4 + length) {
      ADD_FAILURE() << "an answer cut short";
      break;
    }
    bodies.emplace_back(bytes.substr(end + 4, length));
    bytes.remove_prefix(end + 4 + length);
  }
  return bodies;
}

// A body that ends (as a long list's does), piece by piece; with `fails`,
// it throws where it would have ended, as a page read can.
class Pieces final : public ResponseStream {
 public:
  Pieces(std::vector<std::string> pieces, bool fails) : pieces_(std::move(pieces)), fails_(fails) {}
  boost::asio::awaitable<std::string> Next() override {
    if (next_ < pieces_.size()) co_return pieces_[next_++];
    if (fails_) throw std::runtime_error("the database went away");
    co_return std::string();
  }
  [[nodiscard]] bool Endless() const override { return false; }

 private:
  std::vector<std::string> pieces_;
  std::size_t next_ = 0;
  bool fails_;
};

HttpResponse Streamed(bool fails) {
  HttpResponse response = Text("");
  response.stream = std::make_shared<Pieces>(std::vector<std::string>{"one", std::string(20, 'x')}, fails);
  return response;
}

class HttpServerTest : public ::testing::Test {
 protected:
  HttpServerTest() {
    const auto route = [this](std::string method, std::string path, Handler handler) {
      router_.Add({std::move(method), std::move(path), Lane::kInline, false, std::move(handler), nullptr});
    };
    route("GET", "/ping", [](const HttpRequest&, const std::string&) { return Text("pong"); });
    route("GET", "/large", [](const HttpRequest&, const std::string&) { return Text(std::string(kLargeBody, 'L')); });
    route("GET", "/small", [](const HttpRequest&, const std::string&) { return Text(std::string(kSmallBody, 's')); });
    route("POST", "/echo", [](const HttpRequest& request, const std::string&) { return Text(request.body); });
    route("GET", "/pieces", [](const HttpRequest&, const std::string&) { return Streamed(false); });
    route("GET", "/cut", [](const HttpRequest&, const std::string&) { return Streamed(true); });
    // A coroutine handler that throws once it has been suspended.
    router_.Add({"GET", "/fails", Lane::kInline, false, nullptr,
                 [](const HttpRequest&, const std::string&) -> boost::asio::awaitable<HttpResponse> {
                   co_await boost::asio::post(co_await boost::asio::this_coro::executor, boost::asio::use_awaitable);
                   throw std::logic_error("a handler with a bug");
                 }});
    ServerOptions options;
    options.address = {"127.0.0.1", 0};
    options.read_timeout = 1s;
    options.idle_timeout = 3s;
    server_ = std::make_unique<HttpServer>(loops_, lane_, dispatcher_, options);
    server_->Start();
    thread_ = std::thread([this] { loops_.Run(); });
  }
  ~HttpServerTest() override {
    server_->Stop();
    loops_.Stop();
    thread_.join();
  }

  [[nodiscard]] std::uint16_t Port() const { return server_->Port(); }
  [[nodiscard]] std::size_t InFlight() const { return server_->InFlight(); }

 private:
  EventLoops loops_{1};
  boost::asio::thread_pool lane_{1};
  Router router_;
  Dispatcher dispatcher_{router_, nullptr};
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  RawClient client(Port());
  client.Send(
      "GET /ping HTTP/1.1\r\nHost: t\r\n\r\n"
      "POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello"
      "GET /ping HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const auto received = client.ReadToEnd();
  EXPECT_TRUE(received.closed_by_server);
  EXPECT_EQ(Bodies(received.bytes), (std::vector<std::string>{"pong", "hello", "pong"}));
}

// The exception is the answer (500), and the request stops counting as in
// flight, so a shutdown after it does not wait out its drain.
TEST_F(HttpServerTest, AHandlerThatThrowsIsAnsweredAndNoLongerInFlight) {
  RawClient client(Port());
  client.Send("GET /fails HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const auto received = client.ReadToEnd();
  EXPECT_EQ(received.bytes.substr(0, 13), "HTTP/1.1 500 ") << received.bytes;
  // The count drops once the request's log line is written, just after the answer.
  for (int waited = 0; InFlight() != 0 && waited < 5000; ++waited) std::this_thread::sleep_for(1ms);
  EXPECT_EQ(InFlight(), 0U);
}

TEST_F(HttpServerTest, AStreamThatEndsGoesInChunksAndTheConnectionServesTheNextRequest) {
  RawClient client(Port());
  client.Send(
      "GET /pieces HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /ping HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  const auto received = client.ReadToEnd();
  EXPECT_TRUE(received.closed_by_server);
  const auto head_end = received.bytes.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos);
  const std::string head = received.bytes.substr(0, head_end);
  EXPECT_EQ(head.substr(0, 13), "HTTP/1.1 200 ");
  EXPECT_NE(head.find("Transfer-Encoding: chunked"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  const std::string rest = received.bytes.substr(head_end + 4);
  const std::string chunks = "3\r\none\r\n14\r\n" + std::string(20, 'x') + "\r\n0\r\n\r\n";
  ASSERT_EQ(rest.substr(0, chunks.size()), chunks);
  EXPECT_EQ(Bodies(rest.substr(chunks.size())), std::vector<std::string>{"pong"});
}

// A body that fails midway must not look whole: the connection closes
// before the last chunk.
TEST_F(HttpServerTest, AStreamThatFailsMidwayIsCutShortWithoutTheLastChunk) {
  RawClient client(Port());
  client.Send("GET /cut HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto received = client.ReadToEnd();
  EXPECT_TRUE(received.closed_by_server);
  const std::string sent = "3\r\none\r\n14\r\n" + std::string(20, 'x') + "\r\n";
  ASSERT_GE(received.bytes.size(), sent.size());
  EXPECT_EQ(received.bytes.substr(received.bytes.size() - sent.size()), sent) << received.bytes;
}

TEST_F(HttpServerTest, ARequestArrivingByteByByteIsAnswered) {
  RawClient client(Port());
  const std::string request = "POST /echo HTTP/1.1\r\nHost: t\r\nConnection: close\r\nContent-Length: 3\r\n\r\nabc";
  for (const char c : request) {
    client.Send(std::string_view(&c, 1));
    std::this_thread::sleep_for(1ms);
  }
  EXPECT_EQ(Bodies(client.ReadToEnd().bytes), std::vector<std::string>{"abc"});
}

TEST_F(HttpServerTest, AnswersLargerThanTheSocketTakesArriveWholeAndInOrder) {
  // Nothing is read until every request is out, and then slowly into a
  // small buffer: the server's writes meet a full socket, and the rest of
  // each answer must follow in order.
  RawClient client(Port(), 4096);
  std::string requests;
  std::vector<std::string> expected;
  for (int i = 1; i <= 1000; ++i) {
    const bool large = i % 100 == 0;
    requests += large ? "GET /large HTTP/1.1\r\nHost: t\r\n\r\n" : "GET /small HTTP/1.1\r\nHost: t\r\n\r\n";
    expected.emplace_back(large ? kLargeBody : kSmallBody, large ? 'L' : 's');
  }
  requests += "GET /ping HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  expected.emplace_back("pong");
  client.Send(requests);
  std::this_thread::sleep_for(200ms);
  const auto received = client.ReadToEnd(1024);
  EXPECT_TRUE(received.closed_by_server);
  // Compared as sizes and fill characters: a failure then prints a line.
  const auto outline = [](const std::vector<std::string>& bodies) {
    std::string text;
    for (const auto& body : bodies) {
      const bool uniform = body.find_first_not_of(body.front()) == std::string::npos;
      text += std::to_string(body.size()) + (uniform ? body.substr(0, 1) : "?") + " ";
    }
    return text;
  };
  EXPECT_EQ(outline(Bodies(received.bytes)), outline(expected));
}

TEST_F(HttpServerTest, Expect100ContinueGetsTheGoAheadBeforeTheBody) {
  RawClient client(Port());
  client.Send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 2\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(client.ReadUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  client.Send("ok");
  EXPECT_EQ(Bodies(client.ReadToEnd().bytes), std::vector<std::string>{"ok"});
}

TEST_F(HttpServerTest, AnIdleConnectionIsClosedWithoutAnAnswer) {
  RawClient client(Port());
  const auto received = client.ReadToEnd();
  EXPECT_TRUE(received.closed_by_server);
  EXPECT_EQ(received.bytes, "");
}

TEST_F(HttpServerTest, AnIdleKeptAliveConnectionIsClosedAfterItsAnswer) {
  RawClient client(Port());
  client.Send("GET /ping HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto received = client.ReadToEnd();
  EXPECT_TRUE(received.closed_by_server);
  EXPECT_EQ(Bodies(received.bytes), std::vector<std::string>{"pong"});
}

TEST_F(HttpServerTest, AHeaderThatStopsArrivingIsAnswered408) {
  RawClient client(Port());
  const auto sent = std::chrono::steady_clock::now();
  client.Send("GET /ping HTTP/1.1\r\nHost: t\r\n");
  const auto received = client.ReadToEnd();
  EXPECT_TRUE(received.closed_by_server);
  EXPECT_EQ(received.bytes.substr(0, 13), "HTTP/1.1 408 ") << received.bytes;
  // The request's deadline (1 s) runs from its first byte; the idle one
  // (3 s) no longer applies.
  EXPECT_LT(std::chrono::steady_clock::now() - sent, 2500ms);
}

TEST_F(HttpServerTest, ABodyThatStopsArrivingIsAnswered408) {
  RawClient client(Port());
  client.Send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc");
  const auto received = client.ReadToEnd();
  EXPECT_TRUE(received.closed_by_server);
  EXPECT_EQ(received.bytes.substr(0, 13), "HTTP/1.1 408 ") << received.bytes;
}

}  // namespace
}  // namespace gm::infra::http
