#pragma once

#include <string_view>

// Files linked into the binaries at build time (cmake/EmbedFile.cmake).
namespace gm::assets {

std::string_view OpenapiYaml();
std::string_view OpenapiJson();
std::string_view AccrualOpenapiYaml();
std::string_view AccrualOpenapiJson();
std::string_view DocsIndexHtml();
std::string_view DocsIndexJs();
std::string_view SwaggerUiBundleJs();
std::string_view SwaggerUiCss();
std::string_view SiteIndexHtml();
std::string_view SiteAppJs();
std::string_view SiteAppCss();
std::string_view PicoCss();
std::string_view UplotJs();
std::string_view UplotCss();

}  // namespace gm::assets
