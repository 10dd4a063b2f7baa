// Pure parts of the operating commands: the probe's URL, reset's guards and
// statements.

#include <catch2/catch.hpp>

#include "apply/reset.hpp"
#include "http/probe.hpp"
#include "model/load.hpp"

using namespace schemad;

TEST_CASE("probe URLs: host, port and target, with IPv6 and defaults", "[ops][probe]") {
  auto u = http::parse_http_url("http://127.0.0.1:9432/readyz");
  CHECK(u.host == "127.0.0.1");
  CHECK(u.port == "9432");
  CHECK(u.target == "/readyz");
  auto plain = http::parse_http_url("http://localhost");
  CHECK(plain.port == "80");
  CHECK(plain.target == "/");
  auto v6 = http::parse_http_url("http://[::1]:8080/healthz?verbose=1");
  CHECK(v6.host == "::1");
  CHECK(v6.port == "8080");
  CHECK(v6.target == "/healthz?verbose=1");
  CHECK(http::parse_http_url("http://h:1?x").target == "/?x");
}

TEST_CASE("probe URLs that cannot be probed are refused with the reason", "[ops][probe]") {
  CHECK_THROWS_WITH(http::parse_http_url("https://127.0.0.1/readyz"),
                    Catch::Contains("must start with http://"));
  CHECK_THROWS_WITH(http::parse_http_url("http:///readyz"), Catch::Contains("no host"));
  CHECK_THROWS_WITH(http::parse_http_url("http://h:0/"), Catch::Contains("1 to 65535"));
  CHECK_THROWS_WITH(http::parse_http_url("http://h:70000/"), Catch::Contains("1 to 65535"));
  CHECK_THROWS_WITH(http::parse_http_url("http://h:x/"), Catch::Contains("1 to 65535"));
  CHECK_THROWS_WITH(http::parse_http_url("http://[::1/"), Catch::Contains("unclosed ["));
  CHECK_THROWS_WITH(http::parse_http_url("http://u:p@h/"), Catch::Contains("user information"));
}

TEST_CASE("reset names every condition that refuses it", "[ops][reset]") {
  CHECK(apply::reset_refusals({"development", true, "app_dev"}, "app_dev").empty());
  auto all = apply::reset_refusals({"production", false, ""}, "app");
  REQUIRE(all.size() == 3);
  CHECK_THAT(all[0], Catch::Contains("\"production\", not \"development\""));
  CHECK_THAT(all[1], Catch::Contains("--yes"));
  CHECK_THAT(all[2], Catch::Contains("--confirm was not given"));
  auto wrong = apply::reset_refusals({"development", true, "app_prod"}, "app_dev");
  REQUIRE(wrong.size() == 1);
  CHECK(wrong[0] == "--confirm \"app_prod\" does not match the database, \"app_dev\"");
}

TEST_CASE("reset drops the model's tables and enums and schemad's bookkeeping", "[ops][reset]") {
  auto model = model::load_text(R"j({"version": 1, "schema": "app",
    "enums": [{"name": "mood", "values": ["ok"]}],
    "tables": [{"name": "t", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                         {"name": "m", "type": "mood"}]}]})j",
                                "m.json");
  auto sql = apply::reset_sql(model, "meta");
  REQUIRE(sql.size() == 5);
  CHECK(sql[0] == "DROP TABLE IF EXISTS \"app\".\"t\" CASCADE");
  CHECK(sql[1] == "DROP TYPE IF EXISTS \"app\".\"mood\" CASCADE");
  CHECK(sql[2] == "DROP TABLE IF EXISTS \"meta\".\"alembic_version\"");
  CHECK(sql[3] == "DROP TABLE IF EXISTS \"meta\".\"schemad_history\"");
  CHECK(sql[4] == "DROP TABLE IF EXISTS \"meta\".\"schemad_memo\"");
}
