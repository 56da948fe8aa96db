#include "infra/event_loops.hpp"

#include <boost/asio.hpp>
#include <thread>

namespace gm::infra {

namespace asio = boost::asio;

// One thread each: Asio then keeps work posted from that thread in a queue
// of its own. Other threads (the lanes) still post safely.
class EventLoops::Loop : public asio::io_context {
 public:
  Loop() : io_context(1) {}
  // Destroys the work still queued, keeping the loop's services.
  void DropWork() { shutdown(); }
};

EventLoops::EventLoops(std::size_t count) {
  for (std::size_t i = 0; i < std::max<std::size_t>(count, 1); ++i) loops_.push_back(std::make_unique<Loop>());
}

// Work left on one loop may hold objects of another: an accept waiting on
// loop 0 owns the socket it would hand to loop 1, and a connection's
// coroutine on loop 1 keeps its server, whose acceptor is loop 0's. So all
// the work goes before any loop's services do.
EventLoops::~EventLoops() {
  for (auto& loop : loops_) loop->DropWork();
}

asio::io_context& EventLoops::Main() const { return *loops_.front(); }

std::vector<asio::io_context*> EventLoops::All() const {
  std::vector<asio::io_context*> all;
  for (const auto& loop : loops_) all.push_back(loop.get());
  return all;
}

asio::io_context& EventLoops::Next() { return *loops_[next_.fetch_add(1, std::memory_order_relaxed) % loops_.size()]; }

asio::io_context& EventLoops::Current() const {
  for (const auto& loop : loops_) {
    if (loop->get_executor().running_in_this_thread()) return *loop;
  }
  return Main();
}

void EventLoops::Run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops_.size(); ++i) {
    // Kept running while idle: connections arrive at any time.
    threads.emplace_back([loop = loops_[i].get()] {
      auto guard = asio::make_work_guard(*loop);
      loop->run();
    });
  }
  loops_.front()->run();
  for (auto& thread : threads) thread.join();
}

void EventLoops::Stop() {
  for (auto& loop : loops_) loop->stop();
}

}  // namespace gm::infra
