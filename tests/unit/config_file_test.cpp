#include <sys/stat.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <map>

#include "config/config.hpp"
#include "support/process.hpp"

using namespace schemad;

namespace {
config::Getenv fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}
}  // namespace

TEST_CASE("the documented example configuration loads", "[config]") {
  auto c = config::load_file(std::string(SCHEMAD_SOURCE_DIR) + "/config/schemad.example.json");
  CHECK(c.reconcile.lock_timeout_ms == 5000);
  CHECK(c.alembic.version_table_schema == "public");
  CHECK(c.database_url_source == "config file");
}

TEST_CASE("every key has its documented default", "[config]") {
  config::Config c;
  CHECK(c.http.listen == "127.0.0.1:9432");
  CHECK(c.environment == "production");
  CHECK(c.reconcile.interval_seconds == 0);
  CHECK(c.reconcile.debounce_ms == 500);
  CHECK(c.reconcile.lock_timeout_ms == 5000);
  CHECK(c.reconcile.statement_timeout_ms == 0);
  CHECK(c.reconcile.lock_retry_seconds == 120);
  CHECK(c.log.level == "info");
  CHECK(c.log.format == "text");
}

TEST_CASE("an unknown key in the configuration is refused with its path", "[config]") {
  auto path = test::write_temp_file("typo.json", R"j({"reconcile": {"lock_timout_ms": 10}})j");
  CHECK_THROWS_WITH(config::load_file(path),
                    Catch::Contains("reconcile.lock_timout_ms: unknown key \"lock_timout_ms\""));
}

TEST_CASE("x- keys in the configuration are the user's own", "[config]") {
  auto path = test::write_temp_file("x.json", R"j({"x-team": "payments", "http": {"x-note": 1}})j");
  CHECK_NOTHROW(config::load_file(path));
}

TEST_CASE("a wrongly typed value names its key", "[config]") {
  auto path = test::write_temp_file("type.json", R"j({"reconcile": {"debounce_ms": "500"}})j");
  CHECK_THROWS_WITH(config::load_file(path),
                    Catch::Contains("reconcile.debounce_ms: must be a non-negative integer"));
  auto env = test::write_temp_file("env.json", R"j({"environment": "staging"})j");
  CHECK_THROWS_WITH(config::load_file(env), Catch::Contains("environment: must be"));
}

TEST_CASE("a refused configuration value is named beside what it must be", "[config]") {
  auto error_of = [](const std::string& text) {
    try {
      config::load_file(test::write_temp_file("v.json", text));
    } catch (const std::exception& e) {
      const std::string what = e.what();
      return what.substr(what.find(".json: ") + 7);
    }
    return std::string("<loaded>");
  };
  CHECK(error_of(R"j({"reconcile": {"debounce_ms": "500"}})j") ==
        "reconcile.debounce_ms: must be a non-negative integer, not \"500\"");
  CHECK(error_of(R"j({"reconcile": {"debounce_ms": -1}})j") ==
        "reconcile.debounce_ms: must be a non-negative integer, not -1");
  CHECK(error_of(R"j({"create_database": "yes"})j") ==
        "create_database: must be true or false, not \"yes\"");
  CHECK(error_of(R"j({"model": 5})j") == "model: must be a string, not 5");
  CHECK(error_of(R"j({"http": "0.0.0.0:9432"})j") ==
        "http: must be a JSON object, not \"0.0.0.0:9432\"");
  CHECK(error_of("[1, 2]") == "the file: must be a JSON object, not an array of 2 items");
  CHECK(error_of(R"j({"log": {"level": "verbose"}})j") ==
        "log.level: must be one of trace, debug, info, warn, error, not \"verbose\"");
  CHECK(error_of(R"j({"log": {"format": "xml"}})j") ==
        "log.format: must be \"text\" or \"json\", not \"xml\"");
  CHECK(error_of(R"j({"http": {"read_timeout_seconds": 0}})j") ==
        "http.read_timeout_seconds: must be at least 1, not 0");
  CHECK(error_of(R"j({"alembic": {"version_table_schema": ""}})j") ==
        "alembic.version_table_schema: must be 1 to 63 bytes, not 0");
}

TEST_CASE("relative paths in the configuration are relative to its folder", "[config]") {
  auto path = test::write_temp_file("conf/rel.json", R"j({"model": "models/app.json"})j");
  auto c = config::load_file(path);
  CHECK(c.model == (std::filesystem::path(path).parent_path() / "models/app.json").string());
}

TEST_CASE("environment variables override the file", "[config]") {
  config::Config c;
  c.database_url = "postgresql://file/db";
  c.database_url_source = "config file";
  config::apply_environment(c, fake_env({{"SCHEMAD_MODEL", "/m.json"},
                                         {"SCHEMAD_ENV", "development"},
                                         {"DATABASE_URL", "postgresql://plain/db"}}));
  CHECK(c.model == "/m.json");
  CHECK(c.environment == "development");
  CHECK(c.database_url == "postgresql://plain/db");
  CHECK(c.database_url_source == "DATABASE_URL");
}

