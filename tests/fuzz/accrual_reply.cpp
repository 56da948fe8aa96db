// The accrual system's replies: bytes from a remote server, read as the
// accrual client reads them (Beast's response parser with the client's
// 64 KiB body limit, fed as src/infra/accrual/accrual_client.cpp feeds it) and interpreted
// by InterpretReply (status, Retry-After, the JSON body, the 429 text).
//
// Input: the bytes of one HTTP response, as the server sends them.
//
// Checked: no crash, leak or undefined behaviour; a result's accrual is
// within 0 and the limit; a rate limit pauses for 0
// to 3600 s and quotes a positive rate if any; the same reply is
// interpreted the same at another time unless it carries a date.
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_check.hpp"
#include "infra/accrual/accrual_reply.hpp"
#include "infra/http/parser_feeding.hpp"

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using gm::infra::accrual::AccrualReply;

constexpr std::size_t kMaxReplyBytes = 64 * 1024;  // the client's body limit
// The order the client asked about (the seeds' replies name it).
const std::string kOrder = "12345678903";
constexpr std::time_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z

void Check(const AccrualReply& reply) {
  switch (reply.kind) {
    case AccrualReply::Kind::kResult:
      GM_FUZZ_CHECK(reply.accrual.hundredths >= 0 && reply.accrual.hundredths <= gm::domain::kMaxPointsHundredths);
      break;
    case AccrualReply::Kind::kRateLimited:
      GM_FUZZ_CHECK(reply.retry_after.count() >= 0 && reply.retry_after.count() <= 3600);
      GM_FUZZ_CHECK(!reply.requests_per_minute || *reply.requests_per_minute > 0);
      break;
    case AccrualReply::Kind::kNotRegistered:
      break;
    case AccrualReply::Kind::kFault:
      GM_FUZZ_CHECK(!reply.fault.empty());
      break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  beast::flat_buffer buffer;
  const auto space = buffer.prepare(size);
  if (size > 0) std::memcpy(space.data(), data, size);
  buffer.commit(size);

  // The client's steps (parser_feeding.hpp) over a stream that holds these
  // bytes and then ends.
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxReplyBytes);
  beast::error_code error;
  while (!error && gm::infra::http::NeedsMoreBytes(parser, buffer, /*whole=*/true, error)) {
    gm::infra::http::TakeRead(parser, buffer, boost::asio::error::eof, 0, false, error);
  }
  if (error) return 0;
  GM_FUZZ_CHECK(parser.is_done());
  const auto& response = parser.get();
  GM_FUZZ_CHECK(response.body().size() <= kMaxReplyBytes);
  const std::string retry_after(response[bhttp::field::retry_after]);
  const auto status = static_cast<unsigned>(response.result_int());
  const AccrualReply reply = gm::infra::accrual::InterpretReply(status, retry_after, response.body(), kOrder, kNow);
  Check(reply);
  // Only an HTTP date in Retry-After depends on the time.
  const AccrualReply later =
      gm::infra::accrual::InterpretReply(status, retry_after, response.body(), kOrder, kNow + 86'400);
  GM_FUZZ_CHECK(later.kind == reply.kind && later.status == reply.status && later.accrual == reply.accrual &&
                later.requests_per_minute == reply.requests_per_minute && later.fault == reply.fault);
  if (later.retry_after != reply.retry_after) GM_FUZZ_CHECK(later.retry_after <= reply.retry_after);
  return 0;
}
