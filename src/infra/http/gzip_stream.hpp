#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace gm::infra::http {

// One gzip member written piece by piece, for a body sent as it is made:
// each piece's bytes come out at once (flushed to a byte boundary), so the
// client inflates what it has as it arrives; Finish adds the trailer.
// Holds zlib's deflate state (about 270 KiB) while it lives.
class GzipStream {
 public:
  GzipStream();
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  std::string Piece(std::string_view plain);
  std::string Finish();

 private:
  struct State;
  std::string Deflate(std::string_view plain, int flush);

  std::unique_ptr<State> state_;
};

}  // namespace gm::infra::http
