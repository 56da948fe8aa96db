#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>

#include "app/ports.hpp"

namespace gm::app {

// Turns on keys: one holder per key at a time, in the order they asked;
// different keys never wait for each other. At most `max_waiting` wait for
// one key: past that, Take throws ContentionError at once (the HTTP layer's
// 503 with Retry-After) rather than growing the line. Safe from any thread;
// a waiter resumes on its own executor.
class StreamTurns {
 public:
  explicit StreamTurns(std::size_t max_waiting = 64) : max_waiting_(max_waiting) {}

  // Held while it lives; its end hands the key to the next in line.
  class Turn {
   public:
    Turn() = default;
    Turn(StreamTurns* turns, std::string key) : turns_(turns), key_(std::move(key)) {}
    Turn(Turn&& other) noexcept : turns_(std::exchange(other.turns_, nullptr)), key_(std::move(other.key_)) {}
    Turn& operator=(Turn&& other) = delete;
    Turn(const Turn&) = delete;
    Turn& operator=(const Turn&) = delete;
    ~Turn() {
      if (turns_ != nullptr) turns_->Pass(key_);
    }

   private:
    StreamTurns* turns_ = nullptr;
    std::string key_;
  };

  Async<Turn> Take(std::string key);

 private:
  // Resumes one waiter with the turn, on the waiter's executor.
  using Waiter = std::function<void()>;
  void Pass(const std::string& key);

  const std::size_t max_waiting_;
  std::mutex mutex_;
  // A key is present while someone holds it; the deque holds who waits.
  std::unordered_map<std::string, std::deque<Waiter>> waiting_;
};

}  // namespace gm::app
