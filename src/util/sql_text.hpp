#pragma once

// SQL text: quoting what schemad generates, and lexing what others wrote.
//
// Quoting: rendering is pure (no connection), so these assume what every
// connection schemad opens sets: standard_conforming_strings = on (in the
// startup options, db/connection.hpp), under which doubling quotes is the
// whole escaping rule.
//
// Lexing: lex() splits SQL text (an expression, a type name) into tokens
// the way PostgreSQL's scanner does, as far as telling quoted text from the
// rest needs. It never throws: odd input gives odd tokens, and a quote or
// comment left open runs to the end of the text, flagged unterminated.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace schemad::sql {

// PostgreSQL's NAMEDATALEN - 1: the most bytes an identifier has (longer
// ones are silently truncated by the server).
inline constexpr std::size_t kMaxIdentifierBytes = 63;

// The name PostgreSQL gives an object the statement leaves unnamed
// (makeObjectName): name1_name2_label (name2 may be empty: name1_label), the
// longer of the two first parts shortened until the whole fits 63 bytes,
// never in the middle of a UTF-8 character: "users_pkey",
// "messages_conversation_id_seq_key".
std::string object_name(const std::string& name1, const std::string& name2,
                        const std::string& label);

// The column names joined by "_", as PostgreSQL joins them for a default
// name (it stops adding names past 63 bytes).
std::string columns_part(const std::vector<std::string>& columns);

// "name" with embedded double quotes doubled. schemad always quotes, so that
// case and keywords never change what a name means.
std::string ident(std::string_view name);

// 'text' with embedded single quotes doubled. Precondition: no NUL byte
// (the model loader refuses them; PostgreSQL cannot store them either).
std::string literal(std::string_view text);

// A PostgreSQL array literal for a text[] parameter: {"a","b\"c"}.
// libpqxx 6.4 converts no containers to parameters, hence this one helper.
std::string text_array(const std::vector<std::string>& items);

struct Token {
  enum class Kind {
    // A run of whitespace (" \t\n\v\f\r") and comments: "-- ..." up to
    // the end of the line, and "/* ... */" (which nest).
    space,
    // An unquoted identifier or keyword: a letter, "_" or any byte from
    // 0x80 (UTF-8), then those, digits and "$". Not case-folded.
    word,
    // "name", with "" standing for one ". `text` is the name.
    quoted_identifier,
    // A string constant: 'text' ('' for one '), E'text' (backslash escapes
    // too) or $tag$text$tag$ (tag optional). `text` is the source, quotes
    // included, nothing decoded.
    string,
    // 12, 1.5, .5, 1e-3; identifier characters right after the digits are
    // part of it ("0x1F", "1_000", "12abc"), as PostgreSQL 16 reads them.
    number,
    // A positional parameter: $1.
    parameter,
    // Anything else: an operator ("<=", "||", "-"), "::", ":=", or one
    // character of punctuation or of something no SQL allows ("(", ",",
    // ";", "{", "\0").
    op,
  };

  Kind kind = Kind::op;
  std::size_t offset = 0;  // where the token starts in the lexed text
  std::size_t length = 0;  // its bytes in the lexed text
  // quoted_identifier: the name, quotes removed and "" undoubled; every
  // other kind: the token's bytes as written.
  std::string text;
  // A quoted identifier, string or /* comment */ that the text ends
  // inside of; the token then runs to the end of the text.
  bool unterminated = false;
};

// The tokens of `text`, in order, covering every byte of it.
std::vector<Token> lex(std::string_view text);

// The one token that starts at `offset`, read as if the text began there;
// its offset is relative to `text` (at or past the end: an empty space
// token at the end). lex() is this from 0, then from the end of each token:
// a caller that reads part of the text its own way goes on with this from
// where it stopped.
Token lex_one(std::string_view text, std::size_t offset);

// "((a > 0))" -> "(a > 0)": one pair of parentheses around the whole
// text removed, when they are one pair (not "(a) + (b)"); quotes and
// comments are read as lex() reads them. Otherwise the text unchanged.
std::string without_outer_parentheses(std::string_view text);

// The bytes of an unquoted identifier (Token::Kind::word): the first one,
// and the others.
bool is_identifier_start(char c);
bool is_identifier_char(char c);

}  // namespace schemad::sql
