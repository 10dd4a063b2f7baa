#pragma once

// The status page, GET /: one self-contained HTML file
// (src/http/status_page.html: inline style and script, no other asset)
// embedded at build time. Its script fetches the relative URL "status" every
// 5 s and shows what /status shows, nothing more; it builds the DOM with
// createElement and textContent only.

#include <string>
#include <string_view>

namespace schemad::http {

// The page, byte for byte as in src/http/status_page.html.
std::string_view status_page_html();

// The Content-Security-Policy it is served with: nothing allowed by default;
// scripts and styles only the page's own inline <script> and <style>
// elements, by the hash of their content; fetch() to the same origin.
//   default-src 'none'; script-src 'sha256-..'; style-src 'sha256-..';
//   connect-src 'self'; img-src 'self' data:; base-uri 'none';
//   form-action 'none'; frame-ancestors 'none'
// Computed once, from status_page_html().
const std::string& status_page_csp();

// "'sha256-<base64 of the SHA-256 of text>'", a CSP hash source.
std::string csp_hash_source(std::string_view text);

}  // namespace schemad::http
