#include <catch2/catch.hpp>

#include "util/sql_text.hpp"

using namespace schemad;

TEST_CASE("identifiers are always quoted, embedded quotes doubled", "[sql]") {
  CHECK(sql::ident("users") == "\"users\"");
  CHECK(sql::ident("Order") == "\"Order\"");
  CHECK(sql::ident("we\"ird") == "\"we\"\"ird\"");
}

TEST_CASE("literals double single quotes and keep backslashes as they are", "[sql]") {
  CHECK(sql::literal("active") == "'active'");
  CHECK(sql::literal("it's") == "'it''s'");
  CHECK(sql::literal("a\\b") == "'a\\b'");
}

TEST_CASE("text arrays escape quotes and backslashes for array parameters", "[sql]") {
  CHECK(sql::text_array({}) == "{}");
  CHECK(sql::text_array({"public", "app"}) == "{\"public\",\"app\"}");
  CHECK(sql::text_array({"a\"b", "c\\d", "x,y"}) == "{\"a\\\"b\",\"c\\\\d\",\"x,y\"}");
}
