#include "infra/http/json_list_stream.hpp"

namespace gm::infra::http {

boost::asio::awaitable<std::string> JsonListStream::Next() {
  std::string piece;
  switch (where_) {
    case Where::kEnded:
      co_return piece;
    case Where::kFirst:
      piece = '[' + std::move(page_.items);
      any_items_ = piece.size() > 1;
      break;
    case Where::kMore:
      // A page may have no items (after one full to its last row, or of
      // a stream with nothing to list in it): then the next one is asked.
      while (piece.empty() && !page_.next.empty()) {
        auto page = co_await fetch_(page_.next);
        if (!page.items.empty()) piece = (any_items_ ? "," : "") + std::move(page.items);
        any_items_ = any_items_ || !piece.empty();
        page_ = std::move(page);
      }
      break;
  }
  where_ = page_.next.empty() ? Where::kEnded : Where::kMore;
  if (where_ == Where::kEnded) piece += ']';
  co_return piece;
}

}  // namespace gm::infra::http
