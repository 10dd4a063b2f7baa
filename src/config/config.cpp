#include "config/config.hpp"

#include <algorithm>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "util/file.hpp"
#include "util/strict_json.hpp"
#include "util/text.hpp"

namespace schemad::config {

namespace {

using nlohmann::json;

// Reads one JSON object's keys, refusing unknown ones, with messages that
// name the file and the dotted key path.
const std::vector<std::string>& replace_kinds() {
  static const std::vector<std::string> kinds{"functions", "views", "triggers"};
  return kinds;
}

class ObjectReader {
 public:
  ObjectReader(const json& object, std::string file, std::string path)
      : object_(object), file_(std::move(file)), path_(std::move(path)) {
    if (!object_.is_object()) {
      fail(path_.empty() ? "the file" : path_,
           "must be a JSON object, not " + util::describe(object_));
    }
  }

  const json* get(const std::string& key) {
    known_.insert(key);
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  void read(const std::string& key, std::string& out) {
    if (const json* v = get(key)) {
      if (!v->is_string()) fail(at(key), "must be a string, not " + util::describe(*v));
      out = v->get<std::string>();
    }
  }

  void read(const std::string& key, int& out) {
    if (const json* v = get(key)) {
      if (!v->is_number_integer() || v->get<long long>() < 0 ||
          v->get<long long>() > 2147483647LL) {
        fail(at(key), "must be a non-negative integer, not " + util::describe(*v));
      }
      out = v->get<int>();
    }
  }

  // A list of distinct strings, each one of `allowed`.
  void read(const std::string& key, std::vector<std::string>& out,
            const std::vector<std::string>& allowed) {
    std::string choices;
    for (const auto& a : allowed) choices += (choices.empty() ? "\"" : ", \"") + a + "\"";
    read_list(key, out, "must be one of " + choices, [&](const std::string& item) {
      return std::find(allowed.begin(), allowed.end(), item) != allowed.end();
    });
  }

  // A list of non-empty, distinct strings.
  void read(const std::string& key, std::vector<std::string>& out) {
    read_list(key, out, "must be a non-empty string",
              [](const std::string& item) { return !item.empty(); });
  }

  bool has(const std::string& key) const {
    auto it = object_.find(key);
    return it != object_.end() && !it->is_null();
  }

  void read(const std::string& key, bool& out) {
    if (const json* v = get(key)) {
      if (!v->is_boolean()) fail(at(key), "must be true or false, not " + util::describe(*v));
      out = v->get<bool>();
    }
  }

  ObjectReader child(const std::string& key) {
    static const json empty = json::object();
    const json* v = get(key);
    return ObjectReader(v != nullptr ? *v : empty, file_, at(key));
  }

  // Call after reading every known key.
  void finish() const {
    for (const auto& item : object_.items()) {
      const std::string& key = item.key();
      if (known_.count(key) != 0 || key.rfind("x-", 0) == 0) continue;
      // A key of a megabyte is quoted, not echoed.
      const std::string quoted = util::quote_for_message(key);
      fail(at(key.size() <= 64 ? key : quoted), "unknown key " + quoted);
    }
  }

  std::string at(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  // A list of distinct strings each of which `good` accepts (else `must`).
  template <typename Good>
  void read_list(const std::string& key, std::vector<std::string>& out, const std::string& must,
                 Good good) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_array()) fail(at(key), "must be an array of strings, not " + util::describe(*v));
    out.clear();
    for (std::size_t i = 0; i < v->size(); ++i) {
      const json& item = (*v)[i];
      const std::string place = at(key) + "[" + std::to_string(i) + "]";
      if (!item.is_string() || !good(item.get<std::string>())) {
        fail(place, must + ", not " + util::describe(item));
      }
      if (std::find(out.begin(), out.end(), item.get<std::string>()) != out.end()) {
        fail(place, "repeats " + util::describe(item));
      }
      out.push_back(item.get<std::string>());
    }
  }

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw ConfigError(file_ + ": " + path + ": " + problem);
  }

