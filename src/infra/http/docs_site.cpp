#include "infra/http/docs_site.hpp"

#include <algorithm>

#include "infra/http/docs/assets.hpp"

namespace gm::infra::http {
namespace {

bool IsHostChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
}

}  // namespace

std::string HostOf(std::string_view host_header) {
  std::string_view host = host_header;
  if (host.starts_with('[')) {
    const auto close = host.find(']');
    if (close == std::string_view::npos) return "localhost";
    const std::string_view inside = host.substr(1, close - 1);
    if (inside.empty() || inside.find_first_not_of("0123456789abcdefABCDEF:.") != std::string_view::npos) {
      return "localhost";
    }
    return std::string("[").append(inside).append("]");
  }
  host = host.substr(0, host.find(':'));
  if (host.empty() || !std::all_of(host.begin(), host.end(), IsHostChar)) return "localhost";
  return std::string(host);
}

std::string DocsSite::ApiOrigin(const HttpRequest& request) const {
  return "http://" + HostOf(request.Header("host").value_or("")) + ":" + std::to_string(api_port_);
}

std::string DocsSite::ServedDocument(std::string_view text, const HttpRequest& request) const {
  const std::string server = ApiOrigin(request);
  std::string served(text);
  for (auto at = served.find(document_.written_server); at != std::string::npos;
       at = served.find(document_.written_server, at + server.size())) {
    served.replace(at, document_.written_server.size(), server);
  }
  return served;
}

void DocsSite::AddRoutes(Router& router) const {
  const auto get = [&router](std::string path, Handler handler) {
    router.Add({"GET", std::move(path), Lane::kDatabase, false, std::move(handler)});
  };
  get("/", [this](const HttpRequest& request, const std::string&) {
    auto page = HttpResponse::Asset("text/html; charset=utf-8", assets::DocsIndexHtml());
    // Only our own files run and style the page (no inline script or style:
    // the browser test fails on any refusal); "Try it out" may call the
    // API's origin and nothing else; no other site may frame the page.
    // Swagger UI draws its icons from data: URLs.
    page.headers.emplace_back("Content-Security-Policy",
                              "default-src 'none'; script-src 'self'; style-src 'self'; "
                              "img-src 'self' data:; font-src 'self'; connect-src 'self' " +
                                  ApiOrigin(request) +
                                  "; frame-ancestors 'none'; base-uri 'none'; form-action 'none'");
    page.headers.emplace_back("X-Frame-Options", "DENY");
    page.headers.emplace_back("Referrer-Policy", "no-referrer");
    return page;
  });
  get("/index.js", [](const HttpRequest&, const std::string&) {
    return HttpResponse::Asset("text/javascript; charset=utf-8", assets::DocsIndexJs());
  });
  get("/openapi.yaml", [this](const HttpRequest& request, const std::string&) {
    return HttpResponse::Asset("application/yaml", ServedDocument(document_.yaml, request));
  });
  get("/openapi.json", [this](const HttpRequest& request, const std::string&) {
    return HttpResponse::Asset("application/json", ServedDocument(document_.json, request));
  });
  get("/swagger-ui/swagger-ui-bundle.js", [](const HttpRequest&, const std::string&) {
    return HttpResponse::Asset("text/javascript; charset=utf-8", assets::SwaggerUiBundleJs());
  });
  get("/swagger-ui/swagger-ui.css",
      [](const HttpRequest&, const std::string&) {
        return HttpResponse::Asset("text/css; charset=utf-8", assets::SwaggerUiCss());
      });
}

}  // namespace gm::infra::http
