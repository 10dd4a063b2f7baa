#include <catch2/catch.hpp>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <future>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>
#include <vector>

#include "http/listen_address.hpp"
#include "http/routes.hpp"
#include "http/server.hpp"

using namespace schemad;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using beast_http::field;
using beast_http::status;
using beast_http::verb;
using net::ip::tcp;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// Answers "<method> <target> <body size>"; "/throw" throws; "/close" asks to
// close the connection; "/huge" is 32 MiB, more than both ends' socket
// buffers hold.
http::Response echo(const http::Request& request) {
  if (request.target() == "/throw") throw std::runtime_error("boom");
  http::Response response{status::ok, 11};
  response.set(field::content_type, "text/plain");
  if (request.target() == "/close") response.keep_alive(false);
  if (request.target() == "/huge") {
    response.body() = std::string(32 << 20, 'h');
    return response;
  }
  response.body() = std::string(request.method_string()) + " " + std::string(request.target()) +
                    " " + std::to_string(request.body().size());
  return response;
}

http::ServerOptions fast_options() {
  http::ServerOptions options;
  options.listen = "127.0.0.1:0";
  options.read_timeout = 2s;
  options.write_timeout = 2s;
  return options;
}

// A server whose io_context runs on its own thread, as in the daemon.
struct RunningServer {
  explicit RunningServer(http::ServerOptions options, http::Handler handler = echo)
      : server(io, std::move(options), std::move(handler)) {
    server.start();
    endpoint = server.local_endpoint();
    std::promise<void> finished;
    done = finished.get_future();
    thread = std::thread([this, finished = std::move(finished)]() mutable {
      io.run();
      finished.set_value();
    });
  }
  ~RunningServer() {
    if (!stop(5s)) io.stop();  // never hang the suite on a bug
    thread.join();
  }

  // Calls stop() on the loop; true when run() then returned within `timeout`.
  bool stop(Clock::duration timeout) {
    net::post(io, [this] { server.stop(); });
    return done.wait_for(timeout) == std::future_status::ready;
  }

  // Polls stats() until `predicate` holds, for up to two seconds.
  template <class Predicate>
  bool wait_for(Predicate predicate) {
    for (auto deadline = Clock::now() + 2s; Clock::now() < deadline;) {
      if (predicate(server.stats())) return true;
      std::this_thread::sleep_for(5ms);
    }
    return predicate(server.stats());
  }

  net::io_context io;
  http::Server server;
  tcp::endpoint endpoint;
  std::future<void> done;
  std::thread thread;
};

// A client with its own io_context; every operation has a deadline, so a
// misbehaving server fails a test instead of hanging it.
class Client {
 public:
  explicit Client(const tcp::endpoint& server) : stream_(io_) {
    stream_.expires_after(2s);
    const auto ec = run([&](auto handler) { stream_.async_connect(server, handler); });
    REQUIRE_FALSE(ec);
  }

  static beast::error_code try_connect(const tcp::endpoint& server) {
    net::io_context io;
    tcp::socket socket(io);
    beast::error_code ec;
    socket.connect(server, ec);
    return ec;
  }

  beast::error_code send(const std::string& bytes) {
    stream_.expires_after(2s);
    return run([&](auto handler) { net::async_write(stream_, net::buffer(bytes), handler); });
  }

  beast::error_code write(http::Request request) {
    request.prepare_payload();
    stream_.expires_after(2s);
    return run([&](auto handler) { beast_http::async_write(stream_, request, handler); });
  }

  beast::error_code read(http::Response& response, bool head = false) {
    beast_http::response_parser<beast_http::string_body> parser;
    parser.skip(head);  // a response to HEAD has no body whatever its Content-Length
    stream_.expires_after(2s);
    const auto ec =
        run([&](auto handler) { beast_http::async_read(stream_, buffer_, parser, handler); });
    if (!ec) response = parser.release();
    return ec;
  }

  http::Response request(verb method, const std::string& target, bool keep_alive = true,
                         std::string body = "") {
    http::Request request{method, target, 11};
    request.set(field::host, "localhost");
    request.keep_alive(keep_alive);
    request.body() = std::move(body);
    REQUIRE_FALSE(write(std::move(request)));
    http::Response response;
    const auto ec = read(response, method == verb::head);
    INFO(ec.message());
    REQUIRE_FALSE(ec);
    return response;
  }
  http::Response get(const std::string& target) { return request(verb::get, target); }

