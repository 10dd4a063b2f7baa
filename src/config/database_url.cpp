#include "config/database_url.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

namespace schemad::config {

namespace {

using OptionsPtr = std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)>;

// The keywords this libpq understands, from libpq itself.
const std::set<std::string>& libpq_keywords() {
  static const std::set<std::string> keywords = [] {
    std::set<std::string> out;
    OptionsPtr defaults(PQconndefaults(), &PQconninfoFree);
    for (auto* o = defaults.get(); o != nullptr && o->keyword != nullptr; ++o) {
      out.insert(o->keyword);
    }
    return out;
  }();
  return keywords;
}

// "postgresql+asyncpg://..." -> "postgresql://...".
std::string strip_driver(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return url;
  auto plus = url.find('+');
  if (plus == std::string::npos || plus > scheme_end) return url;
  std::string scheme = url.substr(0, plus);
  if (scheme != "postgresql" && scheme != "postgres") return url;
  return scheme + url.substr(scheme_end);
}

// asyncpg spells sslmode as ssl=true|false|<mode>.
std::string asyncpg_ssl_to_sslmode(const std::string& value) {
  if (value == "true" || value == "1") return "require";
  if (value == "false" || value == "0") return "disable";
  return value;
}

// libpq's URI prefixes (uri_prefix_length): case matters.
std::size_t uri_prefix_length(const std::string& s) {
  for (const char* prefix : {"postgresql://", "postgres://"}) {
    if (s.rfind(prefix, 0) == 0) return std::string(prefix).size();
  }
  return 0;
}

// conninfo_uri_decode; nullopt where libpq would refuse the token.
std::optional<std::string> uri_decode(std::string_view token) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] != '%') {
      out += token[i];
      continue;
    }
    if (i + 2 >= token.size()) return std::nullopt;
    const int high = hex(token[i + 1]), low = hex(token[i + 2]);
    if (high < 0 || low < 0 || (high == 0 && low == 0)) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

void add_password(std::vector<std::string>& out, std::string_view raw, bool decode) {
  if (raw.empty()) return;
  out.emplace_back(raw);
  if (!decode) return;
  if (auto decoded = uri_decode(raw); decoded && !decoded->empty() && *decoded != raw) {
    out.push_back(std::move(*decoded));
  }
}

// The length of a URI's user-info with its '@' (0 when it has none): as
// libpq reads it, up to the first '@' before any '/'. `uri` follows the
// scheme's "://".
std::size_t userinfo_length(std::string_view uri) {
  std::size_t p = 0;
  while (p < uri.size() && uri[p] != '@' && uri[p] != '/') ++p;
  return p < uri.size() && uri[p] == '@' ? p + 1 : 0;
}

// Where a URI's query starts ('?'), npos when it has none: the first '?'
// after the user-info (which may itself hold one).
std::size_t query_start(std::string_view uri) {
  return uri.find('?', userinfo_length(uri));
}

// A URI: the user-info's password runs from its first ':' to its '@'; the
// query holds '&'-separated key=value pairs, keys and values URI-encoded.
void uri_passwords(std::string_view uri, std::vector<std::string>& out) {
  if (const std::size_t userinfo = userinfo_length(uri); userinfo > 0) {
    const std::string_view info = uri.substr(0, userinfo - 1);
    const auto colon = info.find(':');
    if (colon != std::string_view::npos) add_password(out, info.substr(colon + 1), true);
  }
  const auto query = query_start(uri);
  if (query == std::string_view::npos) return;
  std::string_view params = uri.substr(query + 1);
  while (!params.empty()) {
    const auto amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
    const auto eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    if (uri_decode(param.substr(0, eq)).value_or("") == "password") {
      add_password(out, param.substr(eq + 1), true);
    }
  }
}

bool c_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// A keyword/value string, read as conninfo_parse reads it: names up to '='
// or a blank, values quoted ('...' with backslash escapes) or up to a
// blank (backslash escapes too).
void keyword_passwords(std::string_view s, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i < s.size()) {
    if (c_space(s[i])) {
      ++i;
      continue;
    }
    const std::size_t name_start = i;
    while (i < s.size() && s[i] != '=' && !c_space(s[i])) ++i;
    const std::string_view name = s.substr(name_start, i - name_start);
    while (i < s.size() && c_space(s[i])) ++i;
    if (i >= s.size() || s[i] != '=') return;  // libpq refuses the rest
    ++i;
    while (i < s.size() && c_space(s[i])) ++i;
    const std::size_t value_start = i;
    std::size_t value_end = s.size();
    std::string value;
    const bool quoted = i < s.size() && s[i] == '\'';
    if (quoted) ++i;
    while (i < s.size()) {
      if (quoted ? s[i] == '\'' : c_space(s[i])) {
        value_end = quoted ? i + 1 : i;
        ++i;
        break;
      }
      if (s[i] == '\\') ++i;  // the next character as it is; a final one is dropped
      if (i < s.size()) value += s[i++];
    }
    if (name == "password") {
      add_password(out, s.substr(value_start, value_end - value_start), false);
      if (!value.empty()) out.push_back(std::move(value));
    }
  }
}

}  // namespace