 private:
  const json& object_;
  std::string file_;
  std::string path_;
  std::set<std::string> known_;
};

std::string relative_to(const std::string& base_dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (std::filesystem::path(base_dir) / path).lexically_normal().string();
}

// Read as the model is: a key repeated in one object, or nesting deeper
// than kMaxConfigDepth, is an error at its path, as is a number out of range.
json parse_json(std::string_view text, const std::string& file) {
  try {
    return util::parse_strict_json(text, kMaxConfigDepth).root;
  } catch (const util::JsonError& e) {
    throw ConfigError(file + ": " + e.what());
  }
}

void read_http(ObjectReader in, HttpConfig& http) {
  in.read("listen", http.listen);
  in.read("admin_token", http.admin_token);
  in.read("admin_token_file", http.admin_token_file);
  in.read("read_timeout_seconds", http.read_timeout_seconds);
  in.finish();
}

void read_reconcile(ObjectReader in, ReconcileConfig& r) {
  in.read("interval_seconds", r.interval_seconds);
  in.read("debounce_ms", r.debounce_ms);
  in.read("lock_timeout_ms", r.lock_timeout_ms);
  in.read("statement_timeout_ms", r.statement_timeout_ms);
  in.read("lock_retry_seconds", r.lock_retry_seconds);
  in.read("connect_timeout_seconds", r.connect_timeout_seconds);
  in.read("health_check_seconds", r.health_check_seconds);
  in.read("shutdown_grace_seconds", r.shutdown_grace_seconds);
  in.read("progress_log_seconds", r.progress_log_seconds);
  in.finish();
}

void read_alembic(ObjectReader in, AlembicConfig& alembic) {
  in.read("revision", alembic.revision);
  in.read("versions_dir", alembic.versions_dir);
  in.read("version_table_schema", alembic.version_table_schema);
  in.finish();
}

void read_scratch(ObjectReader in, ScratchConfig& scratch) {
  in.read("database", scratch.database);
  in.read("url", scratch.url);
  in.read("statement_timeout_ms", scratch.statement_timeout_ms);
  in.finish();
}

void read_fleet(ObjectReader in, FleetConfig& f) {
  ObjectReader tenants = in.child("tenants");
  tenants.read("template", f.tenant_template);
  tenants.read("like", f.tenant_like);
  tenants.read("query", f.tenant_query);
  if (in.has("tenants")) {
    if (f.tenant_template.empty()) tenants.fail(tenants.at("template"), "is required");
    if (f.tenant_like.empty() == f.tenant_query.empty()) {
      tenants.fail(in.at("tenants"), "needs exactly one of \"like\" and \"query\"");
    }
  }
  tenants.finish();
  ObjectReader databases = in.child("databases");
  databases.read("urls", f.database_urls);
  databases.read("like", f.database_like);
  databases.read("query", f.database_query);
  const int ways = int(!f.database_urls.empty()) + int(!f.database_like.empty()) +
                   int(!f.database_query.empty());
  if (in.has("databases") && ways != 1) {
    databases.fail(in.at("databases"), "needs exactly one of \"urls\", \"like\" and \"query\"");
  }
  databases.finish();
  in.read("concurrency", f.concurrency);
  in.read("max_connections", f.max_connections);
  in.read("on_failure", f.on_failure);
  in.read("max_failures", f.max_failures);
  in.read("max_failure_percent", f.max_failure_percent);
  in.read("canary", f.canary);
  in.read("retries", f.retries);
  in.read("retry_backoff_ms", f.retry_backoff_ms);
  in.read("shard", f.shard);
  in.finish();
}

void read_log(ObjectReader in, LogConfig& log) {
  in.read("level", log.level);
  in.read("format", log.format);
  in.finish();
}

}  // namespace

Config load_file(const std::string& path) {
  std::string text;
  try {
    text = util::read_file(path, kMaxConfigBytes);
  } catch (const util::FileError& e) {
    throw ConfigError(path + ": cannot read the configuration file: " + e.what());
  }
  return parse_text(text, path);
}

Config parse_text(std::string_view text, const std::string& path) {
  const json doc = parse_json(text, path);
  Config c;
  c.file = path;
  ObjectReader top(doc, path, "");
  top.read("database_url", c.database_url);
  if (!c.database_url.empty()) c.database_url_source = "config file";
  top.read("model", c.model);
  top.read("model_format", c.model_format);
  top.read("model_schema", c.model_schema);
  top.read("model_max_bytes", c.model_max_bytes);
  top.read("environment", c.environment);
  top.read("lock_name", c.lock_name);
  top.read("create_database", c.create_database);
  top.read("replace", c.replace, replace_kinds());
  read_http(top.child("http"), c.http);
  read_reconcile(top.child("reconcile"), c.reconcile);
  read_alembic(top.child("alembic"), c.alembic);
  read_log(top.child("log"), c.log);
  read_scratch(top.child("scratch"), c.scratch);
  read_fleet(top.child("fleet"), c.fleet);
  top.finish();

  const std::string dir = std::filesystem::path(path).parent_path().string();
  c.model = relative_to(dir, c.model);
  c.http.admin_token_file = relative_to(dir, c.http.admin_token_file);
  c.alembic.versions_dir = relative_to(dir, c.alembic.versions_dir);
  validate(c);
  return c;
}

Getenv process_environment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

