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

}  // namespace gm::assets
