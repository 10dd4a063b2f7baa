#include <catch2/catch.hpp>
#include <string>
#include <string_view>
#include <vector>

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

namespace {

// Each token as "kind text" ("space" alone), "!" appended when unterminated.
std::vector<std::string> tokens(std::string_view text) {
  std::vector<std::string> out;
  for (const sql::Token& t : sql::lex(text)) {
    std::string kind;
    switch (t.kind) {
      case sql::Token::Kind::space:
        kind = "space";
        break;
      case sql::Token::Kind::word:
        kind = "word";
        break;
      case sql::Token::Kind::quoted_identifier:
        kind = "ident";
        break;
      case sql::Token::Kind::string:
        kind = "string";
        break;
      case sql::Token::Kind::number:
        kind = "number";
        break;
      case sql::Token::Kind::parameter:
        kind = "param";
        break;
      case sql::Token::Kind::op:
        kind = "op";
        break;
    }
    std::string item = t.kind == sql::Token::Kind::space ? kind : kind + " " + t.text;
    out.push_back(t.unterminated ? item + "!" : item);
  }
  return out;
}

using Tokens = std::vector<std::string>;

}  // namespace

TEST_CASE("the lexer splits words, numbers, operators and punctuation", "[sql][lex]") {
  CHECK(tokens("") == Tokens{});
  CHECK(tokens("lower(a_1$) >= -12.5e3") == Tokens{"word lower", "op (", "word a_1$", "op )",
                                                   "space", "op >=", "space", "op -",
                                                   "number 12.5e3"});
  CHECK(tokens("x::int[], y:=1;") == Tokens{"word x", "op ::", "word int", "op [", "op ]", "op ,",
                                            "space", "word y", "op :=", "number 1", "op ;"});
  CHECK(tokens("t.a") == Tokens{"word t", "op .", "word a"});
  CHECK(tokens(".5 1. 1e-3 1E+3 0x1F 1_000 12abc") ==
        Tokens{"number .5", "space", "number 1.", "space", "number 1e-3", "space", "number 1E+3",
               "space", "number 0x1F", "space", "number 1_000", "space", "number 12abc"});
  CHECK(tokens("1..5") == Tokens{"number 1", "op .", "number .5"});
  CHECK(tokens("{\\}") == Tokens{"op {", "op \\", "op }"});
}

TEST_CASE("operators end as PostgreSQL ends them", "[sql][lex]") {
  // A trailing + or - is its own token unless the operator has one of
  // ~!@#^&|`?% (so "=-1" is "=" and "-1").
  CHECK(tokens("a=-1") == Tokens{"word a", "op =", "op -", "number 1"});
  CHECK(tokens("a@-1") == Tokens{"word a", "op @-", "number 1"});
  CHECK(tokens("a<>b||c") == Tokens{"word a", "op <>", "word b", "op ||", "word c"});
  // A comment starts inside an operator.
  CHECK(tokens("a+--c") == Tokens{"word a", "op +", "space"});
  CHECK(tokens("a*/*c*/b") == Tokens{"word a", "op *", "space", "word b"});
}

TEST_CASE("quotes inside strings and doubled quotes stay in their token", "[sql][lex]") {
  CHECK(tokens("'it''s' \"a\"\"b\"") == Tokens{"string 'it''s'", "space", "ident a\"b"});
  CHECK(tokens("'say \"hi\"'") == Tokens{"string 'say \"hi\"'"});
  CHECK(tokens("\"it's\"") == Tokens{"ident it's"});
  CHECK(tokens("'a -- b /* c'") == Tokens{"string 'a -- b /* c'"});
  CHECK(tokens("\"\"") == Tokens{"ident "});
  // A backslash is an ordinary character in a plain string.
  CHECK(tokens("'a\\' x") == Tokens{"string 'a\\'", "space", "word x"});
}

TEST_CASE("E-strings take backslash escapes", "[sql][lex]") {
  CHECK(tokens("E'it\\'s' x") == Tokens{"string E'it\\'s'", "space", "word x"});
  CHECK(tokens("e'a\\\\' x") == Tokens{"string e'a\\\\'", "space", "word x"});
  CHECK(tokens("e'a''b'") == Tokens{"string e'a''b'"});
  // Only a lone E starts one: "nE" is a word before a plain string.
  CHECK(tokens("nE'a\\'") == Tokens{"word nE", "string 'a\\'"});
}

TEST_CASE("dollar quoting runs to the same tag", "[sql][lex]") {
  CHECK(tokens("$$it's \"x\"$$") == Tokens{"string $$it's \"x\"$$"});
  CHECK(tokens("$fn$ a $$ b $fn$ c") == Tokens{"string $fn$ a $$ b $fn$", "space", "word c"});
  CHECK(tokens("$1 + $23") == Tokens{"param $1", "space", "op +", "space", "param $23"});
  // In a word, $ is a word character; a $ that starts no tag is an operator.
  CHECK(tokens("a$$b$$") == Tokens{"word a$$b$$"});
  CHECK(tokens("$ x") == Tokens{"op $", "space", "word x"});
  CHECK(tokens("$a b") == Tokens{"op $", "word a", "space", "word b"});
}