void apply_environment(Config& c, const Getenv& getenv) {
  auto set = [&](const char* name, std::string& target) {
    auto value = getenv(name);
    if (value && !value->empty()) target = *value;
  };
  set("SCHEMAD_MODEL", c.model);
  set("SCHEMAD_MODEL_FORMAT", c.model_format);
  set("SCHEMAD_MODEL_SCHEMA", c.model_schema);
  set("SCHEMAD_SCRATCH_DATABASE", c.scratch.database);
  set("SCHEMAD_SCRATCH_URL", c.scratch.url);
  set("SCHEMAD_ENV", c.environment);
  set("SCHEMAD_HTTP_LISTEN", c.http.listen);
  set("SCHEMAD_ADMIN_TOKEN_FILE", c.http.admin_token_file);
  set("SCHEMAD_LOG_LEVEL", c.log.level);
  set("SCHEMAD_LOG_FORMAT", c.log.format);
  set("SCHEMAD_DATABASE_PASSWORD_FILE", c.password_file);
  set("SCHEMAD_FLEET_SHARD", c.fleet.shard);
  if (c.password_file.empty()) {
    // systemd's LoadCredential=database-password:... puts it here.
    auto credentials = getenv("CREDENTIALS_DIRECTORY");
    if (credentials && !credentials->empty()) {
      auto candidate = std::filesystem::path(*credentials) / "database-password";
      if (std::filesystem::exists(candidate)) c.password_file = candidate.string();
    }
  }
  for (const char* name : {"DATABASE_URL", "ALEMBIC_DATABASE_URL"}) {
    // The later name wins: ALEMBIC_DATABASE_URL comes first in precedence.
    auto value = getenv(name);
    if (value && !value->empty()) {
      c.database_url = *value;
      c.database_url_source = name;
    }
  }
}

void validate(const Config& c) {
  auto where = [&](const std::string& key) { return (c.file.empty() ? "" : c.file + ": ") + key; };
  if (c.environment != "production" && c.environment != "development") {
    throw ConfigError(where("environment") + ": must be \"production\" or \"development\", not " +
                      util::quote_for_message(c.environment));
  }
  if (c.model_format != "auto" && c.model_format != "json" && c.model_format != "sql") {
    throw ConfigError(where("model_format") + ": must be \"auto\", \"json\" or \"sql\", not " +
                      util::quote_for_message(c.model_format));
  }
  if (c.model_schema.empty() || c.model_schema.size() > 63) {
    throw ConfigError(where("model_schema") + ": must be 1 to 63 bytes, not " +
                      std::to_string(c.model_schema.size()));
  }
  if (c.scratch.database.empty() || c.scratch.database.size() > 63) {
    throw ConfigError(where("scratch.database") + ": must be 1 to 63 bytes, not " +
                      std::to_string(c.scratch.database.size()));
  }
  if (c.scratch.statement_timeout_ms < 1) {
    throw ConfigError(where("scratch.statement_timeout_ms") + ": must be at least 1, not " +
                      std::to_string(c.scratch.statement_timeout_ms));
  }
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error"};
  if (levels.count(c.log.level) == 0) {
    throw ConfigError(where("log.level") +
                      ": must be one of trace, debug, info, warn, error, not " +
                      util::quote_for_message(c.log.level));
  }
  if (c.log.format != "text" && c.log.format != "json") {
    throw ConfigError(where("log.format") + ": must be \"text\" or \"json\", not " +
                      util::quote_for_message(c.log.format));
  }
  if (c.http.read_timeout_seconds < 1) {
    throw ConfigError(where("http.read_timeout_seconds") + ": must be at least 1, not " +
                      std::to_string(c.http.read_timeout_seconds));
  }
  if (c.reconcile.health_check_seconds < 1) {
    throw ConfigError(where("reconcile.health_check_seconds") + ": must be at least 1, not " +
                      std::to_string(c.reconcile.health_check_seconds));
  }
  if (c.reconcile.progress_log_seconds < 1) {
    throw ConfigError(where("reconcile.progress_log_seconds") + ": must be at least 1, not " +
                      std::to_string(c.reconcile.progress_log_seconds));
  }
  if (c.alembic.version_table_schema.empty() || c.alembic.version_table_schema.size() > 63) {
    throw ConfigError(where("alembic.version_table_schema") + ": must be 1 to 63 bytes, not " +
                      std::to_string(c.alembic.version_table_schema.size()));
  }
  const FleetConfig& f = c.fleet;
  if (f.tenant_template.size() > 63) {
    throw ConfigError(where("fleet.tenants.template") + ": must be 1 to 63 bytes, not " +
                      std::to_string(f.tenant_template.size()));
  }
  if (f.concurrency < 1 || f.concurrency > 256) {
    throw ConfigError(where("fleet.concurrency") + ": must be 1 to 256, not " +
                      std::to_string(f.concurrency));
  }
  if (f.max_connections < 1) {
    throw ConfigError(where("fleet.max_connections") + ": must be at least 1, not " +
                      std::to_string(f.max_connections));
  }
  if (f.on_failure != "continue" && f.on_failure != "stop") {
    throw ConfigError(where("fleet.on_failure") + ": must be \"continue\" or \"stop\", not " +
                      util::quote_for_message(f.on_failure));
  }
  if (f.max_failure_percent > 100) {
    throw ConfigError(where("fleet.max_failure_percent") + ": must be 0 to 100, not " +
                      std::to_string(f.max_failure_percent));
  }
  if (f.retries > 10) {
    throw ConfigError(where("fleet.retries") + ": must be 0 to 10, not " +
                      std::to_string(f.retries));
  }
  if (c.alembic.revision.size() > 32) {
    throw ConfigError(where("alembic.revision") + ": at most 32 characters, not " +
                      std::to_string(c.alembic.revision.size()));
  }
}

}  // namespace schemad::config
