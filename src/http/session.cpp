#include "http/session.hpp"

#include <spdlog/spdlog.h>
#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdint>
#include <exception>
#include <limits>

#include "http/response.hpp"

namespace schemad::http::detail {

namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
namespace net = boost::asio;

namespace {

// How long, and how much, a closing connection is drained (see server.hpp).
constexpr std::chrono::seconds kLingerTime{1};
constexpr std::size_t kLingerBytes = 64 * 1024;

bool is_http_error(const beast::error_code& ec) {
  return ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category();
}

std::uint32_t clamp_to_u32(std::size_t value) {
  return static_cast<std::uint32_t>(
      std::min<std::size_t>(value, std::numeric_limits<std::uint32_t>::max()));
}

}  // namespace

Session::Session(net::ip::tcp::socket socket, std::shared_ptr<Shared> shared, Mode mode)
    : shared_(std::move(shared)), mode_(mode), stream_(std::move(socket)) {
  if (mode_ == Mode::serve) {
    ++shared_->serving;
    ++shared_->open_connections;
  } else {
    ++shared_->refusing;
  }
}

Session::~Session() {
  shared_->sessions.erase(this);
  if (mode_ == Mode::serve && !evicted_) {
    --shared_->serving;
    --shared_->open_connections;
  } else {
    --shared_->refusing;
  }
}

void Session::start() {
  shared_->sessions.emplace(this, weak_from_this());
  if (mode_ == Mode::refuse) {
    auto response = error_response(beast_http::status::service_unavailable, "too many connections");
    response.set(beast_http::field::retry_after, "1");
    return do_write(std::move(response), true);
  }
  do_read();
}

void Session::close() {
  stream_.close();
}

std::optional<std::chrono::steady_clock::time_point> Session::waiting_since() const {
  if (mode_ != Mode::serve || evicted_) return std::nullopt;
  return waiting_since_;
}

bool Session::evict() {
  if (!waiting_since()) return false;
  evicted_ = true;
  --shared_->serving;
  --shared_->open_connections;
  ++shared_->evicted_total;
  close();
  return true;
}

void Session::do_read() {
  if (shared_->stopped) return close();
  // A fresh parser per request: the limits apply to each request.
  parser_.emplace();
  parser_->header_limit(clamp_to_u32(shared_->options.header_limit));
  parser_->body_limit(std::uint64_t{shared_->options.body_limit});
  // One deadline for the whole request, not per read: a slow trickle of
  // bytes does not extend it.
  stream_.expires_after(shared_->options.read_timeout);
  waiting_since_ = std::chrono::steady_clock::now();
  skip_empty_lines();
}

// RFC 9112 2.2: a server SHOULD ignore empty lines received before a
// request-line. They are consumed here, then Beast's parser reads the
// request from its first byte.
void Session::skip_empty_lines() {
  const auto* bytes = static_cast<const char*>(buffer_.data().data());
  std::size_t empty = 0;
  while (empty < buffer_.size() && (bytes[empty] == '\r' || bytes[empty] == '\n')) ++empty;
  buffer_.consume(empty);
  if (buffer_.size() == 0) {
    return stream_.async_read_some(
        buffer_.prepare(1024),
        beast::bind_front_handler(&Session::on_read_some, shared_from_this()));
  }
  beast_http::async_read(stream_, buffer_, *parser_,
                         beast::bind_front_handler(&Session::on_read, shared_from_this()));
}

void Session::on_read_some(beast::error_code ec, std::size_t bytes) {
  if (ec) return on_read(ec, 0);
  buffer_.commit(bytes);
  skip_empty_lines();
}

void Session::on_read(beast::error_code ec, std::size_t) {
  waiting_since_.reset();
  if (!ec) return handle(parser_->release());
  if (ec == beast::error::timeout) {
    ++shared_->timeouts_total;
    spdlog::debug("http: request not received within {} s, connection closed",
                  shared_->options.read_timeout.count());
    return close();
  }
  if (ec == beast_http::error::end_of_stream || ec == beast_http::error::partial_message ||
      !is_http_error(ec) || shared_->stopped) {
    return close();
  }
  ++shared_->bad_requests_total;
  spdlog::debug("http: bad request: {}", ec.message());
  if (ec == beast_http::error::header_limit || ec == beast_http::error::buffer_overflow) {
    return do_write(error_response(beast_http::status::request_header_fields_too_large,
                                   "request headers too large"),
                    true);
  }
  if (ec == beast_http::error::body_limit) {
    return do_write(error_response(beast_http::status::payload_too_large, "request body too large"),
                    true);
  }
  do_write(error_response(beast_http::status::bad_request, "malformed request"), true);
}

void Session::handle(Request request) {
  if (shared_->stopped) return close();
  ++shared_->requests_total;
  Response response;
  try {
    response = shared_->handler(request);
  } catch (const std::exception& e) {
    ++shared_->handler_errors_total;
    spdlog::error("http: {} {} failed: {}", std::string(request.method_string()),
                  std::string(request.target()), e.what());
    response = error_response(beast_http::status::internal_server_error, "internal error");
  } catch (...) {
    ++shared_->handler_errors_total;
    spdlog::error("http: {} {} failed: unknown exception", std::string(request.method_string()),
                  std::string(request.target()));
    response = error_response(beast_http::status::internal_server_error, "internal error");
  }
  // A handler may ask to close (`Connection: close`); read before the
  // version changes what keep_alive() means.
  const bool close_after = !request.keep_alive() || !response.keep_alive();
  response.version(request.version());
  if (response.find(beast_http::field::server) == response.end()) {
    response.set(beast_http::field::server, "schemad");
  }
  if (request.method() == beast_http::verb::head) {
    // The headers of the GET answer, its length included, without its body.
    const auto length = response.body().size();
    response.body().clear();
    response.content_length(length);
  } else {
    response.prepare_payload();
  }
  do_write(std::move(response), close_after);
}

void Session::do_write(Response response, bool close_after) {
  response.keep_alive(!close_after);
  response_ = std::move(response);
  stream_.expires_after(shared_->options.write_timeout);
  beast_http::async_write(
      stream_, response_,
      beast::bind_front_handler(&Session::on_write, shared_from_this(), close_after));
}

void Session::on_write(bool close_after, beast::error_code ec, std::size_t) {
  if (ec == beast::error::timeout) ++shared_->timeouts_total;
  if (ec) return close();
  if (close_after) return do_linger();
  do_read();
}

void Session::do_linger() {
  beast::error_code ec;
  stream_.socket().shutdown(net::ip::tcp::socket::shutdown_send, ec);
  if (ec || shared_->stopped) return close();
  stream_.expires_after(std::min<std::chrono::seconds>(kLingerTime, shared_->options.read_timeout));
  drained_ = 0;
  do_drain();
}

void Session::do_drain() {
  stream_.async_read_some(net::buffer(drain_buffer_),
                          beast::bind_front_handler(&Session::on_drain, shared_from_this()));
}

void Session::on_drain(beast::error_code ec, std::size_t bytes) {
  drained_ += bytes;
  // Any error ends it: end of stream (the client closed), timeout, stop().
  if (ec || drained_ >= kLingerBytes) return close();
  do_drain();
}

}  // namespace schemad::http::detail
