#include "http/response.hpp"

namespace schemad::http {

namespace beast_http = boost::beast::http;

Response text_response(beast_http::status status, std::string body,
                       const std::string& content_type) {
  Response response{status, 11};
  response.set(beast_http::field::server, "schemad");
  response.set(beast_http::field::cache_control, "no-store");
  response.set(beast_http::field::content_type, content_type);
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response json_response(beast_http::status status, const nlohmann::json& body) {
  // Replace invalid UTF-8 rather than throw: an error text may quote anything.
  return text_response(status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
                       "application/json");
}

Response error_response(beast_http::status status, const std::string& message) {
  return json_response(status, {{"error", message}});
}

}  // namespace schemad::http
