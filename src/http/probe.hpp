#pragma once

// `schemad probe --url`: the health check a container runs with the schemad
// binary itself, so the image needs no curl.

#include <chrono>
#include <string>

namespace schemad::http {

struct HttpUrl {
  std::string host;    // a name, an IPv4 address, or an IPv6 address without brackets
  std::string port;    // "80" when the URL gives none
  std::string target;  // path and query, "/" when the URL gives none
};

// Splits http://host[:port][/path[?query]] (IPv6 hosts in brackets). Throws
// std::invalid_argument naming what is wrong: another scheme (https is not
// spoken: probes talk to the pod's own loopback), no host, a bad port.
HttpUrl parse_http_url(const std::string& url);

struct ProbeResult {
  bool ok = false;      // a 2xx answer
  int status = 0;       // 0 when there was no answer
  std::string message;  // "200 OK", or why there was no answer
};

// One GET, the whole exchange bounded by `timeout`. Never throws.
ProbeResult probe_url(const HttpUrl& url, std::chrono::milliseconds timeout);

}  // namespace schemad::http
