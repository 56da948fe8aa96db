// A coroutine that nobody awaits and that throws leaves an error line in the
// log (asio::detached, which every such coroutine used before, drops it).
#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <stdexcept>

#include "captured_log.hpp"
#include "infra/async.hpp"

namespace gm::infra {
namespace {

namespace asio = boost::asio;

asio::awaitable<void> Failing() {
  co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
  throw std::runtime_error("the disk is on fire");
}

asio::awaitable<void> Finishing() { co_return; }

TEST(LogFailureTest, ACoroutineThatThrowsIsLoggedWithItsError) {
  const auto lines = Captured([] {
    asio::io_context io;
    asio::co_spawn(io, Failing(), LogFailure("probe loop failed"));
    io.run();
  });
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find(R"("level":"error")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("msg":"probe loop failed")"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find(R"("error":"the disk is on fire")"), std::string::npos) << lines[0];
}

TEST(LogFailureTest, ACoroutineThatFinishesLeavesNoLine) {
  const auto lines = Captured([] {
    asio::io_context io;
    asio::co_spawn(io, Finishing(), LogFailure("probe loop failed"));
    io.run();
  });
  EXPECT_TRUE(lines.empty());
}

}  // namespace
}  // namespace gm::infra
