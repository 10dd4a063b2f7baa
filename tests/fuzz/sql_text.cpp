// Fuzz target: the readers of SQL text the model's author wrote. The lexer
// covers every byte with its tokens, in order; the expression normaliser is
// idempotent and keeps what parenthesized() wraps; the type reader and the
// default-name guess never fail otherwise than as documented.

#include <cstdint>
#include <cstdlib>
#include <string>

#include "diff/expressions.hpp"
#include "model/type_text.hpp"
#include "plan/names.hpp"
#include "util/sql_text.hpp"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace schemad;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::size_t at = 0;
  for (const sql::Token& token : sql::lex(text)) {
    check(token.offset == at && token.length > 0);
    at += token.length;
  }
  check(at == text.size());
  const std::string normal = diff::normalize_expression(text);
  check(diff::normalize_expression(normal) == normal);
  const std::string wrapped = diff::parenthesized(text);
  check(wrapped == text || wrapped == "(" + text + ")");
  plan::check_column(text);
  try {
    model::parse_type_text(text);
  } catch (const model::TypeError&) {
  }
  return 0;
}
