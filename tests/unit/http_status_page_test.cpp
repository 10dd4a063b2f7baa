#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "http/routes.hpp"
#include "http/status_page.hpp"
#include "util/sha256.hpp"

using namespace schemad;
namespace beast_http = boost::beast::http;
using beast_http::field;
using beast_http::status;
using beast_http::verb;

namespace {

http::Handler router() {
  http::Endpoints e;
  e.snapshot = [] { return std::make_shared<const state::Snapshot>(); };
  e.metrics_text = [] { return std::string(); };
  e.live = [] { return true; };
  return http::make_router(std::move(e));
}

http::Response get(verb method, const std::string& target) {
  http::Request r{method, target, 11};
  r.set(field::host, "localhost");
  return router()(r);
}

std::string header(const http::Response& r, const std::string& name) {
  return std::string(r[name]);
}

std::string source_page() {
  std::ifstream in(std::string(SCHEMAD_SOURCE_DIR) + "/src/http/status_page.html",
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// RFC 4648 base64, written out here rather than taken from the code under test.
std::string base64(const std::array<std::uint8_t, 32>& bytes) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < bytes.size(); i += 3) {
    const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
    std::uint32_t v = static_cast<std::uint32_t>(bytes[i]) << 16;
    if (n > 1) v |= static_cast<std::uint32_t>(bytes[i + 1]) << 8;
    if (n > 2) v |= bytes[i + 2];
    for (std::size_t k = 0; k < 4; ++k) {
      out += k <= n ? kAlphabet[(v >> (18 - 6 * k)) & 63] : '=';
    }
  }
  return out;
}

// The hash sources of every <tag ...>content</tag> of the page, as a browser
// hashes them: the content between the tags, byte for byte.
std::set<std::string> inline_hashes(const std::string& page, const std::string& tag) {
  std::set<std::string> hashes;
  const std::regex element("<" + tag + "\\b[^>]*>([\\s\\S]*?)</" + tag + ">", std::regex::icase);
  for (std::sregex_iterator it(page.begin(), page.end(), element), end; it != end; ++it) {
    hashes.insert("'sha256-" + base64(util::sha256((*it)[1].str())) + "'");
  }
  return hashes;
}

// "a b; c d" => {a: "b", c: "d"}.
std::map<std::string, std::string> directives(const std::string& csp) {
  std::map<std::string, std::string> out;
  std::istringstream in(csp);
  std::string part;
  while (std::getline(in, part, ';')) {
    const auto begin = part.find_first_not_of(' ');
    if (begin == std::string::npos) continue;
    part = part.substr(begin, part.find_last_not_of(' ') + 1 - begin);
    const auto space = part.find(' ');
    out[part.substr(0, space)] = space == std::string::npos ? "" : part.substr(space + 1);
  }
  return out;
}

std::set<std::string> words(const std::string& text) {
  std::istringstream in(text);
  return {std::istream_iterator<std::string>(in), std::istream_iterator<std::string>()};
}

}  // namespace

TEST_CASE("GET / is the status page, as in src/http/status_page.html", "[http][page]") {
  const auto r = get(verb::get, "/");
  CHECK(r.result() == status::ok);
  CHECK(header(r, "Content-Type") == "text/html; charset=utf-8");
  CHECK(header(r, "Cache-Control") == "no-store");
  CHECK(header(r, "X-Content-Type-Options") == "nosniff");
  CHECK(header(r, "Referrer-Policy") == "no-referrer");
  CHECK(header(r, "Server") == "schemad");
  const std::string page = source_page();
  REQUIRE(page.size() > 1000);
  CHECK(r.body() == page);  // embedded byte for byte
  CHECK(r.body().size() < 20 * 1024);
  CHECK(http::status_page_html() == page);
}

TEST_CASE("the status page's CSP allows exactly its inline script and style", "[http][page]") {
  const auto r = get(verb::get, "/");
  const std::string csp = header(r, "Content-Security-Policy");
  CHECK(csp == http::status_page_csp());
  const auto d = directives(csp);
  std::set<std::string> names;
  for (const auto& entry : d) names.insert(entry.first);
  CHECK(names == std::set<std::string>{"default-src", "script-src", "style-src", "connect-src",
                                       "img-src", "base-uri", "form-action", "frame-ancestors"});
  const auto value = [&d](const std::string& name) { return d.count(name) ? d.at(name) : ""; };
  CHECK(value("default-src") == "'none'");
  CHECK(value("connect-src") == "'self'");
  CHECK(value("img-src") == "'self' data:");
  CHECK(value("base-uri") == "'none'");
  CHECK(value("form-action") == "'none'");
  CHECK(value("frame-ancestors") == "'none'");
  const auto scripts = inline_hashes(r.body(), "script");
  const auto styles = inline_hashes(r.body(), "style");
  CHECK(scripts.size() == 1);
  CHECK(styles.size() == 1);
  CHECK(words(value("script-src")) == scripts);
  CHECK(words(value("style-src")) == styles);
  CHECK(csp.find("unsafe") == std::string::npos);
  // Nothing loads but the inline elements: no src=, no <link>, no style attribute.
  CHECK_FALSE(std::regex_search(
      r.body(), std::regex("<(script|img|link|iframe)\\b[^>]*\\bsrc=", std::regex::icase)));
  CHECK(r.body().find("<link") == std::string::npos);
  CHECK(r.body().find(" style=") == std::string::npos);
}

TEST_CASE("csp_hash_source is base64 of the SHA-256", "[http][page]") {
  CHECK(http::csp_hash_source("") == "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='");
  CHECK(http::csp_hash_source("abc") == "'sha256-ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0='");
  CHECK("'sha256-" + base64(util::sha256("abc")) + "'" == http::csp_hash_source("abc"));
}

TEST_CASE("the status page loads nothing external and builds no HTML from data", "[http][page]") {
  const std::string page = get(verb::get, "/").body();
  for (const char* banned : {"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write",
                             "http://", "https://", "eval(", "new Function", "@import", "url("}) {
    INFO(banned);
    CHECK(page.find(banned) == std::string::npos);
  }
  // The data comes from the relative URL "status", so that the page works
  // behind a proxy that adds a path prefix; and nothing else is fetched.
  CHECK(page.find("fetch(\"status\"") != std::string::npos);
  std::size_t fetches = 0;
  for (auto at = page.find("fetch("); at != std::string::npos; at = page.find("fetch(", at + 1)) {
    ++fetches;
  }
  CHECK(fetches == 1);
  CHECK(page.find("\"/status") == std::string::npos);
  CHECK(page.find("setTimeout(refresh, 5000)") != std::string::npos);
  // Without JavaScript it says where the data is.
  CHECK(page.find("<noscript><p>This page needs JavaScript; the data is at <a href=\"status\">"
                  "status</a>.</p></noscript>") != std::string::npos);
}

TEST_CASE("/ answers GET and HEAD only, and /index.html does not exist", "[http][page]") {
  CHECK(get(verb::head, "/").result() == status::ok);
  for (verb method : {verb::post, verb::put, verb::delete_}) {
    const auto r = get(method, "/");
    CHECK(r.result() == status::method_not_allowed);
    CHECK(header(r, "Allow") == "GET, HEAD");
    CHECK(header(r, "Content-Type") == "application/json");
  }
  CHECK(get(verb::get, "/?refresh=1").result() == status::ok);
  CHECK(get(verb::get, "/index.html").result() == status::not_found);
}
