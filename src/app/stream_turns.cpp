#include "app/keyed_queue.hpp"

#include <utility>

namespace gm::app {

void KeyedQueue::Run(const std::string& key, Task task) {
  {
    const std::lock_guard lock(mutex_);
    auto [it, first] = waiting_.try_emplace(key);
    if (!first) {
      it->second.push_back(std::move(task));
      return;
    }
  }
  task([this, key] { Next(key); });
}

void KeyedQueue::Next(const std::string& key) {
  Task task;
  {
    const std::lock_guard lock(mutex_);
    auto it = waiting_.find(key);
    if (it->second.empty()) {
      waiting_.erase(it);
      return;
    }
    task = std::move(it->second.front());
    it->second.pop_front();
  }
  task([this, key] { Next(key); });
}

}  // namespace gm::app
