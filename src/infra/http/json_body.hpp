#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string_view>

#include "domain/result.hpp"
#include "infra/http/request.hpp"

namespace gm::infra::http {

// An endpoint that takes `expected` also accepts a request with no
// Content-Type at all; anything else is 415.
std::optional<HttpResponse> RequireMediaType(const HttpRequest& request, std::string_view expected);

// The body as a JSON object (valid UTF-8, nesting at most 8 deep), or the
// 400/415 answer saying why not.
domain::Result<boost::json::object, HttpResponse> ParseJsonObject(const HttpRequest& request);

// The field if it is a JSON string, else null.
const boost::json::string* StringField(const boost::json::object& object, std::string_view key);

}  // namespace gm::infra::http
