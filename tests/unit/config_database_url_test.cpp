#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>

#include "config/database_url.hpp"
#include "db/connection.hpp"
#include "fuzz/url_oracle.hpp"

using namespace schemad;

TEST_CASE("libpq URLs and keyword strings pass through untouched", "[url]") {
  CHECK(config::normalize_url("postgresql://app@db:5432/app").conninfo ==
        "postgresql://app@db:5432/app");
  CHECK(config::normalize_url("host=db dbname=app").conninfo == "host=db dbname=app");
  CHECK(config::normalize_url("").conninfo.empty());
}

TEST_CASE("SQLAlchemy driver suffixes are stripped", "[url]") {
  CHECK(config::normalize_url("postgresql+psycopg2://app:pw@db/app").conninfo ==
        "postgresql://app:pw@db/app");
  CHECK(config::normalize_url("postgresql+asyncpg://app@db/app").conninfo ==
        "postgresql://app@db/app");
  CHECK(config::normalize_url("postgres://app@db/app").conninfo == "postgres://app@db/app");
}

TEST_CASE("asyncpg's ssl parameter becomes sslmode", "[url]") {
  CHECK(config::normalize_url("postgresql+asyncpg://app@db/app?ssl=require").conninfo ==
        "postgresql://app@db/app?sslmode=require");
  CHECK(config::normalize_url("postgresql+asyncpg://app@db/app?ssl=true").conninfo ==
        "postgresql://app@db/app?sslmode=require");
  CHECK(config::normalize_url("postgresql+asyncpg://app@db/app?ssl=false").conninfo ==
        "postgresql://app@db/app?sslmode=disable");
}

TEST_CASE("parameters libpq does not know are dropped with a warning", "[url]") {
  auto n = config::normalize_url(
      "postgresql://app@db/app?prepared_statement_cache_size=0&application_name=web&pool_size=5");
  CHECK(n.conninfo == "postgresql://app@db/app?application_name=web");
  REQUIRE(n.warnings.size() == 2);
  CHECK(n.warnings[0].find("prepared_statement_cache_size") != std::string::npos);
  CHECK(n.warnings[1].find("pool_size") != std::string::npos);
}

TEST_CASE("an unparseable URL is refused without echoing the password", "[url]") {
  for (const std::string url : {"postgresql://app:s3cret@[::1/app", "host=db password=s3cret x",
                                "postgresql://app:s3cret@db/app?sslmode=bogus%zz"}) {
    try {
      config::normalize_url(url);
      FAIL("accepted " << url);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find("invalid database URL") != std::string::npos);
      CHECK(std::string(e.what()).find("s3cret") == std::string::npos);
    }
  }
}

TEST_CASE("the target shown to people never contains the password", "[url]") {
  const std::string shown = config::describe_target("postgresql://app:s3cret@db:6543/shop");
  CHECK(shown == "postgresql://app@db:6543/shop");
  CHECK(config::describe_target("host=db user=app password=s3cret dbname=shop").find("s3cret") ==
        std::string::npos);
}

TEST_CASE("keyword strings are rendered with libpq's quoting", "[url]") {
  CHECK(config::render_conninfo({{"host", "db"}, {"password", "it's \\ ok"}}) ==
        "host='db' password='it\\'s \\\\ ok'");
  auto round_trip = config::parse_conninfo(config::render_conninfo({{"password", "a'b\\c d"}}));
  CHECK(round_trip["password"] == "a'b\\c d");
}

TEST_CASE("session settings travel in the startup options", "[url]") {
  db::ConnectionOptions o;
  o.conninfo = "postgresql://app@db/app?options=-c%20work_mem%3D64MB";
  o.lock_timeout_ms = 3000;
  o.statement_timeout_ms = 60000;
  auto values = config::parse_conninfo(db::effective_conninfo(o));
  CHECK(values["options"] ==
        "-c work_mem=64MB -c lock_timeout=3000 -c statement_timeout=60000 "
        "-c standard_conforming_strings=on");
  CHECK(values["connect_timeout"] == "10");
  CHECK(values["application_name"] == "schemad");
  CHECK(values["dbname"] == "app");
}

TEST_CASE("a password with an unencoded @ and a bad % escape is not printed", "[url]") {
  // libpq splits the user-info at the first '@' and quotes the token it
  // cannot decode: "invalid percent-encoded token: "Pass%zz"".
  const std::string url = "postgresql://u:Pass%zz@x@h/db";
  std::string message;
  try {
    config::normalize_url(url);
  } catch (const std::invalid_argument& e) {
    message = e.what();
  }
  CHECK_THAT(message, Catch::StartsWith("invalid database URL: "));
  CHECK(message.find("Pass") == std::string::npos);
  CHECK(test::password_leak(url).empty());
  CHECK(config::passwords_in(url) == std::vector<std::string>{"Pass%zz"});
}

TEST_CASE("passwords are found exactly where libpq finds them", "[url]") {
  // Each: a connection string and the password libpq reads from it.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"postgresql://u:p%40ss@h/db", "p@ss"},
      {"postgresql://u:a:b@h/db", "a:b"},
      {"postgresql://u:pw?x@h/db", "pw?x"},  // '?' before the first '@' is user-info
      {"postgresql://u@h/db?password=s%3Dx&sslmode=disable", "s=x"},
      {"postgresql://u@h/db?pass%77ord=enc", "enc"},  // libpq decodes keys too
      {"postgres://:only@h", "only"},
      {"host=h password='it\\'s a secret' dbname=d", "it's a secret"},
      {"host=h password=back\\ slash", "back slash"},
      {"password =  spaced host=h", "spaced"},
  };
  for (const auto& [conninfo, expected] : cases) {
    INFO(conninfo);
    REQUIRE(test::libpq_password(conninfo) == expected);
    const auto found = config::passwords_in(conninfo);
    CHECK(std::find(found.begin(), found.end(), expected) != found.end());
    CHECK(config::mask_passwords("x " + expected + " y", conninfo) == "x *** y");
  }
}

TEST_CASE("no message built from an adversarial URL contains libpq's password", "[url]") {
  // Random strings over the characters that libpq's splitting turns on,
  // many with a password next to a bad escape, an extra '@' or a query.
  const std::string alphabet = ":@/?&=%'\\ ,[]#aZ09xp";
  std::uint32_t state = 12345;
  auto next = [&] {
    state = state * 1103515245u + 12345u;
    return state >> 16;
  };
  int checked = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string s;
    const int length = 1 + static_cast<int>(next() % 24);
    for (int k = 0; k < length; ++k) s += alphabet[next() % alphabet.size()];
    const char* prefixes[] = {"postgresql://", "postgresql://u:", "postgres://u:pw",
                              "password=", "host=h password="};
    const std::string input = prefixes[next() % 5] + s;
    const std::string leak = test::password_leak(input);
    INFO(input);
    REQUIRE(leak.empty());
    if (test::libpq_password(input) || test::libpq_written_password(input)) ++checked;
  }
  CHECK(checked > 1000);  // the oracle had something to say often enough
}
