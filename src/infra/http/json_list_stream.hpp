#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <string>

#include "infra/http/response_stream.hpp"

namespace gm::infra::http {

// A JSON array answered a page at a time (HttpResponse::stream), so that
// a list of any length holds one page in memory: '[' and the first page's
// items, then each next page's as the server asks for them, then ']'.
class JsonListStream final : public ResponseStream {
 public:
  struct Page {
    std::string items;      // rendered, joined by commas, without brackets
    std::string next;   // where the page after it starts; empty: none
  };
  using Fetch = std::function<boost::asio::awaitable<Page>(std::string next)>;

  JsonListStream(Page first, Fetch fetch) : page_(std::move(first)), fetch_(std::move(fetch)) {}

  boost::asio::awaitable<std::string> Next() override;
  [[nodiscard]] bool Endless() const override { return false; }

 private:
  enum class Where { kFirst, kMore, kEnded };

  Page page_;
  Fetch fetch_;
  Where where_ = Where::kFirst;
  bool any_items_ = false;  // sent already: the next ones follow a comma
};

}  // namespace gm::infra::http
