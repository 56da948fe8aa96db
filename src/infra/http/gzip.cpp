#include "infra/http/gzip.hpp"

#include <zlib.h>

#include <stdexcept>

namespace gm::infra::http {
namespace {

constexpr int kGzipWindowBits = 15 + 16;  // 16: gzip wrapper instead of zlib
constexpr std::size_t kChunkBytes = 16 * 1024;

Bytef* In(std::string_view text) { return reinterpret_cast<Bytef*>(const_cast<char*>(text.data())); }

}  // namespace

domain::Result<std::string, GunzipError> Gunzip(std::string_view compressed, std::size_t max_output_bytes) {
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) throw std::runtime_error("zlib: inflateInit2 failed");
  stream.next_in = In(compressed);
  stream.avail_in = static_cast<uInt>(compressed.size());
  std::string output;
  char chunk[kChunkBytes];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof chunk;
    rc = inflate(&stream, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) {
      inflateEnd(&stream);
      return GunzipError::kCorrupt;
    }
    const std::size_t produced = sizeof chunk - stream.avail_out;
    if (output.size() + produced > max_output_bytes) {
      inflateEnd(&stream);
      return GunzipError::kTooLarge;
    }
    output.append(chunk, produced);
    if (rc == Z_OK && produced == 0 && stream.avail_in == 0) {
      inflateEnd(&stream);
      return GunzipError::kCorrupt;  // input ended before the gzip trailer
    }
  }
  inflateEnd(&stream);
  return output;
}

std::string Gzip(std::string_view plain) {
  z_stream stream{};
  if (deflateInit2(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    throw std::runtime_error("zlib: deflateInit2 failed");
  }
  std::string output(deflateBound(&stream, static_cast<uLong>(plain.size())), '\0');
  stream.next_in = In(plain);
  stream.avail_in = static_cast<uInt>(plain.size());
  stream.next_out = reinterpret_cast<Bytef*>(output.data());
  stream.avail_out = static_cast<uInt>(output.size());
  const int rc = deflate(&stream, Z_FINISH);
  deflateEnd(&stream);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: deflate did not finish");
  output.resize(stream.total_out);
  return output;
}

}  // namespace gm::infra::http
