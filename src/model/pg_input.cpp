#include "model/pg_input.hpp"

#include <algorithm>
#include <cctype>

#include "util/text.hpp"

namespace schemad::model {

namespace {

bool is_prefix_of(const std::string& text, std::string_view word, std::size_t min_length) {
  return text.size() >= min_length && text.size() <= word.size() &&
         word.compare(0, text.size(), text) == 0;
}

}  // namespace

std::string PgInteger::text() const {
  return (negative && digits != "0" ? "-" : "") + digits;
}

bool PgInteger::fits(std::string_view type) const {
  int bits = type == "smallint" ? 15 : type == "integer" ? 31 : 63;
  if (digits.size() > 19) return false;
  unsigned long long magnitude = std::stoull(digits);
  unsigned long long limit = 1ULL << bits;
  return negative ? magnitude <= limit : magnitude < limit;
}

std::optional<PgInteger> parse_integer(std::string_view text) {
  std::string body(util::trim(text));
  PgInteger out;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    out.negative = body[0] == '-';
    body.erase(0, 1);
  }
  if (body.empty() || body.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  body.erase(0, std::min(body.find_first_not_of('0'), body.size() - 1));
  out.digits = body;
  return out;
}

std::optional<bool> parse_boolean(std::string_view text) {
  std::string word = util::ascii_lower(util::trim(text));
  if (is_prefix_of(word, "true", 1) || is_prefix_of(word, "yes", 1) || word == "on" ||
      word == "1") {
    return true;
  }
  if (is_prefix_of(word, "false", 1) || is_prefix_of(word, "no", 1) ||
      is_prefix_of(word, "off", 2) || word == "0") {
    return false;
  }
  return std::nullopt;
}

bool special_float(std::string_view text) {
  std::string word = util::ascii_lower(util::trim(text));
  if (!word.empty() && (word[0] == '+' || word[0] == '-')) word.erase(0, 1);
  return word == "nan" || word == "infinity" || word == "inf";
}

bool fits_length(std::string_view text, long length) {
  long chars = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) == 0x80) continue;  // UTF-8 continuation
    if (++chars > length && c != ' ') return false;
  }
  return true;
}

std::string canonical_uuid(std::string_view text) {
  std::string hex;
  for (char c : text) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      hex += util::ascii_lower(c);
    } else if (c != '-' && c != '{' && c != '}') {
      return std::string(text);
    }
  }
  if (hex.size() != 32) return std::string(text);
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

}  // namespace schemad::model
