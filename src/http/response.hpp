#pragma once

// Building responses: every one carries `Server: schemad` and
// `Cache-Control: no-store` (probes and status must never be cached).

#include <boost/beast/http/status.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "http/server.hpp"

namespace schemad::http {

// `body` serialised, Content-Type application/json.
Response json_response(boost::beast::http::status status, const nlohmann::json& body);

// {"error": message}.
Response error_response(boost::beast::http::status status, const std::string& message);

Response text_response(boost::beast::http::status status, std::string body,
                       const std::string& content_type);

}  // namespace schemad::http