  // Whether the server ends the connection (end of stream or reset) within
  // `timeout` without sending anything more. The stream is unusable after.
  bool closed_within(Clock::duration timeout) {
    std::array<char, 256> data;
    stream_.expires_after(timeout);
    std::size_t bytes = 0;
    const auto ec = run([&](auto handler) {
      stream_.async_read_some(net::buffer(data), [&bytes, handler](auto e, std::size_t n) {
        bytes = n;
        handler(e);
      });
    });
    return bytes == 0 && buffer_.size() == 0 &&
           (ec == net::error::eof || ec == net::error::connection_reset);
  }

  // Without waiting: whether the server has ended the connection.
  bool peer_closed() {
    auto& socket = stream_.socket();
    socket.non_blocking(true);
    char byte;
    beast::error_code ec;
    socket.read_some(net::buffer(&byte, 1), ec);
    socket.non_blocking(false);
    return ec == net::error::eof || ec == net::error::connection_reset;
  }

  void close() { stream_.close(); }

 private:
  template <class Initiate>
  beast::error_code run(Initiate initiate) {
    beast::error_code result = net::error::would_block;
    initiate([&result](beast::error_code ec, auto&&...) { result = ec; });
    io_.restart();
    io_.run();  // ends: the stream's deadline bounds the operation
    return result;
  }

  net::io_context io_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
};

nlohmann::json body_json(const http::Response& r) {
  return nlohmann::json::parse(r.body());
}

}  // namespace

TEST_CASE("the listen address is host:port, with brackets for IPv6", "[http]") {
  auto a = http::parse_listen_address("127.0.0.1:9432");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 9432);
  a = http::parse_listen_address("[::1]:9432");
  CHECK(a.host == "::1");
  CHECK(a.port == 9432);
  a = http::parse_listen_address(":80");
  CHECK(a.host.empty());
  CHECK(a.port == 80);
  a = http::parse_listen_address("localhost:0");
  CHECK(a.host == "localhost");
  CHECK(a.port == 0);
  CHECK(http::parse_listen_address("0.0.0.0:65535").port == 65535);
  for (const char* bad :
       {"", "9432", "127.0.0.1", "127.0.0.1:", "127.0.0.1:abc", "127.0.0.1:65536", "127.0.0.1:-1",
        "127.0.0.1:123456", "::1:9432", "[::1:9432", "[]:80", "[::1]9432"}) {
    INFO(bad);
    CHECK_THROWS_AS(http::parse_listen_address(bad), std::invalid_argument);
  }
  CHECK_THROWS_WITH(http::parse_listen_address("db"),
                    "invalid listen address \"db\": expected host:port");
}

TEST_CASE("the server refuses an empty handler and zero limits", "[http]") {
  net::io_context io;
  CHECK_THROWS_AS(http::Server(io, fast_options(), nullptr), std::invalid_argument);
  auto options = fast_options();
  options.max_connections = 0;
  CHECK_THROWS_AS(http::Server(io, options, echo), std::invalid_argument);
  options = fast_options();
  options.read_timeout = 0s;
  CHECK_THROWS_AS(http::Server(io, options, echo), std::invalid_argument);
}

TEST_CASE("start names the address it cannot listen on", "[http]") {
  net::io_context io;
  http::Server first(io, fast_options(), echo);
  first.start();
  const auto port = std::to_string(first.local_endpoint().port());
  auto options = fast_options();
  options.listen = "127.0.0.1:" + port;
  http::Server second(io, options, echo);
  CHECK_THROWS_AS(second.start(), std::system_error);
  CHECK_THROWS_WITH(second.start(),
                    "cannot listen on 127.0.0.1:" + port + ": Address already in use");

  options.listen = "127.0.0.1";
  http::Server malformed(io, options, echo);
  CHECK_THROWS_AS(malformed.start(), std::invalid_argument);

  CHECK_THROWS_AS(first.start(), std::logic_error);  // only once
}

