#include "infra/http/customer_site.hpp"

#include "infra/http/docs/assets.hpp"

namespace gm::infra::http {

void CustomerSite::AddRoutes(Router& router) {
  const auto get = [&router](std::string path, std::string_view content_type, std::string_view (*body)()) {
    router.Add({"GET", std::move(path), Lane::kInline, false, [content_type, body](const HttpRequest&, const std::string&) {
                  return HttpResponse::Asset(content_type, body());
                }});
  };
  router.Add({"GET", "/", Lane::kInline, false, [](const HttpRequest&, const std::string&) {
                auto page = HttpResponse::Asset("text/html; charset=utf-8", assets::SiteIndexHtml());
                page.headers.emplace_back("Content-Security-Policy", kContentSecurityPolicy);
                page.headers.emplace_back("X-Frame-Options", "DENY");
                page.headers.emplace_back("Referrer-Policy", "no-referrer");
                return page;
              }});
  constexpr std::string_view kScript = "text/javascript; charset=utf-8";
  constexpr std::string_view kStyle = "text/css; charset=utf-8";
  get("/app/app.js", kScript, assets::SiteAppJs);
  get("/app/app.css", kStyle, assets::SiteAppCss);
  get("/app/pico.min.css", kStyle, assets::PicoCss);
  get("/app/uplot.js", kScript, assets::UplotJs);
  get("/app/uplot.min.css", kStyle, assets::UplotCss);
}

}  // namespace gm::infra::http
