#pragma once

#include <chrono>
#include <memory>

#include "accrual/accrual_store.hpp"

namespace boost::asio {
class io_context;
class thread_pool;
}  // namespace boost::asio

namespace gm::accrual {

// Moves registered orders through PROCESSING to PROCESSED (or INVALID when
// no rule matches any good), in the background. `processing_delay` keeps an
// order visibly PROCESSING for that long, to imitate a slow calculation.
class Calculator {
 public:
  Calculator(boost::asio::io_context& io, boost::asio::thread_pool& lane, AccrualStore& store,
             std::chrono::milliseconds processing_delay);
  ~Calculator();
  Calculator(const Calculator&) = delete;
  Calculator& operator=(const Calculator&) = delete;

  void Start();
  // Wakes the calculator: an order was registered. Thread-safe.
  void Nudge();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace gm::accrual
