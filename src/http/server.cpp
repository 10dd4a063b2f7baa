#include "http/server.hpp"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "http/listen_address.hpp"
#include "http/session.hpp"

namespace schemad::http {

namespace net = boost::asio;
using net::ip::tcp;

namespace {

[[noreturn]] void cannot_listen(const std::string& listen, const boost::system::error_code& ec) {
  throw std::system_error(static_cast<std::error_code>(ec), "cannot listen on " + listen);
}

}  // namespace

namespace detail {

// Accepts connections and hands each to a session, or refuses it when
// max_connections sessions are serving.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, std::shared_ptr<Shared> shared)
      : shared_(std::move(shared)), acceptor_(io), retry_timer_(io) {}

  // Throws std::system_error naming the listen address.
  void open(const tcp::endpoint& endpoint) {
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    // Lets a restarted daemon bind while old connections sit in TIME_WAIT;
    // on Linux it never lets two live listeners share a port.
    if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      boost::system::error_code ignored;
      acceptor_.close(ignored);
      cannot_listen(shared_->options.listen, ec);
    }
  }

  void run() { do_accept(); }

  void stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    retry_timer_.cancel();
  }

  tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

 private:
  void do_accept() {
    acceptor_.async_accept(
        boost::beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
  }

  void on_accept(boost::system::error_code ec, tcp::socket socket) {
    if (shared_->stopped || ec == net::error::operation_aborted) return;
    if (ec) {
      // Out of file descriptors, say: try again a little later rather than
      // spin or stop serving.
      spdlog::warn("http: accept failed: {}", ec.message());
      retry_timer_.expires_after(std::chrono::milliseconds(100));
      retry_timer_.async_wait(
          boost::beast::bind_front_handler(&Listener::on_retry, shared_from_this()));
      return;
    }
    ++shared_->accepted_total;
    if (shared_->serving >= shared_->options.max_connections) evict_longest_waiting();
    if (shared_->serving < shared_->options.max_connections) {
      std::make_shared<Session>(std::move(socket), shared_, Session::Mode::serve)->start();
    } else {
      ++shared_->refused_total;
      spdlog::debug("http: {} connections open, refusing one more", shared_->serving);
      if (shared_->refusing < shared_->options.max_connections) {
        std::make_shared<Session>(std::move(socket), shared_, Session::Mode::refuse)->start();
      }  // else the socket closes here, unanswered
    }
    do_accept();
  }

  // At capacity, the session that has waited longest for a request gives
  // its place to the new connection: connections that send nothing (or
  // trickle) cannot keep health checks out, and a client that sends its
  // request at once is always served.
  void evict_longest_waiting() {
    std::shared_ptr<Session> victim;
    std::chrono::steady_clock::time_point since;
    for (auto& entry : shared_->sessions) {
      auto session = entry.second.lock();
      const auto waiting = session ? session->waiting_since() : std::nullopt;
      if (waiting && (!victim || *waiting < since)) {
        victim = std::move(session);
        since = *waiting;
      }
    }
    if (victim) {
      spdlog::debug("http: at {} connections, closing the one idle longest", shared_->serving);
      victim->evict();
    }
  }

  void on_retry(boost::system::error_code ec) {
    if (!ec && !shared_->stopped) do_accept();
  }

  std::shared_ptr<Shared> shared_;
  tcp::acceptor acceptor_;
  net::steady_timer retry_timer_;
};

}  // namespace detail

namespace {

void check_options(const ServerOptions& options, const Handler& handler) {
  if (!handler) throw std::invalid_argument("http server: no handler");
  if (options.max_connections == 0 || options.header_limit == 0 || options.body_limit == 0 ||
      options.read_timeout.count() <= 0 || options.write_timeout.count() <= 0) {
    throw std::invalid_argument("http server: limits and timeouts must be positive");
  }
}

// Throws std::invalid_argument for a malformed address, std::system_error
// when the host does not resolve.
tcp::endpoint resolve(net::io_context& io, const std::string& listen) {
  const ListenAddress address = parse_listen_address(listen);
  if (address.host.empty()) return {tcp::v4(), address.port};
  boost::system::error_code ec;
  const auto ip = net::ip::make_address(address.host, ec);
  if (!ec) return {ip, address.port};
  tcp::resolver resolver(io);
  const auto results =
      resolver.resolve(address.host, std::to_string(address.port),
                       tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec) cannot_listen(listen, ec);
  if (results.empty()) cannot_listen(listen, net::error::host_not_found);
  return results.begin()->endpoint();
}

}  // namespace

Server::Server(net::io_context& io, ServerOptions options, Handler handler) : io_(io) {
  check_options(options, handler);
  shared_ = std::make_shared<detail::Shared>(std::move(options), std::move(handler));
}

Server::~Server() {
  stop();
}

void Server::start() {
  if (listener_ || shared_->stopped)
    throw std::logic_error("http server: start() called twice or after stop()");
  const tcp::endpoint endpoint = resolve(io_, shared_->options.listen);
  auto listener = std::make_shared<detail::Listener>(io_, shared_);
  listener->open(endpoint);
  listener->run();
  listener_ = std::move(listener);
}

tcp::endpoint Server::local_endpoint() const {
  if (!listener_) throw std::logic_error("http server: not started");
  return listener_->local_endpoint();
}

void Server::stop() {
  if (shared_->stopped) return;
  shared_->stopped = true;
  if (listener_) listener_->stop();
  // Copy first: closing never runs a handler inline, but keep the map
  // untouched while iterating all the same.
  std::vector<std::shared_ptr<detail::Session>> sessions;
  for (auto& entry : shared_->sessions) {
    if (auto session = entry.second.lock()) sessions.push_back(std::move(session));
  }
  for (auto& session : sessions) session->close();
}

ServerStats Server::stats() const {
  const detail::Shared& s = *shared_;
  ServerStats out;
  out.open_connections = s.open_connections.load();
  out.accepted_total = s.accepted_total.load();
  out.refused_total = s.refused_total.load();
  out.evicted_total = s.evicted_total.load();
  out.requests_total = s.requests_total.load();
  out.handler_errors_total = s.handler_errors_total.load();
  out.bad_requests_total = s.bad_requests_total.load();
  out.timeouts_total = s.timeouts_total.load();
  return out;
}

}  // namespace schemad::http
