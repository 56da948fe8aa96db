#include "infra/http/docs_site.hpp"

#include <algorithm>

#include "infra/http/docs/assets.hpp"

namespace gm::infra::http {
namespace {

HttpResponse Asset(std::string_view content_type, std::string_view body) {
  HttpResponse response{200, std::string(content_type), std::string(body), {}};
  response.headers.emplace_back("Cache-Control", "no-cache");
  return response;
}

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

std::string DocsSite::ServedDocument(std::string_view text, const HttpRequest& request) const {
  const std::string server = "http://" + HostOf(request.Header("host").value_or("")) + ":" + std::to_string(api_port_);
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
  get("/", [](const HttpRequest&, const std::string&) {
    return Asset("text/html; charset=utf-8", assets::DocsIndexHtml());
  });
  get("/openapi.yaml", [this](const HttpRequest& request, const std::string&) {
    return Asset("application/yaml", ServedDocument(document_.yaml, request));
  });
  get("/openapi.json", [this](const HttpRequest& request, const std::string&) {
    return Asset("application/json", ServedDocument(document_.json, request));
  });
  get("/swagger-ui/swagger-ui-bundle.js", [](const HttpRequest&, const std::string&) {
    return Asset("text/javascript; charset=utf-8", assets::SwaggerUiBundleJs());
  });
  get("/swagger-ui/swagger-ui.css",
      [](const HttpRequest&, const std::string&) { return Asset("text/css; charset=utf-8", assets::SwaggerUiCss()); });
}

}  // namespace gm::infra::http
