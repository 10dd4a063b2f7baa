#include "diff/sequences.hpp"

#include "diff/builders.hpp"

namespace schemad::diff {

std::string sequence_text(const schema::Sequence& s) {
  std::string out = s.type + " start " + std::to_string(s.start) + " increment " +
                    std::to_string(s.increment) + " min " + std::to_string(s.min) + " max " +
                    std::to_string(s.max) + " cache " + std::to_string(s.cache);
  if (s.cycle) out += " cycle";
  if (!s.owned_table.empty()) out += " owned by " + s.owned_table + "." + s.owned_column;
  return out;
}

void compare_sequences(const schema::Database& desired, const schema::Database& actual,
                       Result& out) {
  for (const schema::Sequence& want : desired.sequences) {
    const schema::Sequence* have = actual.find_sequence(want.name);
    if (have == nullptr) {
      Change change;
      change.kind = ChangeKind::create_sequence;
      change.sequence = want;
      change.path = want.path;
      if (!want.owned_table.empty()) change.table.name = {want.name.schema, want.owned_table};
      out.changes.push_back(std::move(change));
      continue;
    }
    if (*have != want) {  // == leaves out the path
      add_drift(out, DriftKind::sequence_definition, want.name.display(), sequence_text(want),
                sequence_text(*have), want.path);
    }
  }
}

}  // namespace schemad::diff
