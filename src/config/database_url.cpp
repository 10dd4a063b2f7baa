#include "config/database_url.hpp"

#include <libpq-fe.h>

#include <memory>
#include <set>
#include <stdexcept>

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

bool is_url(const std::string& s) {
  return s.rfind("postgresql://", 0) == 0 || s.rfind("postgres://", 0) == 0;
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

// Passwords written in `text`, found without libpq (which may be what
// refused the text): the userinfo password of a URL, the value of a
// keyword string's password=.
std::vector<std::string> written_passwords(const std::string& text) {
  std::vector<std::string> out;
  auto scheme_end = text.find("://");
  if (scheme_end != std::string::npos) {
    auto start = scheme_end + 3;
    auto end = text.find_first_of("/?", start);
    std::string authority = text.substr(start, end == std::string::npos ? end : end - start);
    auto at = authority.rfind('@');
    if (at != std::string::npos) {
      auto colon = authority.find(':');
      if (colon != std::string::npos && colon < at)
        out.push_back(authority.substr(colon + 1, at - colon - 1));
    }
  }
  for (auto pos = text.find("password"); pos != std::string::npos;
       pos = text.find("password", pos + 1)) {
    auto eq = text.find_first_not_of(' ', pos + 8);
    if (eq == std::string::npos || text[eq] != '=') continue;
    auto value_start = text.find_first_not_of(' ', eq + 1);
    if (value_start == std::string::npos) continue;
    auto value_end = text.find_first_of(" &", value_start);
    out.push_back(text.substr(
        value_start, value_end == std::string::npos ? value_end : value_end - value_start));
  }
  return out;
}

std::string without_passwords(std::string message, const std::string& source) {
  for (const auto& secret : written_passwords(source)) {
    if (secret.empty()) continue;
    for (auto pos = message.find(secret); pos != std::string::npos;
         pos = message.find(secret, pos + 3)) {
      message.replace(pos, secret.size(), "***");
    }
  }
  return message;
}

}  // namespace

NormalizedUrl normalize_url(const std::string& url) {
  NormalizedUrl out;
  std::string text = strip_driver(url);
  auto query_at = text.find('?');
  if (is_url(text) && query_at != std::string::npos) {
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
    // libpq's messages may quote the whole URI, password included.
    throw std::invalid_argument("invalid database URL: " + without_passwords(message, conninfo));
  }
  std::map<std::string, std::string> out;
  for (auto* o = parsed.get(); o->keyword != nullptr; ++o) {
    if (o->val != nullptr) out[o->keyword] = o->val;
  }
  return out;
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