TEST_CASE("unterminated quotes and comments run to the end, flagged, without throwing",
          "[sql][lex]") {
  CHECK(tokens("a = 'abc") == Tokens{"word a", "space", "op =", "space", "string 'abc!"});
  CHECK(tokens("\"ab\"\"") == Tokens{"ident ab\"!"});
  CHECK(tokens("E'a\\") == Tokens{"string E'a\\!"});
  CHECK(tokens("E'a\\'") == Tokens{"string E'a\\'!"});
  CHECK(tokens("$x$ abc $y$") == Tokens{"string $x$ abc $y$!"});
  CHECK(tokens("a /* b /* c */ d") == Tokens{"word a", "space!"});
  CHECK(tokens("a -- b") == Tokens{"word a", "space"});  // a line comment needs no end
  CHECK(tokens("'") == Tokens{"string '!"});
  CHECK(tokens("\"") == Tokens{"ident !"});
  CHECK(tokens(std::string("a\0b", 3)) == Tokens{"word a", std::string("op \0", 4), "word b"});
}

TEST_CASE("UTF-8 bytes are word characters", "[sql][lex]") {
  CHECK(tokens("caf\xC3\xA9_1 = '\xC3\xA9'") ==
        Tokens{"word caf\xC3\xA9_1", "space", "op =", "space", "string '\xC3\xA9'"});
  CHECK(tokens("\xE2\x82\xAC") == Tokens{"word \xE2\x82\xAC"});
}

TEST_CASE("comments are space, block comments nest", "[sql][lex]") {
  CHECK(tokens("a -- b 'c\n+ /* d /* e */ 'f */ 1") ==
        Tokens{"word a", "space", "op +", "space", "number 1"});
  auto lexed = sql::lex("a -- b\n  /* c */ b");
  REQUIRE(lexed.size() == 3);
  CHECK(lexed[1].text == " -- b\n  /* c */ ");
}

TEST_CASE("tokens cover the text, and lexing goes on from any offset", "[sql][lex]") {
  const std::string text = "f(\"A\"\"b\", 'x''y') -- end";
  std::size_t offset = 0;
  for (const sql::Token& t : sql::lex(text)) {
    CHECK(t.offset == offset);
    offset += t.length;
  }
  CHECK(offset == text.size());
  sql::Token ident = sql::lex_one(text, 2);
  CHECK(ident.kind == sql::Token::Kind::quoted_identifier);
  CHECK(ident.text == "A\"b");
  CHECK(ident.offset == 2);
  CHECK(ident.length == 6);
  CHECK(sql::lex_one(text, 9).kind == sql::Token::Kind::space);
  CHECK(sql::lex_one(text, 10).text == "'x''y'");
  sql::Token end = sql::lex_one(text, text.size());
  CHECK(end.kind == sql::Token::Kind::space);
  CHECK(end.offset == text.size());
  CHECK(end.length == 0);
}

TEST_CASE("identifier characters are PostgreSQL's", "[sql][lex]") {
  CHECK(sql::is_identifier_start('a'));
  CHECK(sql::is_identifier_start('Z'));
  CHECK(sql::is_identifier_start('_'));
  CHECK(sql::is_identifier_start('\xC3'));
  CHECK_FALSE(sql::is_identifier_start('1'));
  CHECK_FALSE(sql::is_identifier_start('$'));
  CHECK(sql::is_identifier_char('1'));
  CHECK(sql::is_identifier_char('$'));
  CHECK_FALSE(sql::is_identifier_char('-'));
  CHECK_FALSE(sql::is_identifier_char('\0'));
}

TEST_CASE("identifiers are at most 63 bytes, NAMEDATALEN - 1", "[sql]") {
  CHECK(sql::kMaxIdentifierBytes == 63);
}

TEST_CASE("without_outer_parentheses removes one pair around the whole text only", "[sql]") {
  using schemad::sql::without_outer_parentheses;
  CHECK(without_outer_parentheses("((a > 0))") == "(a > 0)");
  CHECK(without_outer_parentheses("(a > 0)") == "a > 0");
  CHECK(without_outer_parentheses("a > 0") == "a > 0");
  CHECK(without_outer_parentheses("(a) + (b)") == "(a) + (b)");
  CHECK(without_outer_parentheses("(s = ')(')") == "s = ')('");
  CHECK(without_outer_parentheses("(a /* ) */)") == "a /* ) */");
  CHECK(without_outer_parentheses("()") == "");
  CHECK(without_outer_parentheses("") == "");
}