TEST_CASE("ALEMBIC_DATABASE_URL wins over DATABASE_URL", "[config]") {
  config::Config c;
  config::apply_environment(c, fake_env({{"DATABASE_URL", "postgresql://plain/db"},
                                         {"ALEMBIC_DATABASE_URL", "postgresql://alembic/db"}}));
  CHECK(c.database_url == "postgresql://alembic/db");
  CHECK(c.database_url_source == "ALEMBIC_DATABASE_URL");
}

TEST_CASE("systemd's credential directory supplies the password file", "[config]") {
  auto pw = test::write_temp_file("creds/database-password", "s3cret\n");
  config::Config c;
  config::apply_environment(
      c, fake_env({{"CREDENTIALS_DIRECTORY", std::filesystem::path(pw).parent_path().string()}}));
  CHECK(c.password_file == pw);
  config::Config explicit_file;
  config::apply_environment(explicit_file,
                            fake_env({{"CREDENTIALS_DIRECTORY", "/nonexistent"},
                                      {"SCHEMAD_DATABASE_PASSWORD_FILE", "/run/secrets/pw"}}));
  CHECK(explicit_file.password_file == "/run/secrets/pw");
}

namespace {

// A path in the test's temporary directory that does not exist yet.
std::string fresh_path(const std::string& name) {
  auto dir = std::filesystem::path(test::write_temp_file("config-special/.keep", "")).parent_path();
  auto path = dir / name;
  std::filesystem::remove(path);
  return path.string();
}

}  // namespace

TEST_CASE("a configuration file that cannot be read is an error naming it and why", "[config]") {
  CHECK_THROWS_WITH(
      config::load_file("/nonexistent/schemad.json"),
      "/nonexistent/schemad.json: cannot read the configuration file: No such file or directory");
  CHECK_THROWS_AS(config::load_file("/tmp"), config::ConfigError);
  CHECK_THROWS_WITH(config::load_file("/tmp"),
                    "/tmp: cannot read the configuration file: not a regular file");
}

TEST_CASE("a configuration file that is a FIFO is refused, not waited on", "[config]") {
  auto fifo = fresh_path("fifo.json");
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK_THROWS_WITH(config::load_file(fifo),
                    fifo + ": cannot read the configuration file: not a regular file");
}

TEST_CASE("a configuration file linked to /dev/zero is refused, not read forever", "[config]") {
  auto zero = fresh_path("zero.json");
  std::filesystem::create_symlink("/dev/zero", zero);
  CHECK_THROWS_WITH(config::load_file(zero),
                    zero + ": cannot read the configuration file: not a regular file");
}

TEST_CASE("a configuration file over 1 MiB is refused", "[config]") {
  const std::string json = R"({"environment": "development"})";
  std::string at_limit = json + std::string(config::kMaxConfigBytes - json.size(), ' ');
  auto path = test::write_temp_file("config-special/large.json", at_limit);
  CHECK(config::load_file(path).environment == "development");
  path = test::write_temp_file("config-special/large.json", at_limit + " ");
  CHECK_THROWS_WITH(config::load_file(path), path +
                                                 ": cannot read the configuration file: 1048577 "
                                                 "bytes, more than the limit of 1048576");
}

TEST_CASE("a number out of range in the configuration names the file, not nlohmann", "[config]") {
  auto path = test::write_temp_file("config-special/huge-number.json", R"j({"x-a": 1e400})j");
  CHECK_THROWS_AS(config::load_file(path), config::ConfigError);
  CHECK_THROWS_WITH(config::load_file(path), Catch::StartsWith(path + ": invalid JSON: "));
  CHECK_THROWS_WITH(config::load_file(path), !Catch::Contains("json.exception"));
}

TEST_CASE("a key repeated in the configuration is refused at its path, like the model's",
          "[config]") {
  auto path = test::write_temp_file("config-special/twice.json",
                                    R"j({"http": {"listen": ":1", "listen": ":2"}})j");
  CHECK_THROWS_WITH(config::load_file(path), path + ": http.listen: duplicate key \"listen\"");
  path = test::write_temp_file("config-special/deep.json",
                               std::string(100, '[') + std::string(100, ']'));
  CHECK_THROWS_WITH(config::load_file(path), Catch::Contains("nested deeper than 64 levels"));
}

TEST_CASE("a long value or key in the configuration is quoted by its first bytes only",
          "[config]") {
  const std::string long_text(1 << 19, 'x');  // half the file limit
  auto path = test::write_temp_file("config-special/long-value.json",
                                    R"j({"environment": ")j" + long_text + R"j("})j");
  std::string message;
  try {
    config::load_file(path);
  } catch (const config::ConfigError& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Contains("environment: must be \"production\" or \"development\", "
                                      "not \"xxxx"));
  CHECK_THAT(message, Catch::EndsWith("\" (524288 bytes)"));
  CHECK(message.size() < 300);
  path = test::write_temp_file("config-special/long-key.json",
                               R"j({"http": {")j" + long_text + R"j(": 1}})j");
  try {
    config::load_file(path);
  } catch (const config::ConfigError& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::Contains(": unknown key \"xxxx"));
  CHECK(message.size() < 400);
}

