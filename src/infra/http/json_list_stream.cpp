#include "infra/http/json_list_stream.hpp"

namespace gm::infra::http {

boost::asio::awaitable<std::string> JsonListStream::Next() {
  std::string piece;
  switch (where_) {
    case Where::kEnded:
      co_return piece;
    case Where::kFirst:
      piece = '[' + std::move(page_.items);
      break;
    case Where::kMore:
      // A page comes back empty only after one that was full to the last row.
      while (piece.empty() && page_.next != 0) {
        auto page = co_await fetch_(page_.next);
        if (!page.items.empty()) piece = ',' + std::move(page.items);
        page_ = std::move(page);
      }
      break;
  }
  where_ = page_.next == 0 ? Where::kEnded : Where::kMore;
  if (where_ == Where::kEnded) piece += ']';
  co_return piece;
}

}  // namespace gm::infra::http
