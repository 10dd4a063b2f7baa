#pragma once

// What schemad cannot predict about the model's text, as questions for the
// server (probe.hpp asks them, or finds their answers in schemad_memo):
// how PostgreSQL prints a default for a column's type, a check, an index
// expression or a generated column's expression, whether a default is volatile, what an extension's
// type is called. Each question knows where its answer goes in the model, and what to do when no
// answer is at hand (a read-only comparison that no apply has taught yet): compare by the rough
// normalisation (diff/expressions.hpp).

#include <functional>
#include <string>
#include <vector>

#include "schema/schema.hpp"

namespace schemad::engine {

struct Question {
  enum class Kind {
    default_text,
    volatility,
    check,
    type,
    index,
    generated,
    trigger,   // a trigger's WHEN: expr is CREATE TRIGGER on the scratch table
    policy,    // a policy's USING and WITH CHECK: expr is CREATE POLICY on it
    function,  // expr: the model's CREATE FUNCTION (after renaming the
               // existing one out of the way); type: the signature to read back
    view,      // expr: CREATE VIEW of the model's query as a temporary view
  } kind;
  // What it asks, independent of the run: the kind, the types and columns
  // it is asked in, and the model's text. schemad_memo keys answers by it.
  std::string key;
  std::string path;     // model path, for errors and notes
  std::string column;   // scratch column, constraint or index name ("schemad_q<N>")
  std::string type;     // SQL type text
  std::string expr;     // default, check or generation expression; index, trigger, policy,
                        // function: the statements that make it
  std::string columns;  // check, index, generated: the column list of the scratch table
  // Stores the server's answer into the model.
  std::function<void(const std::string&)> answer;
  // Without an answer: the best the model and the catalog allow.
  std::function<void()> make_do;
  // Asked ahead of creating its object: a refusal (the object needs an
  // extension or a type the same run creates) is not the model's error, the
  // answer is learned after the object exists.
  bool ahead = false;
};

// Names of the scratch tables: the prefix, then "_" and the question's column.
inline constexpr const char* kProbeTable = "schemad_probe";
// Names of the scratch columns and constraints: the prefix, then the index.
inline constexpr const char* kQuestionPrefix = "schemad_q";

// The questions comparing `desired` with `actual` raises; they point into
// `desired`, which must outlive them and keep its shape. With
// `for_what_is_created` (a run that will create objects and may ask the
// server), also the questions a later comparison will raise about the
// defaults, checks and index expressions of the tables and columns to be
// created: their answers change nothing now, and are remembered, so that
// the first check after an apply need not guess.
std::vector<Question> collect_questions(schema::Database& desired, const schema::Database& actual,
                                        bool for_what_is_created);

}  // namespace schemad::engine