TEST_CASE("the server listens on a name and on bracketed IPv6", "[http]") {
  auto options = fast_options();
  options.listen = "localhost:0";
  {
    RunningServer s(options);
    CHECK(s.endpoint.address().is_loopback());
    CHECK(Client(s.endpoint).get("/x").body() == "GET /x 0");
  }
  options.listen = "[::1]:0";
  net::io_context probe;
  tcp::acceptor v6(probe);
  beast::error_code ec;
  v6.open(tcp::v6(), ec);
  if (!ec) v6.bind({net::ip::address_v6::loopback(), 0}, ec);
  if (ec) {
    WARN("no IPv6 loopback here: " << ec.message());
    return;
  }
  v6.close();
  RunningServer s(options);
  CHECK(s.endpoint.address() == net::ip::address_v6::loopback());
  CHECK(Client(s.endpoint).get("/y").body() == "GET /y 0");
}

TEST_CASE("the routes answer over a socket, HEAD without a body", "[http]") {
  std::mutex mutex;
  std::vector<std::string> triggers;
  http::Endpoints e;
  e.snapshot = [] { return std::make_shared<const state::Snapshot>(); };
  e.metrics_text = [] { return std::string("schemad_up 1\n"); };
  e.live = [] { return true; };
  e.request_reconcile = [&] {
    std::lock_guard<std::mutex> lock(mutex);
    triggers.push_back("http");
  };
  e.admin_token = "tok";
  RunningServer s(fast_options(), http::make_router(e));
  Client c(s.endpoint);

  auto r = c.get("/healthz");
  CHECK(r.result() == status::ok);
  CHECK(body_json(r) == nlohmann::json{{"status", "ok"}});
  CHECK(r[field::server] == "schemad");
  CHECK(r[field::content_type] == "application/json");
  CHECK(r[field::cache_control] == "no-store");
  CHECK(c.get("/livez").result() == status::ok);
  r = c.get("/readyz");
  CHECK(r.result() == status::service_unavailable);
  CHECK(body_json(r)["ready"] == false);
  const auto status_page = c.get("/status");
  CHECK(status_page.result() == status::ok);
  CHECK(body_json(status_page)["activity"] == "starting");
  r = c.get("/metrics");
  CHECK(r.body() == "schemad_up 1\n");
  CHECK(r[field::content_type] == "text/plain; version=0.0.4; charset=utf-8");
  CHECK(c.get("/nope").result() == status::not_found);
  r = c.request(verb::delete_, "/status");
  CHECK(r.result() == status::method_not_allowed);
  CHECK(r[field::allow] == "GET, HEAD");

  r = c.request(verb::head, "/status");
  CHECK(r.result() == status::ok);
  CHECK(r[field::content_length] == std::to_string(status_page.body().size()));
  CHECK(r.body().empty());
  // Had the server sent a body, this answer would be garbage.
  CHECK(c.get("/livez").result() == status::ok);

  CHECK(c.request(verb::post, "/reconcile").result() == status::unauthorized);
  http::Request post{verb::post, "/reconcile", 11};
  post.set(field::host, "localhost");
  post.set(field::authorization, "Bearer tok");
  REQUIRE_FALSE(c.write(post));
  REQUIRE_FALSE(c.read(r));
  CHECK(r.result() == status::accepted);
  CHECK(body_json(r) == nlohmann::json{{"accepted", true}});
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(triggers == std::vector<std::string>{"http"});
}

TEST_CASE("keep-alive serves several requests on one connection", "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  auto first = c.get("/one");
  auto second = c.get("/two");
  CHECK(first.body() == "GET /one 0");
  CHECK(first.keep_alive());
  CHECK(second.body() == "GET /two 0");
  CHECK(s.server.stats().accepted_total == 1);
  CHECK(s.server.stats().requests_total == 2);
}

TEST_CASE("pipelined requests are answered in order", "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  REQUIRE_FALSE(c.send("GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n"));
  http::Response a, b;
  REQUIRE_FALSE(c.read(a));
  REQUIRE_FALSE(c.read(b));
  CHECK(a.body() == "GET /a 0");
  CHECK(b.body() == "GET /b 0");
}

TEST_CASE("Connection: close is honoured", "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  auto r = c.request(verb::get, "/x", false);
  CHECK(r.result() == status::ok);
  CHECK_FALSE(r.keep_alive());
  CHECK(r[field::connection] == "close");
  CHECK(c.closed_within(1s));
}

TEST_CASE("a handler's Connection: close is honoured", "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  auto r = c.get("/close");
  CHECK(r.body() == "GET /close 0");
  CHECK_FALSE(r.keep_alive());
  CHECK(c.closed_within(1s));
}