NormalizedUrl normalize_url(const std::string& url) {
  NormalizedUrl out;
  std::string text = strip_driver(url);
  const std::size_t prefix = uri_prefix_length(text);
  std::size_t query_at = std::string::npos;
  if (prefix > 0) {
    query_at = query_start(std::string_view(text).substr(prefix));
    if (query_at != std::string::npos) query_at += prefix;
  }
  if (query_at != std::string::npos) {
    // Only the query string is touched; libpq parses everything else.
    std::string kept;
    std::string query = text.substr(query_at + 1);
    std::size_t start = 0;
    while (start <= query.size()) {
      auto amp = query.find('&', start);
      std::string param =
          query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
      start = amp == std::string::npos ? query.size() + 1 : amp + 1;
      if (param.empty()) continue;
      auto eq = param.find('=');
      std::string key = param.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : param.substr(eq + 1);
      if (key == "ssl" && libpq_keywords().count("ssl") == 0) {
        key = "sslmode";
        value = asyncpg_ssl_to_sslmode(value);
      }
      if (libpq_keywords().count(key) == 0) {
        out.warnings.push_back("database URL: dropped parameter \"" + key +
                               "\", which libpq does not know");
        continue;
      }
      kept += (kept.empty() ? "" : "&") + key + "=" + value;
    }
    text = text.substr(0, query_at) + (kept.empty() ? "" : "?" + kept);
  }
  parse_conninfo(text);  // let libpq judge it now, with a clear message
  out.conninfo = text;
  return out;
}

std::map<std::string, std::string> parse_conninfo(const std::string& conninfo) {
  char* error = nullptr;
  OptionsPtr parsed(PQconninfoParse(conninfo.c_str(), &error), &PQconninfoFree);
  if (!parsed) {
    std::string message = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
      message.pop_back();
    }
    // libpq's messages quote tokens of the URI, the password's included.
    throw std::invalid_argument("invalid database URL: " + mask_passwords(message, conninfo));
  }
  std::map<std::string, std::string> out;
  for (auto* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  return out;
}

std::vector<std::string> passwords_in(const std::string& conninfo) {
  std::vector<std::string> out;
  if (const std::size_t prefix = uri_prefix_length(conninfo); prefix > 0) {
    uri_passwords(std::string_view(conninfo).substr(prefix), out);
  } else {
    keyword_passwords(conninfo, out);
  }
  // Longest first: a password that contains another is masked whole.
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

std::string mask_passwords(std::string message, const std::string& conninfo) {
  for (const auto& secret : passwords_in(conninfo)) {
    for (auto pos = message.find(secret); pos != std::string::npos;
         pos = message.find(secret, pos + 3)) {
      message.replace(pos, secret.size(), "***");
    }
  }
  return message;
}

std::string render_conninfo(const std::map<std::string, std::string>& options) {
  std::string out;
  for (const auto& [key, value] : options) {
    if (!out.empty()) out += ' ';
    out += key + "='";
    for (char c : value) {
      if (c == '\\' || c == '\'') out += '\\';
      out += c;
    }
    out += '\'';
  }
  return out;
}

std::string describe_target(const std::string& conninfo) {
  std::map<std::string, std::string> values;
  OptionsPtr defaults(PQconndefaults(), &PQconninfoFree);
  for (auto* o = defaults.get(); o != nullptr && o->keyword != nullptr; ++o) {
    if (o->val != nullptr) values[o->keyword] = o->val;
  }
  try {
    for (auto& [key, value] : parse_conninfo(conninfo)) values[key] = value;
  } catch (const std::invalid_argument&) {
    return "<invalid database URL>";
  }
  auto get = [&](const char* key) {
    auto it = values.find(key);
    return it == values.end() ? std::string() : it->second;
  };
  std::string host = get("host").empty() ? get("hostaddr") : get("host");
  if (host.empty()) host = "localhost";
  std::string user = get("user");
  std::string dbname = get("dbname").empty() ? user : get("dbname");
  std::string out = "postgresql://";
  if (!user.empty()) out += user + "@";
  out += host.find(':') != std::string::npos && host.front() != '/' ? "[" + host + "]" : host;
  if (!get("port").empty()) out += ":" + get("port");
  out += "/" + dbname;
  return out;
}

}  // namespace schemad::config
