#include "engine/probe.hpp"

#include <algorithm>
#include <functional>
#include <pqxx/pqxx>
#include <pqxx/transaction>
#include <set>
#include <vector>

#include "engine/questions.hpp"
#include "util/sql_text.hpp"

namespace schemad::engine {

namespace {

using schema::Database;

std::string temp(const std::string& table) {
  return "pg_temp." + sql::ident(table);
}

// The statements that set up `questions` in temporary tables named from
// `prefix`: defaults and types share tables of at most kColumnsPerTable
// columns (PostgreSQL allows 1,600); volatility questions need a table each
// (a rewrite for one would erase the others' missing values); checks and
// indexes need a table with their table's columns.
constexpr std::size_t kColumnsPerTable = 1000;

// `shared` names this batch's shared tables, apart from another batch's in
// the same transaction.
std::string setup_sql(const std::vector<const Question*>& questions, const std::string& prefix,
                      const std::string& shared_tag = "") {
  std::vector<std::string> shared;  // column definitions for the shared tables
  std::string out;
  for (const Question* q : questions) {
    const std::string t = temp(prefix + "_" + q->column);
    switch (q->kind) {
      case Question::Kind::default_text:
        // Parenthesised: a column definition's DEFAULT is a restricted
        // expression (no AT TIME ZONE without them).
        shared.push_back(sql::ident(q->column) + " " + q->type + " DEFAULT (" + q->expr + ")");
        break;
      case Question::Kind::type:
        shared.push_back(sql::ident(q->column) + " " + q->type);
        break;
      case Question::Kind::volatility:
        out += "CREATE TEMP TABLE " + t + " (x integer);\nINSERT INTO " + t + " VALUES (1);\n" +
               "ALTER TABLE " + t + " ADD COLUMN " + sql::ident(q->column) + " " + q->type +
               " DEFAULT (" + q->expr + ");\n";
        break;
      case Question::Kind::check:
        out += "CREATE TEMP TABLE " + t + " (" + q->columns + ");\nALTER TABLE " + t +
               " ADD CONSTRAINT " + sql::ident(q->column) + " CHECK (" + q->expr + ");\n";
        break;
      case Question::Kind::index:  // expr: the CREATE INDEX on "pg_temp"."<prefix>_<column>"
      case Question::Kind::trigger:
      case Question::Kind::policy:
        out += "CREATE TEMP TABLE " + t + " (" + q->columns + ");\n" + q->expr + ";\n";
        break;
      case Question::Kind::function:
      case Question::Kind::view:
        out += q->expr + ";\n";
        break;
      case Question::Kind::generated:  // read back with the defaults ('d'): pg_attrdef
        out += "CREATE TEMP TABLE " + t + " (" + q->columns + ", " + sql::ident(q->column) + " " +
               q->type + " GENERATED ALWAYS AS (" + q->expr + ") STORED);\n";
        break;
    }
  }
  for (std::size_t first = 0; first < shared.size(); first += kColumnsPerTable) {
    std::string columns;
    for (std::size_t i = first; i < shared.size() && i < first + kColumnsPerTable; ++i) {
      columns += (columns.empty() ? "" : ", ") + shared[i];
    }
    out = "CREATE TEMP TABLE " +
          temp(prefix + "__" + shared_tag + std::to_string(first / kColumnsPerTable)) + " (" +
          columns + ");\n" + out;
  }
  return out;
}

// Reads every answer back. search_path = pg_catalog, as in inspection, so
// the texts compare with the catalog's.
// A function's answer is looked up by its signature, for the questions
// whose setup ran (`asked`).
std::string answers_sql(const std::string& prefix, const std::vector<const Question*>& asked) {
  const std::string like = sql::literal(prefix + "%");
  std::string functions;
  for (const Question* q : asked) {
    if (q->kind != Question::Kind::function) continue;
    // Its input argument types as inspection prints them, then its text.
    functions += " UNION ALL SELECT " + sql::literal(q->column) +
                 ", 'f', coalesce((SELECT array_to_string(ARRAY(SELECT format_type(a.t, NULL)"
                 " FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY a(t, i) ORDER BY a.i),"
                 " E'\\x1f') || E'\\x1d' || pg_get_functiondef(p.oid) FROM pg_proc p"
                 " WHERE p.oid = to_regprocedure(" +
                 sql::literal(q->type) + ")), '')";
  }
  return "SELECT a.attname::text, 'd', pg_get_expr(d.adbin, d.adrelid)"
         " FROM pg_attribute a JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
         " JOIN pg_class r ON r.oid = a.attrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " UNION ALL SELECT a.attname::text, 'v', a.atthasmissing::text"
         " FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " AND a.attnum > 1 AND NOT a.attisdropped"
         " UNION ALL SELECT c.conname::text, 'c', pg_get_constraintdef(c.oid)"
         " FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " AND c.contype = 'c'"
         " UNION ALL SELECT a.attname::text, 't', concat_ws(E'\\x1f', n.nspname, e.typname,"
         " format_type(e.oid, a.atttypmod), (e.oid <> t.oid)::text)"
         " FROM pg_attribute a JOIN pg_class r ON r.oid = a.attrelid"
         " JOIN pg_type t ON t.oid = a.atttypid"
         " JOIN pg_type e ON e.oid = CASE WHEN t.typsubscript = 'array_subscript_handler'::regproc"
         " AND t.typelem <> 0 THEN t.typelem ELSE t.oid END"
         " JOIN pg_namespace n ON n.oid = e.typnamespace"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " AND a.attnum > 0 AND NOT a.attisdropped"
         " UNION ALL SELECT c.relname::text, 'i', concat_ws(E'\\x1f',"
         " coalesce(pg_get_expr(i.indpred, i.indrelid), ''),"
         " (SELECT string_agg(CASE WHEN i.indkey[k - 1] = 0"
         " THEN pg_get_indexdef(i.indexrelid, k, true) ELSE '' END, E'\\x1e' ORDER BY k)"
         " FROM generate_series(1, i.indnkeyatts) k))"
         " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
         " JOIN pg_class r ON r.oid = i.indrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like +
         " UNION ALL SELECT p.polname::text, 'p', coalesce(pg_get_expr(p.polqual, p.polrelid), '')"
         " || E'\\x1f' || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')"
         " FROM pg_policy p JOIN pg_class r ON r.oid = p.polrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like + " UNION ALL SELECT substr(c.relname::text, " + std::to_string(prefix.size() + 2) +
         "), 'w', pg_get_viewdef(c.oid) || E'\\x1d' || array_to_string(ARRAY("
         "SELECT a.attname::text || ' ' || format_type(a.atttypid, a.atttypmod)"
         " FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 ORDER BY a.attnum),"
         " E'\\x1f') FROM pg_class c"
         " WHERE c.relnamespace = pg_my_temp_schema() AND c.relkind = 'v' AND c.relname LIKE " +
         like +
         " UNION ALL SELECT t.tgname::text, 'g',"
         " coalesce(substring(pg_get_triggerdef(t.oid) FROM ' WHEN \\((.*)\\) EXECUTE '), '')"
         " FROM pg_trigger t JOIN pg_class r ON r.oid = t.tgrelid"
         " WHERE r.relnamespace = pg_my_temp_schema() AND r.relname LIKE " +
         like + functions;
}

// Hands each answer to its question, and keeps it to be remembered.
void deliver(const pqxx::result& rows, std::vector<Question>& questions, apply::Answers& learned) {
  for (const auto& row : rows) {
    const std::string name = row[0].c_str();
    const std::string kind = row[1].c_str();
    const std::string prefix = kQuestionPrefix;
    if (row[2].is_null() || name.size() <= prefix.size() || name.rfind(prefix, 0) != 0 ||
        name.find_first_not_of("0123456789", prefix.size()) != std::string::npos) {
      continue;  // a column of the model's, copied into a check's scratch table
    }
    std::size_t index = std::stoul(name.substr(prefix.size()));
    if (index >= questions.size()) continue;
    Question& q = questions[index];
    const bool wanted = (kind == "d" && (q.kind == Question::Kind::default_text ||
                                         q.kind == Question::Kind::generated)) ||
                        (kind == "v" && q.kind == Question::Kind::volatility) ||
                        (kind == "c" && q.kind == Question::Kind::check) ||
                        (kind == "t" && q.kind == Question::Kind::type) ||
                        (kind == "i" && q.kind == Question::Kind::index) ||
                        (kind == "p" && q.kind == Question::Kind::policy) ||
                        (kind == "g" && q.kind == Question::Kind::trigger) ||
                        (kind == "f" && q.kind == Question::Kind::function) ||
                        (kind == "w" && q.kind == Question::Kind::view);
    if (!wanted) continue;
    q.answer(row[2].c_str());
    learned[q.key] = row[2].c_str();
  }
}

// After the batch failed: try each question alone to name the one the
// server refuses.
[[noreturn]] void find_culprit(pqxx::connection_base& conn,
                               const std::vector<const Question*>& asked,
                               const db::Error& batch_error) {
  pqxx::work tx(conn, "schemad-probe-culprit");
  for (const Question* q : asked) {
    try {
      pqxx::subtransaction sub(tx, "item");
      sub.exec(setup_sql({q}, kProbeTable));
      sub.abort();
    } catch (const pqxx::sql_error& e) {
      db::Error error = db::translate(e);
      error.path = q->path;
      throw ProbeError(std::move(error));
    }
  }
  db::Error error = batch_error;
  error.message = "the server refused the model's definitions: " + error.message;
  throw ProbeError(std::move(error));
}

// Sets up the questions asked ahead of creating their objects, which may
// need what the same run creates first (an extension's function, an enum):
// when the server refuses them, they are learned once the objects exist.
// Inside a savepoint when other questions share the transaction.
bool try_ahead(pqxx::dbtransaction& tx, const std::vector<const Question*>& ahead, bool alone,
               int& queries) {
  const std::string sql = setup_sql(ahead, kProbeTable, "ahead");
  if (alone) {
    ++queries;
    try {
      tx.exec(sql);
      return true;
    } catch (const pqxx::sql_error&) {
      return false;
    }
  }
  queries += 3;  // SAVEPOINT, setup, RELEASE (or ROLLBACK TO)
  try {
    pqxx::subtransaction sub(tx, "ahead");
    sub.exec(sql);
    sub.commit();
    return true;
  } catch (const pqxx::sql_error&) {
    return false;
  }
}

// Puts `asked` to the server in one transaction that is rolled back. False
// when the session may not write (a hot standby, a read-only role): nothing
// could be asked.
bool ask_server(pqxx::connection_base& conn, std::vector<Question>& questions,
                const std::vector<const Question*>& asked, ProbeResult& result, ProbeStats* stats) {
  std::vector<const Question*> needed;
  std::vector<const Question*> ahead;
  for (const Question* q : asked) (q->ahead ? ahead : needed).push_back(q);
  int queries = 2;  // BEGIN, ROLLBACK
  pqxx::work tx(conn, "schemad-probe");
  if (!needed.empty()) {
    ++queries;
    try {
      tx.exec(setup_sql(needed, kProbeTable));
    } catch (const pqxx::sql_error& e) {
      tx.abort();
      db::Error error = db::translate(e);
      if (error.kind == db::ErrorKind::read_only) return false;
      find_culprit(conn, needed, error);
    }
  }
  const bool answered_ahead = !ahead.empty() && try_ahead(tx, ahead, needed.empty(), queries);
  result.ahead_refused = !ahead.empty() && !answered_ahead;
  if (!needed.empty() || answered_ahead) {
    ++queries;
    std::vector<const Question*> set_up = needed;
    if (answered_ahead) set_up.insert(set_up.end(), ahead.begin(), ahead.end());
    deliver(tx.exec("SET LOCAL search_path = pg_catalog;\n" + answers_sql(kProbeTable, set_up)),
            questions, result.learned);
  }
  tx.abort();
  if (stats != nullptr) stats->queries = queries;
  return true;
}

// Without the server's answers: the rough comparison, noted.
void make_do(const std::vector<const Question*>& unanswered,
             const std::vector<const Question*>& repeated, ProbeResult& result) {
  for (const Question* q : unanswered) q->make_do();
  for (const Question* q : repeated) q->make_do();
  for (const auto* list : {&unanswered, &repeated}) {
    for (const Question* q : *list) {
      if (!q->ahead) result.unverified.push_back(q->path);  // ahead: nothing exists yet
    }
  }
}

}  // namespace

ProbeResult probe(pqxx::connection_base& conn, Database& desired, const Database& actual,
                  const apply::Answers& memo, Asking asking, ProbeStats* stats) {
  std::vector<Question> questions = collect_questions(desired, actual, asking == Asking::ahead);
  if (stats != nullptr) stats->items = static_cast<int>(questions.size());
  ProbeResult result;
  std::vector<const Question*> unanswered;  // each key once
  std::vector<const Question*> repeated;    // the same key again
  std::set<std::string> keys;
  // A question needed now is asked rather than the same one asked ahead,
  // whose refusal would leave it unanswered.
  for (const bool ahead : {false, true}) {
    for (Question& q : questions) {
      if (q.ahead != ahead) continue;
      if (auto known = memo.find(q.key); known != memo.end()) {
        q.answer(known->second);
        if (stats != nullptr) ++stats->remembered;
      } else {
        (keys.insert(q.key).second ? unanswered : repeated).push_back(&q);
      }
    }
  }
  if (unanswered.empty()) return result;
  if (asking == Asking::never || !ask_server(conn, questions, unanswered, result, stats)) {
    make_do(unanswered, repeated, result);
    return result;
  }
  for (const Question* q : repeated) {
    if (auto answer = result.learned.find(q->key); answer != result.learned.end()) {
      q->answer(answer->second);
    }
  }
  return result;
}

}  // namespace schemad::engine
