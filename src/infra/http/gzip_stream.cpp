#include "infra/http/gzip_stream.hpp"

#include <zlib.h>

#include <stdexcept>

namespace gm::infra::http {

struct GzipStream::State {
  z_stream zlib{};
};

GzipStream::GzipStream() : state_(std::make_unique<State>()) {
  constexpr int kGzipWindowBits = 15 + 16;  // 16: gzip wrapper instead of zlib
  if (deflateInit2(&state_->zlib, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) !=
      Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
}

GzipStream::~GzipStream() { deflateEnd(&state_->zlib); }

std::string GzipStream::Piece(std::string_view plain) { return Deflate(plain, Z_SYNC_FLUSH); }

std::string GzipStream::Finish() { return Deflate({}, Z_FINISH); }

std::string GzipStream::Deflate(std::string_view plain, int flush) {
  z_stream& zlib = state_->zlib;
  zlib.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(plain.data()));
  zlib.avail_in = static_cast<uInt>(plain.size());
  // Room for the whole piece compressed in one go, as a rule; more when not.
  std::string out(deflateBound(&zlib, static_cast<uLong>(plain.size())) + 64, '\0');
  std::size_t used = 0;
  for (;;) {
    zlib.next_out = reinterpret_cast<Bytef*>(out.data() + used);
    zlib.avail_out = static_cast<uInt>(out.size() - used);
    const int rc = deflate(&zlib, flush);
    used = out.size() - zlib.avail_out;
    if (rc == Z_STREAM_ERROR) throw std::runtime_error("zlib: deflate failed");
    const bool done = flush == Z_FINISH ? rc == Z_STREAM_END : zlib.avail_in == 0 && zlib.avail_out > 0;
    if (done) break;
    out.resize(out.size() * 2);
  }
  out.resize(used);
  return out;
}

}  // namespace gm::infra::http
