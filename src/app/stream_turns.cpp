#include "app/stream_turns.hpp"

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>
#include <utility>

#include "app/faults.hpp"

namespace gm::app {

namespace asio = boost::asio;

Async<StreamTurns::Turn> StreamTurns::Take(std::string key) {
  bool refused = false;
  co_await asio::async_initiate<decltype(asio::use_awaitable), void()>(
      [this, &key, &refused](auto handler) {
        std::unique_lock lock(mutex_);
        auto [it, first] = waiting_.try_emplace(key);
        refused = !first && it->second.size() >= max_waiting_;
        if (first || refused) {
          lock.unlock();
          auto executor = asio::get_associated_executor(handler);
          return asio::post(executor, std::move(handler));
        }
        // Posted when its turn comes, so the holder that passes it on never
        // runs the next holder inside its own destructor.
        auto resume = std::make_shared<decltype(handler)>(std::move(handler));
        it->second.push_back([resume] {
          auto executor = asio::get_associated_executor(*resume);
          asio::post(executor, [resume] { (*resume)(); });
        });
      },
      asio::use_awaitable);
  if (refused) throw ContentionError("too many commands waiting for one account");
  co_return Turn(this, std::move(key));
}

void StreamTurns::Pass(const std::string& key) {
  Waiter next;
  {
    const std::lock_guard lock(mutex_);
    auto it = waiting_.find(key);
    if (it->second.empty()) {
      waiting_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  next();
}

}  // namespace gm::app