TEST_CASE("replace and model_max_bytes are read, and refused with their place", "[config]") {
  auto good = test::write_temp_file(
      "objects.json", R"j({"replace": ["views", "functions"], "model_max_bytes": 33554432})j");
  const auto c = config::load_file(good);
  CHECK(c.replace == std::vector<std::string>{"views", "functions"});
  CHECK(c.model_max_bytes == 33554432);
  CHECK(config::Config().replace.empty());
  CHECK(config::Config().model_max_bytes == 0);

  auto twice = test::write_temp_file("twice.json", R"j({"replace": ["views", "views"]})j");
  CHECK_THROWS_WITH(config::load_file(twice), Catch::EndsWith("replace[1]: repeats \"views\""));
  auto policies = test::write_temp_file("pol.json", R"j({"replace": ["policies"]})j");
  CHECK_THROWS_WITH(config::load_file(policies),
                    Catch::EndsWith("replace[0]: must be one of \"functions\", \"views\", "
                                    "\"triggers\", not \"policies\""));
  auto scalar = test::write_temp_file("scalar.json", R"j({"replace": "views"})j");
  CHECK_THROWS_WITH(config::load_file(scalar),
                    Catch::EndsWith("replace: must be an array of strings, not \"views\""));
  auto negative = test::write_temp_file("neg.json", R"j({"model_max_bytes": -1})j");
  CHECK_THROWS_WITH(config::load_file(negative),
                    Catch::Contains("model_max_bytes: must be a non-negative integer"));
}

TEST_CASE("the fleet section: tenants, databases, policy, each error at its key",
          "[config][fleet]") {
  auto ok = test::write_temp_file("fleet.json", R"j({"fleet": {
    "tenants": {"template": "tenant", "like": "tenant\\_%"},
    "databases": {"urls": ["postgresql://h/a", "postgresql://h/b"]},
    "concurrency": 8, "max_connections": 4, "on_failure": "stop", "max_failures": 3,
    "max_failure_percent": 10, "canary": ["a/tenant_1"], "retries": 2,
    "retry_backoff_ms": 50, "shard": "1/3"}})j");
  const config::Config c = config::load_file(ok);
  CHECK(c.fleet.enabled());
  CHECK(c.fleet.tenant_template == "tenant");
  CHECK(c.fleet.tenant_like == "tenant\\_%");
  CHECK(c.fleet.database_urls.size() == 2);
  CHECK(c.fleet.concurrency == 8);
  CHECK(c.fleet.max_connections == 4);
  CHECK(c.fleet.on_failure == "stop");
  CHECK(c.fleet.canary == std::vector<std::string>{"a/tenant_1"});
  CHECK(c.fleet.shard == "1/3");
  CHECK_FALSE(config::Config{}.fleet.enabled());

  auto fails = [](const std::string& fleet, const std::string& message) {
    auto path = test::write_temp_file("bad_fleet.json", "{\"fleet\": " + fleet + "}");
    INFO(fleet);
    CHECK_THROWS_WITH(config::load_file(path), Catch::Contains(message));
  };
  fails(R"j({"tenants": {"like": "t_%"}})j", "fleet.tenants.template: is required");
  fails(R"j({"tenants": {"template": "t"}})j",
        "fleet.tenants: needs exactly one of \"like\" and \"query\"");
  fails(R"j({"tenants": {"template": "t", "like": "a", "query": "SELECT 1"}})j",
        "fleet.tenants: needs exactly one of");
  fails(R"j({"tenants": {"template": "t", "like": "a", "pattern": "b"}})j",
        "fleet.tenants.pattern: unknown key");
  fails(R"j({"databases": {}})j",
        "fleet.databases: needs exactly one of \"urls\", \"like\" and \"query\"");
  fails(R"j({"databases": {"like": "a", "query": "SELECT 'a'"}})j",
        "fleet.databases: needs exactly one of");
  fails(R"j({"databases": {"urls": ["a", "a"]}})j", "fleet.databases.urls[1]: repeats");
  fails(R"j({"databases": {"urls": [""]}})j", "fleet.databases.urls[0]: must be a non-empty");
  fails(R"j({"concurrency": 0})j", "fleet.concurrency: must be 1 to 256, not 0");
  fails(R"j({"max_connections": 0})j", "fleet.max_connections: must be at least 1, not 0");
  fails(R"j({"on_failure": "halt"})j", "fleet.on_failure: must be \"continue\" or \"stop\"");
  fails(R"j({"max_failure_percent": 101})j", "fleet.max_failure_percent: must be 0 to 100");
  fails(R"j({"retries": 11})j", "fleet.retries: must be 0 to 10, not 11");
  fails(R"j({"canary": "a"})j", "fleet.canary: must be an array of strings");
}

TEST_CASE("SCHEMAD_FLEET_SHARD sets the shard", "[config][fleet]") {
  config::Config c;
  config::apply_environment(c, fake_env({{"SCHEMAD_FLEET_SHARD", "ordinal/3"}}));
  CHECK(c.fleet.shard == "ordinal/3");
}
