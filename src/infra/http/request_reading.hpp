#pragma once

// How HttpServer's sessions read a request, apart from the socket: Beast's
// parser fed from the connection's buffer (parser_feeding.hpp), the message
// turned into an HttpRequest, and its Content-Encoding undone. server.cpp
// drives these with its reads; the fuzzing harness (tests/fuzz/http_request)
// drives them with bytes. Beast's headers come with this one: include it only where a
// request is read.

#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "infra/http/parser_feeding.hpp"
#include "infra/http/request.hpp"

namespace gm::infra::http {

// A request's line and headers may take this many bytes; more is 431.
inline constexpr std::size_t kMaxHeaderBytes = 16 * 1024;

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// The parsed message as the handlers see it (header names in lower case).
HttpRequest ToRequest(boost::beast::http::request<boost::beast::http::string_body>&& message,
                      const std::string& remote);

// Undoes Content-Encoding; nothing when the body is usable as it is, else
// the answer refusing it (415, or 400/413 for a corrupt or too large gzip).
std::optional<HttpResponse> DecodeBody(HttpRequest& request, std::size_t max_decoded_bytes);

}  // namespace gm::infra::http
