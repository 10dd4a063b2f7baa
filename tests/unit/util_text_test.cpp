#include <catch2/catch.hpp>
#include <string>

#include "util/text.hpp"

using namespace schemad;

TEST_CASE("ascii_lower folds A to Z only, as PostgreSQL folds identifiers", "[util][text]") {
  CHECK(util::ascii_lower("MiXeD_Case1$") == "mixed_case1$");
  CHECK(util::ascii_lower("") == "");
  // UTF-8 letters are left as they are: "É" stays "É".
  CHECK(util::ascii_lower("\xC3\x89T\xC3\x89") == "\xC3\x89t\xC3\x89");
  CHECK(util::ascii_lower(std::string("A\0B", 3)) == std::string("a\0b", 3));
  CHECK(util::ascii_lower('Q') == 'q');
  CHECK(util::ascii_lower('@') == '@');
  CHECK(util::ascii_lower('[') == '[');
}

TEST_CASE("iequals compares ignoring ASCII case only", "[util][text]") {
  CHECK(util::iequals("Bearer ", "bEARER "));
  CHECK(util::iequals("", ""));
  CHECK_FALSE(util::iequals("Bearer", "Bearer "));
  CHECK_FALSE(util::iequals("abc", "abd"));
  CHECK_FALSE(util::iequals("\xC3\x89", "\xC3\xA9"));  // É and é
  CHECK_FALSE(util::iequals("@", "`"));                // 0x40 and 0x60
}

TEST_CASE("trim removes whitespace or the given characters at the ends", "[util][text]") {
  CHECK(util::trim(" \t\n a b \r\n\v\f") == "a b");
  CHECK(util::trim_right("  a b \n") == "  a b");
  CHECK(util::trim_left("  a b \n") == "a b \n");
  CHECK(util::trim("   ").empty());
  CHECK(util::trim_right(" \n").empty());
  CHECK(util::trim_left("").empty());
  CHECK(util::trim_right("s3cret \r\n", "\r\n") == "s3cret ");
  CHECK(util::trim_right("token \r\n", "\r\n ") == "token");
}

TEST_CASE("is_space is isspace in the C locale", "[util][text]") {
  for (char c : {' ', '\t', '\n', '\v', '\f', '\r'}) CHECK(util::is_space(c));
  for (char c : {'\0', 'a', '_', '\xA0'}) CHECK_FALSE(util::is_space(c));
}
