#pragma once

// Feeding a Beast HTTP parser (a request's or a response's) from a buffer,
// apart from the socket: the caller reads, these decide what the bytes
// mean. The server's sessions read requests this way and the accrual
// client reads replies this way, rather than through beast::http::read,
// because of one guard Beast 1.81 lacks (below); the fuzzing harnesses
// drive the same steps with bytes.

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <string_view>

namespace gm::infra::http {

// Beast 1.81's parser fails an assertion (where assertions are compiled in:
// the Debug presets, so the service tests' binaries) when an empty chunked
// body's last chunk arrives as "0\r\n" and then a single byte: it assumes
// at least 5 bytes on the next call (boostorg/beast#2861, fixed upstream
// in 2024; found by tests/fuzz/http_request). These 4 bytes cannot end the
// message ("0\r\n\r\n" is 5), so they wait for more instead, as the
// parser would have them do.
template <bool isRequest>
bool FinalChunkNeedsMore(const boost::beast::http::basic_parser<isRequest>& parser,
                         const boost::beast::flat_buffer& buffer) {
  if (!parser.is_header_done() || !parser.chunked() || buffer.size() != 4) return false;
  return std::string_view(static_cast<const char*>(buffer.data().data()), 3) == "0\r\n";
}

// Feeds `parser` what `buffer` holds. Returns true when the parser needs
// more bytes than that to finish the header (or, with `whole`, the message).
template <bool isRequest>
bool NeedsMoreBytes(boost::beast::http::basic_parser<isRequest>& parser, boost::beast::flat_buffer& buffer, bool whole,
                    boost::beast::error_code& error) {
  while (!(whole ? parser.is_done() : parser.is_header_done())) {
    if (buffer.size() == 0 || FinalChunkNeedsMore(parser, buffer)) return true;
    const std::size_t used = parser.put(buffer.data(), error);
    buffer.consume(used);
    if (error == boost::beast::http::error::need_more) {
      error = {};
      return true;
    }
    if (error) return false;
    if (used == 0) return true;
  }
  return false;
}

// Takes the outcome of one read of `bytes` into `buffer.prepare(...)`; the
// end of the stream is an error unless it completes the message
// (beast::http::read_some's rules).
template <bool isRequest>
void TakeRead(boost::beast::http::basic_parser<isRequest>& parser, boost::beast::flat_buffer& buffer,
              boost::beast::error_code read_error, std::size_t bytes, bool deadline_expired,
              boost::beast::error_code& error) {
  if (read_error == boost::asio::error::eof) {
    if (!parser.got_some()) {
      error = boost::beast::http::error::end_of_stream;
      return;
    }
    parser.put_eof(error);
    return;
  }
  if (read_error) {
    error = deadline_expired ? boost::beast::error::timeout : read_error;
    return;
  }
  buffer.commit(bytes);
}

}  // namespace gm::infra::http
