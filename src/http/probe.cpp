#include "http/probe.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

namespace schemad::http {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = net::ip::tcp;

HttpUrl parse_http_url(const std::string& url) {
  const std::string scheme = "http://";
  if (url.rfind(scheme, 0) != 0) {
    throw std::invalid_argument("probe URL \"" + url + "\": must start with http://");
  }
  const std::string rest = url.substr(scheme.size());
  const auto slash = rest.find_first_of("/?");
  std::string authority = rest.substr(0, slash);
  HttpUrl out;
  out.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (out.target.front() == '?') out.target = "/" + out.target;
  if (authority.find('@') != std::string::npos) {
    throw std::invalid_argument("probe URL \"" + url + "\": user information is not supported");
  }
  std::string port;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string::npos) {
      throw std::invalid_argument("probe URL \"" + url + "\": unclosed [ in the host");
    }
    out.host = authority.substr(1, close - 1);
    const std::string after = authority.substr(close + 1);
    if (!after.empty() && after.front() != ':') {
      throw std::invalid_argument("probe URL \"" + url + "\": unexpected text after the host");
    }
    if (!after.empty()) port = after.substr(1);
  } else {
    const auto colon = authority.rfind(':');
    out.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (out.host.empty()) throw std::invalid_argument("probe URL \"" + url + "\": no host");
  if (port.empty()) port = "80";
  const bool digits = port.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || port.size() > 5 || std::stoi(port) == 0 || std::stoi(port) > 65535) {
    throw std::invalid_argument("probe URL \"" + url + "\": port must be 1 to 65535");
  }
  out.port = port;
  return out;
}

ProbeResult probe_url(const HttpUrl& url, std::chrono::milliseconds timeout) {
  ProbeResult result;
  try {
    net::io_context io;
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(url.host, url.port));
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, url.target, 11};
    req.set(bhttp::field::host, url.host);
    req.set(bhttp::field::user_agent, "schemad-probe");
    req.set(bhttp::field::connection, "close");
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024);
    bhttp::read(stream, buffer, parser);
    const auto& res = parser.get();
    result.status = static_cast<int>(res.result_int());
    result.ok = result.status >= 200 && result.status < 300;
    result.message = std::to_string(result.status) + " " + std::string(res.reason());
    if (!result.ok && !res.body().empty()) result.message += ": " + res.body();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  } catch (const std::exception& e) {
    result.ok = false;
    result.status = 0;
    result.message = std::string("no answer: ") + e.what();
  }
  return result;
}

}  // namespace schemad::http
