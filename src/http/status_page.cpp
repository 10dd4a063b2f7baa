#include "http/status_page.hpp"

#include <openssl/evp.h>

#include <vector>

#include "util/sha256.hpp"

namespace schemad::http {

namespace {

// The hash sources of the content of every `<tag>...</tag>` of the page:
// the page's own elements have no attributes.
std::string hash_sources(std::string_view page, std::string_view tag) {
  const std::string open = "<" + std::string(tag) + ">";
  const std::string close = "</" + std::string(tag) + ">";
  std::string sources;
  for (std::size_t at = page.find(open); at != std::string_view::npos; at = page.find(open, at)) {
    const std::size_t begin = at + open.size();
    const std::size_t end = page.find(close, begin);
    if (end == std::string_view::npos) break;
    if (!sources.empty()) sources += ' ';
    sources += csp_hash_source(page.substr(begin, end - begin));
    at = end + close.size();
  }
  return sources.empty() ? "'none'" : sources;
}

}  // namespace

std::string csp_hash_source(std::string_view text) {
  const auto digest = util::sha256(text);
  std::vector<unsigned char> base64(4 * ((digest.size() + 2) / 3) + 1);
  const int length = EVP_EncodeBlock(base64.data(), digest.data(), static_cast<int>(digest.size()));
  return "'sha256-" + std::string(base64.begin(), base64.begin() + length) + "'";
}

const std::string& status_page_csp() {
  static const std::string csp = [] {
    const std::string_view page = status_page_html();
    return "default-src 'none'; script-src " + hash_sources(page, "script") + "; style-src " +
           hash_sources(page, "style") +
           "; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
           "frame-ancestors 'none'";
  }();
  return csp;
}

}  // namespace schemad::http
