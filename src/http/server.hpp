#pragma once

// The daemon's HTTP/1.1 listener (Boost.Beast): a listener accepting
// connections and a session per connection reading one request at a time,
// each async step a do_/on_ pair, as in Beast's example/advanced/server.
//
// Defensive limits, per connection:
// - a whole request (headers and body) must arrive within read_timeout,
//   counted from the start of its read: a client trickling header bytes
//   (slowloris) is cut off, and so is a keep-alive connection idle that long;
// - a response must be taken within write_timeout;
// - headers over header_limit are answered 431, a body over body_limit
//   (declared or received) 413, any other malformed request 400; each of
//   these closes the connection;
// - at most max_connections sessions serve requests at once. When a
//   connection arrives at capacity, the session that has waited longest for
//   a request that has not arrived whole (a client that sent nothing, or
//   trickles, or a keep-alive connection between requests) is closed to make
//   room: idle or slow clients, however many, cannot keep a health check
//   out, and a client that sends its request at once is served. Only when
//   every session is busy with a request is the new connection answered
//   "503 Service Unavailable" with `Retry-After: 1` and `Connection: close`
//   at once, without reading its request, then closed. At most
//   max_connections such refusals are under way at a time; beyond that a new
//   connection is closed without an answer.
// - empty lines before a request line are ignored (RFC 9112 2.2).
//
// Whenever the server closes a connection after answering (an error above,
// `Connection: close`, HTTP/1.0 without keep-alive), it half-closes, then
// reads and discards what the client still sends for up to a second (64 KiB
// at most) before closing, so that the client reads the answer instead of a
// connection reset.
//
// HEAD: the handler answers as for GET; the server sends the headers with the
// Content-Length of that body, and no body. Every response gets the request's
// HTTP version, `Server: schemad` unless the handler set one, and a
// Content-Length; the connection is kept open unless the request or the
// handler's response says `Connection: close` (or HTTP/1.0 without keep-alive).
//
// Threading: the io_context must be run by a single thread; every member
// function, and every call of the handler, happens on it (or before run()
// starts, or after it returned). The handler must be fast and must not block:
// it reads a published snapshot. An exception thrown by the handler is logged
// and answered 500. stats() alone may be called from any thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace schemad::http {

using Request = boost::beast::http::request<boost::beast::http::string_body>;
using Response = boost::beast::http::response<boost::beast::http::string_body>;
using Handler = std::function<Response(const Request&)>;

struct ServerOptions {
  std::string listen = "127.0.0.1:9432";  // see parse_listen_address()
  std::size_t max_connections = 64;
  std::size_t header_limit = 8 * 1024;  // bytes of request line and headers
  std::size_t body_limit = 16 * 1024;   // bytes of request body
  std::chrono::seconds read_timeout{10};
  std::chrono::seconds write_timeout{10};
};

// Counters since construction, for tests and diagnostics (no metric reads
// them yet).
struct ServerStats {
  std::size_t open_connections = 0;        // sessions serving requests now
  std::uint64_t accepted_total = 0;        // connections accepted, refused ones included
  std::uint64_t refused_total = 0;         // connections over max_connections
  std::uint64_t evicted_total = 0;         // waiting sessions closed to make room
  std::uint64_t requests_total = 0;        // requests passed to the handler
  std::uint64_t handler_errors_total = 0;  // handler exceptions (answered 500)
  std::uint64_t bad_requests_total = 0;    // answered 400, 413 or 431
  std::uint64_t timeouts_total = 0;        // connections cut off by a timeout
};

namespace detail {
struct Shared;
class Listener;
}  // namespace detail

class Server {
 public:
  // Throws std::invalid_argument when `handler` is empty or a limit is 0.
  // `io` must outlive the server and every handler the server queued on it.
  Server(boost::asio::io_context& io, ServerOptions options, Handler handler);
  // Stops the server (see stop()).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens on options.listen, then accepts connections as the
  // io_context runs. Throws std::invalid_argument for a malformed listen
  // address, std::system_error when resolving or binding fails, with the
  // address in the message ("cannot listen on 127.0.0.1:9432: Address
  // already in use"), std::logic_error when called twice.
  void start();

  // The bound address, with the port the system chose for port 0.
  // Precondition: start() succeeded.
  boost::asio::ip::tcp::endpoint local_endpoint() const;

  // Closes the listening socket and every connection, without waiting for
  // requests in progress; nothing more is queued on the io_context after the
  // cancelled operations complete, so run() returns once the rest of the
  // program is done with it. Idempotent; the server cannot start again.
  void stop();

  ServerStats stats() const;

 private:
  boost::asio::io_context& io_;
  std::shared_ptr<detail::Shared> shared_;
  std::shared_ptr<detail::Listener> listener_;
};

}  // namespace schemad::http
