#include "util/text.hpp"

namespace schemad::util {

bool is_space(char c) {
  return kWhitespace.find(c) != std::string_view::npos;
}

char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

std::string_view trim_right(std::string_view text, std::string_view chars) {
  std::size_t end = text.find_last_not_of(chars);
  return end == std::string_view::npos ? text.substr(0, 0) : text.substr(0, end + 1);
}

std::string_view trim_left(std::string_view text, std::string_view chars) {
  std::size_t start = text.find_first_not_of(chars);
  return start == std::string_view::npos ? text.substr(text.size()) : text.substr(start);
}

std::string_view trim(std::string_view text, std::string_view chars) {
  return trim_left(trim_right(text, chars), chars);
}

std::string quote_for_message(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return "\"" + std::string(text) + "\"";
  std::size_t cut = max_bytes;
  // Back up to the start of a UTF-8 sequence (continuation bytes are 10xxxxxx).
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return "\"" + std::string(text.substr(0, cut)) + "\u2026\" (" + std::to_string(text.size()) +
         " bytes)";
}

}  // namespace schemad::util
