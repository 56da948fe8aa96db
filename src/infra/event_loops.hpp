#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <vector>

namespace boost::asio {
class io_context;
}  // namespace boost::asio

namespace gm::infra {

// One event loop per I/O thread, each with its own epoll, timers and run
// queue, like nginx's workers. A connection lives on one loop from accept
// to close, and so do the database connections its requests use
// (PgPipelinePool picks those of the caller's loop): a request is read,
// queried and answered on one thread, with no handoff and no lock shared
// with the other loops. Loop 0 also runs what is not a request (signals,
// the accrual worker, the acceptors).
class EventLoops {
 public:
  explicit EventLoops(std::size_t count);
  ~EventLoops();
  EventLoops(const EventLoops&) = delete;
  EventLoops& operator=(const EventLoops&) = delete;

  [[nodiscard]] boost::asio::io_context& Main() const;
  [[nodiscard]] std::vector<boost::asio::io_context*> All() const;
  // The loop for a new connection: each in turn.
  boost::asio::io_context& Next();
  // The loop running on the calling thread; Main() on any other thread.
  [[nodiscard]] boost::asio::io_context& Current() const;

  // Runs every loop, each on a thread of its own (loop 0 on the caller's),
  // until Stop().
  void Run();
  void Stop();

 private:
  class Loop;
  std::vector<std::unique_ptr<Loop>> loops_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace gm::infra