TEST_CASE("an HTTP/1.0 request without keep-alive is answered, then the connection closed",
          "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  REQUIRE_FALSE(c.send("GET /old HTTP/1.0\r\n\r\n"));
  http::Response r;
  REQUIRE_FALSE(c.read(r));
  CHECK(r.version() == 10);
  CHECK(r.body() == "GET /old 0");
  CHECK(c.closed_within(1s));
}

TEST_CASE("a handler that throws is answered 500 and the connection stays usable", "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  auto r = c.get("/throw");
  CHECK(r.result() == status::internal_server_error);
  CHECK(r[field::server] == "schemad");
  CHECK(body_json(r) == nlohmann::json{{"error", "internal error"}});
  CHECK(c.get("/after").body() == "GET /after 0");
  CHECK(s.server.stats().handler_errors_total == 1);
}

TEST_CASE("headers over the limit are answered 431, then the connection closed", "[http]") {
  auto options = fast_options();
  options.header_limit = 1024;
  RunningServer s(options);
  {
    Client fits(s.endpoint);
    http::Request request{verb::get, "/fits", 11};
    request.set(field::host, "x");
    request.set("X-Pad", std::string(800, 'a'));
    REQUIRE_FALSE(fits.write(request));
    http::Response r;
    REQUIRE_FALSE(fits.read(r));
    CHECK(r.result() == status::ok);
  }
  Client c(s.endpoint);
  http::Request request{verb::get, "/big", 11};
  request.set(field::host, "x");
  request.set("X-Pad", std::string(4000, 'a'));
  REQUIRE_FALSE(c.write(request));
  http::Response r;
  REQUIRE_FALSE(c.read(r));
  CHECK(r.result() == status::request_header_fields_too_large);
  CHECK_FALSE(r.keep_alive());
  CHECK(body_json(r)["error"] == "request headers too large");
  CHECK(c.closed_within(1500ms));
  CHECK(s.server.stats().requests_total == 1);
  CHECK(s.server.stats().bad_requests_total == 1);
}

TEST_CASE("a body over the limit is answered 413, then the connection closed", "[http]") {
  auto options = fast_options();
  options.body_limit = 1024;
  RunningServer s(options);
  SECTION("a body at the limit is read") {
    Client c(s.endpoint);
    CHECK(c.request(verb::post, "/in", true, std::string(1024, 'b')).body() == "POST /in 1024");
  }
  SECTION("a declared length over the limit") {
    Client c(s.endpoint);
    http::Request request{verb::post, "/big", 11};
    request.set(field::host, "x");
    request.body() = std::string(4096, 'b');
    REQUIRE_FALSE(c.write(request));
    http::Response r;
    REQUIRE_FALSE(c.read(r));
    CHECK(r.result() == status::payload_too_large);
    CHECK(body_json(r)["error"] == "request body too large");
    CHECK(c.closed_within(1500ms));
  }
  SECTION("a chunked body growing over the limit") {
    Client c(s.endpoint);
    REQUIRE_FALSE(
        c.send("POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
               "800\r\n" +
               std::string(0x800, 'c') + "\r\n0\r\n\r\n"));
    http::Response r;
    REQUIRE_FALSE(c.read(r));
    CHECK(r.result() == status::payload_too_large);
    CHECK(c.closed_within(1500ms));
  }
  CHECK(s.server.stats().requests_total <= 1);
}

TEST_CASE("a malformed request is answered 400, then the connection closed", "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  REQUIRE_FALSE(c.send("this is not http\r\n\r\n"));
  http::Response r;
  REQUIRE_FALSE(c.read(r));
  CHECK(r.result() == status::bad_request);
  CHECK(c.closed_within(1500ms));
  CHECK(s.server.stats().requests_total == 0);
}

