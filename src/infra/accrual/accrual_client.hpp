#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <memory>
#include <string>

#include "infra/accrual/accrual_reply.hpp"

namespace gm::infra::accrual {

// Asks the accrual system about one order at a time over one kept-alive
// connection, reconnecting when it drops. Never throws for network trouble:
// refusals, timeouts and garbage come back as AccrualReply::Kind::kFault.
class AccrualClient {
 public:
  AccrualClient(boost::asio::any_io_executor executor, const std::string& base_url);
  ~AccrualClient();
  AccrualClient(const AccrualClient&) = delete;
  AccrualClient& operator=(const AccrualClient&) = delete;

  boost::asio::awaitable<AccrualReply> Check(const std::string& number);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gm::infra::accrual
