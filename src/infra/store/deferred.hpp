#pragma once

#include <exception>
#include <functional>
#include <utility>

#include "app/ports.hpp"

namespace gm::infra::store {

// Hands blocking work to a thread that may block (the database lane).
using Runner = std::function<void(std::function<void()>)>;

// Runs the blocking `call` through `run` and answers with its value or the
// exception it threw: how a blocking store serves an asynchronous port.
template <class T, class Call>
void Defer(const Runner& run, app::Answer<T> answer, Call call) {
  run([answer = std::move(answer), call = std::move(call)]() mutable {
    T value{};
    std::exception_ptr error;
    try {
      value = call();
    } catch (...) {
      error = std::current_exception();
    }
    answer(error, std::move(value));
  });
}

}  // namespace gm::infra::store
