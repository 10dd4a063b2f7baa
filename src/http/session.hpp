#pragma once

// Internal to src/http: one accepted connection, and what the listener and
// all sessions share. See server.hpp for the behaviour.

#include <array>
#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <unordered_map>

#include "http/server.hpp"

namespace schemad::http::detail {

class Session;

// Owned jointly by the Server, its listener and every session, so that
// completion handlers still queued after the Server is gone find it alive.
// Touched only on the io_context's thread, but for the counters.
struct Shared {
  Shared(ServerOptions o, Handler h) : options(std::move(o)), handler(std::move(h)) {}

  const ServerOptions options;
  const Handler handler;
  bool stopped = false;
  std::size_t serving = 0;   // sessions counted against max_connections (evicted ones not)
  std::size_t refusing = 0;  // sessions answering 503
  std::unordered_map<const Session*, std::weak_ptr<Session>> sessions;

  std::atomic<std::size_t> open_connections{0};
  std::atomic<std::uint64_t> accepted_total{0};
  std::atomic<std::uint64_t> refused_total{0};
  std::atomic<std::uint64_t> evicted_total{0};
  std::atomic<std::uint64_t> requests_total{0};
  std::atomic<std::uint64_t> handler_errors_total{0};
  std::atomic<std::uint64_t> bad_requests_total{0};
  std::atomic<std::uint64_t> timeouts_total{0};
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  enum class Mode { serve, refuse };

  // Counts itself in `shared` (serving or refusing) until destroyed.
  Session(boost::asio::ip::tcp::socket socket, std::shared_ptr<Shared> shared, Mode mode);
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Registers the session and starts reading (serve) or answering 503 (refuse).
  void start();
  // Closes the socket; pending operations complete as cancelled.
  void close();

  // Since when the session waits for a request that has not arrived whole
  // (a new connection, or a keep-alive one between requests); nullopt while
  // it handles or answers one, and for refusing or evicted sessions.
  std::optional<std::chrono::steady_clock::time_point> waiting_since() const;

  // Gives up its place to a newer connection (server at capacity): no
  // longer counted against max_connections, then closed. Only a session
  // waiting for a request is evicted; returns false otherwise.
  bool evict();

 private:
  void do_read();
  void skip_empty_lines();
  void on_read_some(boost::beast::error_code ec, std::size_t bytes);
  void on_read(boost::beast::error_code ec, std::size_t bytes);
  void handle(Request request);
  void do_write(Response response, bool close_after);
  void on_write(bool close_after, boost::beast::error_code ec, std::size_t bytes);
  // Half-close, then drain what the client still sends, then close.
  void do_linger();
  void do_drain();
  void on_drain(boost::beast::error_code ec, std::size_t bytes);

  std::shared_ptr<Shared> shared_;
  Mode mode_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
  std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
  Response response_;  // alive while it is written
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
  std::optional<std::chrono::steady_clock::time_point> waiting_since_;
  bool evicted_ = false;
};

}  // namespace schemad::http::detail
