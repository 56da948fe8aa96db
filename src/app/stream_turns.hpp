#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace gm::app {

// Runs tasks that share a key one at a time, in the order they arrived;
// tasks with different keys run side by side. A task gets `done` and calls
// it exactly once, from any thread, when it has finished. Safe to use from
// any number of threads.
class KeyedQueue {
 public:
  using Done = std::function<void()>;
  using Task = std::function<void(Done done)>;

  void Run(const std::string& key, Task task);

 private:
  void Next(const std::string& key);

  std::mutex mutex_;
  // A key is present while one of its tasks runs; the deque holds the rest.
  std::unordered_map<std::string, std::deque<Task>> waiting_;
};

}  // namespace gm::app