TEST_CASE("a client trickling its headers is cut off at the read timeout (slowloris)", "[http]") {
  auto options = fast_options();
  options.read_timeout = 1s;
  RunningServer s(options);
  Client slow(s.endpoint);
  const std::string trickle = "GET /slow HTTP/1.1\r\nHost: x\r\nX-Pad: " + std::string(100, 'a');
  const auto start = Clock::now();
  std::optional<Clock::duration> closed_after;
  int answered = 0;
  Clock::duration slowest_answer{};
  for (std::size_t i = 0; i < trickle.size() && !closed_after && Clock::now() < start + 3s; ++i) {
    if (slow.send(trickle.substr(i, 1))) {
      closed_after = Clock::now() - start;
      break;
    }
    {
      // Meanwhile a normal client is served at once.
      const auto asked = Clock::now();
      Client normal(s.endpoint);
      if (normal.get("/fast").body() == "GET /fast 0") ++answered;
      slowest_answer = std::max(slowest_answer, Clock::now() - asked);
    }
    // One byte every 200 ms, watching for the close in between.
    while (!closed_after && Clock::now() < start + (i + 1) * 200ms) {
      if (slow.peer_closed()) closed_after = Clock::now() - start;
      std::this_thread::sleep_for(5ms);
    }
  }
  REQUIRE(closed_after);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(*closed_after).count();
  INFO("closed after " << ms << " ms");
  CHECK(ms >= 900);
  CHECK(ms <= 1500);
  CHECK(answered >= 4);
  CHECK(slowest_answer < 300ms);
  // Beast's timer closes the socket before on_read counts the timeout: wait.
  CHECK(s.wait_for([](const http::ServerStats& st) { return st.timeouts_total == 1; }));
  CHECK(s.server.stats().requests_total == static_cast<std::uint64_t>(answered));
}

TEST_CASE("an idle keep-alive connection is closed at the read timeout", "[http]") {
  auto options = fast_options();
  options.read_timeout = 1s;
  options.write_timeout = 5s;
  RunningServer s(options);
  Client c(s.endpoint);
  CHECK(c.get("/x").result() == status::ok);
  const auto start = Clock::now();
  CHECK(c.closed_within(3s));
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  CHECK(ms >= 900);
  CHECK(ms <= 1500);
  // Beast's timer closes the socket before on_read counts the timeout: wait.
  CHECK(s.wait_for([](const http::ServerStats& st) { return st.timeouts_total == 1; }));
}

TEST_CASE("a client that does not read its response is cut off at the write timeout", "[http]") {
  auto options = fast_options();
  options.write_timeout = 1s;
  options.read_timeout = 5s;
  RunningServer s(options);
  Client c(s.endpoint);
  http::Request request{verb::get, "/huge", 11};
  request.set(field::host, "x");
  REQUIRE_FALSE(c.write(request));
  REQUIRE(s.wait_for([](const http::ServerStats& st) { return st.open_connections == 1; }));
  const auto start = Clock::now();
  // Never reading, the client leaves the server's write pending until its deadline.
  REQUIRE(s.wait_for([](const http::ServerStats& st) { return st.timeouts_total == 1; }));
  CHECK(Clock::now() - start <= 1500ms);
  CHECK(s.wait_for([](const http::ServerStats& st) { return st.open_connections == 0; }));
}

TEST_CASE("connections over the cap are answered 503 while every session is busy", "[http]") {
  auto options = fast_options();
  options.max_connections = 2;
  options.read_timeout = 5s;
  options.write_timeout = 5s;
  RunningServer s(options);
  // Two sessions busy writing 32 MiB answers that nobody reads.
  Client a(s.endpoint);
  Client b(s.endpoint);
  http::Request huge{verb::get, "/huge", 11};
  huge.set(field::host, "x");
  REQUIRE_FALSE(a.write(huge));
  REQUIRE_FALSE(b.write(huge));
  REQUIRE(s.wait_for([](const http::ServerStats& st) { return st.requests_total == 2; }));

  Client refused(s.endpoint);
  http::Request request{verb::get, "/third", 11};
  request.set(field::host, "x");
  REQUIRE_FALSE(refused.write(request));
  http::Response r;
  REQUIRE_FALSE(refused.read(r));
  CHECK(r.result() == status::service_unavailable);
  CHECK(r[field::retry_after] == "1");
  CHECK_FALSE(r.keep_alive());
  CHECK(body_json(r)["error"] == "too many connections");
  CHECK(refused.closed_within(1500ms));
  CHECK(s.server.stats().refused_total == 1);
  CHECK(s.server.stats().evicted_total == 0);
  CHECK(s.server.stats().requests_total == 2);

  a.close();
  REQUIRE(s.wait_for([](const http::ServerStats& st) { return st.open_connections == 1; }));
  Client d(s.endpoint);
  CHECK(d.get("/d").body() == "GET /d 0");
  CHECK(s.server.stats().refused_total == 1);
}

