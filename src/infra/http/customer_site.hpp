#pragma once

#include "infra/http/router.hpp"

namespace gm::infra::http {

// The customer web page on the API listener, at `/`, with its script, styles
// and the two packages it uses (Pico CSS, uPlot), all from the binary: same
// origin as the API, so the HttpOnly cookie is the session.
class CustomerSite {
 public:
  static void AddRoutes(Router& router);
  // What the page may load and do: its own files, the API, nothing else.
  static constexpr const char* kContentSecurityPolicy =
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
      "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
};

}  // namespace gm::infra::http