TEST_CASE("at the cap, the connection waiting longest for a request makes room", "[http]") {
  auto options = fast_options();
  options.max_connections = 2;
  options.read_timeout = 5s;
  RunningServer s(options);
  Client first(s.endpoint);
  REQUIRE(s.wait_for([](const http::ServerStats& st) { return st.open_connections == 1; }));
  Client second(s.endpoint);
  CHECK(second.get("/keep-alive").body() == "GET /keep-alive 0");  // now waits for its next
  REQUIRE(s.wait_for([](const http::ServerStats& st) { return st.open_connections == 2; }));

  Client third(s.endpoint);
  CHECK(third.get("/third").body() == "GET /third 0");
  CHECK(first.closed_within(1500ms));  // it had waited longest
  CHECK(s.server.stats().evicted_total == 1);
  CHECK(s.server.stats().refused_total == 0);
  CHECK(third.get("/again").body() == "GET /again 0");
}

TEST_CASE("500 idle connections and a reconnecting slow client never starve a health check",
          "[http]") {
  auto options = fast_options();  // the default cap of 64
  options.read_timeout = 10s;
  RunningServer s(options, [](const http::Request& r) {
    http::Response response{status::ok, 11};
    response.body() = r.target() == "/livez" ? "{\"status\":\"ok\"}" : "";
    return response;
  });
  net::io_context io;  // outlives the sockets
  std::vector<std::unique_ptr<tcp::socket>> idle;
  for (int i = 0; i < 500; ++i) {
    auto socket = std::make_unique<tcp::socket>(io);
    beast::error_code ec;
    socket->connect(s.endpoint, ec);
    if (!ec) idle.push_back(std::move(socket));
  }
  REQUIRE(idle.size() == 500);
  std::atomic<bool> done{false};
  std::thread slow([&] {
    // Sends a byte of a request line at a time and reconnects when cut off.
    while (!done) {
      net::io_context slow_io;
      tcp::socket socket(slow_io);
      beast::error_code ec;
      socket.connect(s.endpoint, ec);
      for (int i = 0; !ec && !done && i < 200; ++i) {
        net::write(socket, net::buffer("G", 1), ec);
        std::this_thread::sleep_for(20ms);
      }
    }
  });
  int polls = 0, failures = 0;
  Clock::duration slowest{0};
  for (; polls < 50; ++polls) {
    const auto start = Clock::now();
    try {
      Client probe(s.endpoint);
      if (probe.get("/livez").result() != status::ok) ++failures;
    } catch (...) {
      ++failures;
    }
    slowest = std::max(slowest, Clock::now() - start);
    std::this_thread::sleep_for(100ms);
  }
  done = true;
  slow.join();
  INFO("slowest probe: " << std::chrono::duration<double>(slowest).count() << " s");
  CHECK(failures == 0);
  CHECK(slowest < 1s);
  CHECK(s.server.stats().refused_total == 0);
}

TEST_CASE("empty lines before a request line are ignored", "[http]") {
  RunningServer s(fast_options());
  Client c(s.endpoint);
  REQUIRE_FALSE(c.send("\r\n\r\n\nGET /after-empty-lines HTTP/1.1\r\nHost: x\r\n\r\n"));
  http::Response r;
  REQUIRE_FALSE(c.read(r));
  CHECK(r.result() == status::ok);
  CHECK(r.body() == "GET /after-empty-lines 0");
  // And between keep-alive requests.
  REQUIRE_FALSE(c.send("\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE_FALSE(c.read(r));
  CHECK(r.body() == "GET /next 0");
}

TEST_CASE("stop closes the listener and every connection, and run returns", "[http]") {
  auto options = fast_options();
  options.read_timeout = 10s;
  RunningServer s(options);
  Client idle(s.endpoint);
  Client used(s.endpoint);
  CHECK(used.get("/x").result() == status::ok);
  REQUIRE(s.wait_for([](const http::ServerStats& st) { return st.open_connections == 2; }));

  const auto start = Clock::now();
  CHECK(s.stop(2s));
  CHECK(Clock::now() - start < 1s);
  CHECK(idle.closed_within(1s));
  CHECK(used.closed_within(1s));
  CHECK(Client::try_connect(s.endpoint) == net::error::connection_refused);
  CHECK(s.server.stats().open_connections == 0);
}
