#include "scratch/normalize.hpp"

#include <libpq-fe.h>

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <pqxx/largeobject>
#include <pqxx/pqxx>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "catalog/inspect.hpp"
#include "config/database_url.hpp"
#include "db/error.hpp"
#include "model/fingerprint.hpp"
#include "model/load.hpp"
#include "util/sha256.hpp"
#include "util/sql_text.hpp"

namespace schemad::scratch {

namespace {

using schema::QualifiedName;

// libpqxx 6.4 keeps the transaction's PGconn to itself but for large
// objects, whose protected accessor a subclass may call. The script is sent
// through it so that the server's error position, detail and hint are read
// field by field (libpqxx folds them into one message).
struct RawConnection : pqxx::largeobject {
  static PGconn* of(const pqxx::dbtransaction& tx) { return raw_connection(tx); }
};

struct Extension {
  std::string schema;
  std::string version;
};

struct Stub {
  QualifiedName name;
  std::vector<std::pair<std::string, std::string>> columns;  // name, type
  std::vector<std::string> keys;                             // PRIMARY KEY (id), ...
};

struct TargetFacts {
  int server_version = 0;
  bool scratch_exists = false;
  std::map<std::string, Extension> extensions;  // installed, by name
  std::vector<Stub> stubs;
};

const char* const kTargetQuery = R"sql(
SELECT current_setting('server_version_num')::int AS server_version,
       EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1) AS scratch_exists,
       COALESCE((SELECT json_agg(json_build_array(e.extname, n.nspname, e.extversion)
                                 ORDER BY e.extname)
                   FROM pg_catalog.pg_extension e
                   JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace), '[]') AS extensions
)sql";

// The key columns (those of a primary key or unique constraint) of the
// named tables, and those constraints: what a foreign key to them needs.
const char* const kStubQuery = R"sql(
SELECT n.nspname AS schema, c.relname AS name,
       COALESCE((SELECT json_agg(json_build_array(a.attname,
                                                  pg_catalog.format_type(a.atttypid, a.atttypmod))
                                 ORDER BY a.attnum)
                   FROM pg_catalog.pg_attribute a
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k
                                 WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u')
                                   AND a.attnum = ANY (k.conkey))), '[]') AS columns,
       COALESCE((SELECT json_agg(pg_catalog.pg_get_constraintdef(k.oid) ORDER BY k.contype, k.conname)
                   FROM pg_catalog.pg_constraint k
                  WHERE k.conrelid = c.oid AND k.contype IN ('p', 'u')), '[]') AS keys
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN unnest($1::text[], $2::text[]) AS r(schema, name)
    ON r.schema = n.nspname AND r.name = c.relname
 WHERE c.relkind IN ('r', 'p')
 ORDER BY 1, 2
)sql";

const char* const kScratchQuery = R"sql(
SELECT current_setting('server_version_num')::int AS server_version,
       current_database() AS name,
       (SELECT count(*) FROM pg_catalog.pg_class c
          JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
           AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)') AS relations,
       (SELECT pg_catalog.pg_has_role(d.datdba, 'USAGE') FROM pg_catalog.pg_database d
         WHERE d.datname = current_database()) AS owner
)sql";

// The catalogs a build fills and the reads after it join. Their statistics
// describe the scratch database between builds (nearly empty, or bloated by
// the rows of earlier builds, which were rolled back), never the thousands
// of rows the build's own transaction just inserted: planned from them, the
// reads after a 1,000-table build take seconds instead of milliseconds
// (nested loops over what the planner takes for a handful of rows), and
// after a 10,000-table build they outlast the statement timeout. ANALYZE in
// the build's transaction counts its own rows; the statistics it writes are
// rolled back with the build.
const char* const kAnalyze =
    "ANALYZE pg_catalog.pg_namespace, pg_catalog.pg_class, pg_catalog.pg_attribute, "
    "pg_catalog.pg_attrdef, pg_catalog.pg_constraint, pg_catalog.pg_index, pg_catalog.pg_type, "
    "pg_catalog.pg_enum, pg_catalog.pg_description, pg_catalog.pg_depend, "
    "pg_catalog.pg_sequence, pg_catalog.pg_rewrite, pg_catalog.pg_proc, pg_catalog.pg_trigger, "
    "pg_catalog.pg_policy, pg_catalog.pg_extension";

// How long the ANALYZE waits for a catalog's lock, which another build's
// ANALYZE in the same scratch database holds until that build ends, and
// autovacuum until the server cancels it (deadlock_timeout, 1 s by default).
constexpr int kAnalyzeLockTimeoutMs = 2000;

const char* const kSchemasQuery = R"sql(
SELECT nspname FROM pg_catalog.pg_namespace
 WHERE nspname NOT IN ('pg_catalog', 'information_schema')
   AND nspname !~ '^pg_(toast|temp_|toast_temp_)'
 ORDER BY 1
)sql";

const char* const kExtensionsQuery = R"sql(
SELECT e.extname, n.nspname
  FROM pg_catalog.pg_extension e
  JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
)sql";

// Defaults that call a volatile function, directly or through an
// operator: the planner adds such a column in two steps (a constant default
// would do it in one). pg_depend records the functions and operators of a
// default's expression.
const char* const kVolatileQuery = R"sql(
SELECT DISTINCT n.nspname, c.relname, a.attname
  FROM pg_catalog.pg_depend p
  JOIN pg_catalog.pg_attrdef d ON d.oid = p.objid
  JOIN pg_catalog.pg_class c ON c.oid = d.adrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
  LEFT JOIN pg_catalog.pg_proc f
         ON p.refclassid = 'pg_catalog.pg_proc'::regclass AND f.oid = p.refobjid
  LEFT JOIN pg_catalog.pg_operator o
         ON p.refclassid = 'pg_catalog.pg_operator'::regclass AND o.oid = p.refobjid
  LEFT JOIN pg_catalog.pg_proc g ON g.oid = o.oprcode
 WHERE p.classid = 'pg_catalog.pg_attrdef'::regclass
   AND n.nspname = ANY ($1::text[])
   AND (f.provolatile = 'v' OR g.provolatile = 'v')
)sql";

int major(int version_num) {
  return version_num / 10000;
}

std::string version_text(int version_num) {
  return std::to_string(major(version_num)) + "." + std::to_string(version_num % 10000);
}

// Schema-qualified tables the script references in schemas it neither
// creates nor uses as its default: stubbed from the target for the build.
std::vector<QualifiedName> external_references(const model::SqlScript& script,
                                               const Options& options) {
  std::vector<QualifiedName> out;
  for (const auto& ref : script.referenced) {
    if (ref.schema == options.default_schema || script.created_schemas.count(ref.schema)) continue;
    if (script.defined.count(ref)) continue;
    out.push_back(ref);
  }
  return out;
}

TargetFacts read_target(pqxx::connection_base& target, const model::SqlScript& script,
                        const Options& options, Stats& stats) {
  TargetFacts facts;
  {
    // One statement, in no transaction of its own.
    pqxx::nontransaction tx(target, "schemad_sql_model");
    const pqxx::row row = tx.exec_params1(kTargetQuery, options.database);
    ++stats.target_queries;
    facts.server_version = row["server_version"].as<int>();
    facts.scratch_exists = row["scratch_exists"].as<bool>();
    for (const auto& e : nlohmann::json::parse(row["extensions"].c_str())) {
      facts.extensions[e[0].get<std::string>()] = {e[1].get<std::string>(),
                                                   e[2].get<std::string>()};
    }
  }
  const auto refs = external_references(script, options);
  if (refs.empty()) return facts;
  std::vector<std::string> schemas;
  std::vector<std::string> names;
  for (const auto& r : refs) {
    schemas.push_back(r.schema);
    names.push_back(r.name);
  }
  // Types qualified as inspection qualifies them: under search_path
  // pg_catalog, in a transaction of their own.
  pqxx::read_transaction tx(target, "schemad_sql_model_stubs");
  tx.exec0("SET LOCAL search_path = pg_catalog");
  const pqxx::result stubs =
      tx.exec_params(kStubQuery, sql::text_array(schemas), sql::text_array(names));
  tx.commit();
  stats.target_queries += 4;  // BEGIN, SET, the query, COMMIT
  for (const auto& r : stubs) {
    Stub stub;
    stub.name = {r["schema"].c_str(), r["name"].c_str()};
    for (const auto& c : nlohmann::json::parse(r["columns"].c_str())) {
      stub.columns.emplace_back(c[0].get<std::string>(), c[1].get<std::string>());
    }
    for (const auto& k : nlohmann::json::parse(r["keys"].c_str())) {
      stub.keys.push_back(k.get<std::string>());
    }
    facts.stubs.push_back(std::move(stub));
  }
  return facts;
}

std::string cache_key(const model::SqlScript& script, const TargetFacts& facts,
                      const Options& options) {
  util::Sha256 hash;
  auto field = [&hash](const std::string& s) {
    hash.update(s);
    hash.update(std::string_view("\0", 1));
  };
  field(script.sha256);
  field(std::to_string(facts.server_version));
  field(options.default_schema);
  for (const auto& s : script.statements) {
    if (s.action != model::SqlStatement::Action::extension) continue;
    auto it = facts.extensions.find(s.extension);
    field(s.extension);
    field(it == facts.extensions.end() ? "-" : it->second.schema + "\x1f" + it->second.version);
  }
  for (const auto& stub : facts.stubs) {
    field(stub.name.display());
    for (const auto& c : stub.columns) field(c.first + " " + c.second);
    for (const auto& k : stub.keys) field(k);
  }
  return hash.hex();
}

// CREATE EXTENSION as the target has it: same schema, same version.
std::map<std::string, std::string> extension_statements(const model::SqlScript& script,
                                                        const TargetFacts& facts) {
  std::map<std::string, std::string> out;
  for (const auto& s : script.statements) {
    if (s.action != model::SqlStatement::Action::extension) continue;
    auto it = facts.extensions.find(s.extension);
    if (it == facts.extensions.end()) continue;  // not on the target: as the script says
    out[s.extension] = "CREATE SCHEMA IF NOT EXISTS " + sql::ident(it->second.schema) +
                       ";\nCREATE EXTENSION IF NOT EXISTS " + sql::ident(s.extension) +
                       " WITH SCHEMA " + sql::ident(it->second.schema) + " VERSION " +
                       sql::literal(it->second.version);
  }
  return out;
}

std::string stub_sql(const std::vector<Stub>& stubs) {
  std::string out;
  for (const auto& stub : stubs) {
    out += "CREATE SCHEMA IF NOT EXISTS " + sql::ident(stub.name.schema) + ";\n";
    out += "CREATE TABLE " + stub.name.sql() + " (";
    bool first = true;
    for (const auto& [name, type] : stub.columns) {
      out += (first ? "" : ", ") + sql::ident(name) + " " + type;
      first = false;
    }
    for (const auto& key : stub.keys) {
      out += (first ? "" : ", ") + key;
      first = false;
    }
    out += ");\n";
  }
  return out;
}

std::string field(const PGresult* res, int code) {
  const char* v = PQresultErrorField(res, code);
  return v != nullptr ? v : "";
}

// The server's error: "message (SQLSTATE 42P01); detail; hint".
std::string server_message(const PGresult* res) {
  std::string out = field(res, PG_DIAG_MESSAGE_PRIMARY);
  if (out.empty()) out = "the server refused the statement";
  const std::string state = field(res, PG_DIAG_SQLSTATE);
  if (!state.empty()) out += " (SQLSTATE " + state + ")";
  const std::string detail = field(res, PG_DIAG_MESSAGE_DETAIL);
  if (!detail.empty()) out += "; " + detail;
  const std::string hint = field(res, PG_DIAG_MESSAGE_HINT);
  if (!hint.empty()) out += "; hint: " + hint;
  return out;
}

struct Failure {
  std::string message;
  std::string position;  // the server's, 1-based characters; "" when none
};

struct ResultGuard {
  PGresult* res;
  ~ResultGuard() { PQclear(res); }
};

// Sends `text` on the transaction's connection; the failure when the
// server refused it (the transaction is then aborted).
std::optional<Failure> send(pqxx::dbtransaction& tx, const std::string& text) {
  PGconn* conn = RawConnection::of(tx);
  ResultGuard guard{PQexec(conn, text.c_str())};
  const ExecStatusType status = PQresultStatus(guard.res);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return std::nullopt;
  }
  if (guard.res == nullptr) return Failure{PQerrorMessage(conn), ""};
  if (status != PGRES_FATAL_ERROR && status != PGRES_NONFATAL_ERROR) {
    return Failure{"unexpected result " + std::string(PQresStatus(status)) +
                       " (COPY and the like are not part of a model)",
                   ""};
  }
  return Failure{server_message(guard.res), field(guard.res, PG_DIAG_STATEMENT_POSITION)};
}

struct ScratchConnection {
  std::unique_ptr<pqxx::connection> conn;
  bool owner = false;  // schemad's role may ANALYZE its catalogs
};

ScratchConnection connect_scratch(pqxx::connection_base& target,
                                  const db::ConnectionOptions& target_options,
                                  const Options& options, const TargetFacts& facts, Stats& stats) {
  db::ConnectionOptions o;
  if (!options.url.empty()) {
    o.conninfo = config::normalize_url(options.url).conninfo;
    o.password_file = options.password_file;
  } else {
    o = target_options;
    o.dbname_override = options.database;
    if (!facts.scratch_exists) {
      try {
        pqxx::nontransaction tx(target, "schemad_scratch_create");
        tx.exec0("CREATE DATABASE " + sql::ident(options.database) + " TEMPLATE template0");
        ++stats.target_queries;
      } catch (const pqxx::sql_error& e) {
        ++stats.target_queries;
        if (e.sqlstate() != "42P04") {  // created meanwhile by another schemad: fine
          std::string reason = e.what();
          while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) {
            reason.pop_back();
          }
          if (reason.rfind("ERROR:  ", 0) == 0) reason.erase(0, 8);
          throw ScratchError(ScratchError::Reason::unavailable,
                             "SQL models are normalised in a scratch database, and " +
                                 options.database + " does not exist and could not be created (" +
                                 reason + "); fix: CREATE DATABASE " +
                                 sql::ident(options.database) +
                                 " OWNER <schemad's role>; or set scratch.url (--scratch-url) "
                                 "to an empty database");
        }
      }
    }
  }
  o.application_name = "schemad scratch";
  o.connect_timeout_seconds = options.connect_timeout_seconds;
  o.statement_timeout_ms = options.statement_timeout_ms;
  o.lock_timeout_ms = options.statement_timeout_ms;
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = db::connect(o);
  } catch (const db::ConnectError& e) {
    throw ScratchError(
        ScratchError::Reason::unavailable,
        std::string("the scratch database for SQL models cannot be reached: ") + e.what());
  }
  pqxx::read_transaction tx(*conn, "schemad_scratch_check");
  const pqxx::row row = tx.exec1(kScratchQuery);
  tx.commit();
  stats.scratch_queries += 3;
  const int version = row["server_version"].as<int>();
  const std::string name = row["name"].c_str();
  const long relations = row["relations"].as<long>();
  if (major(version) != major(facts.server_version)) {
    throw ScratchError(ScratchError::Reason::unsuitable,
                       "the scratch database " + name + " runs PostgreSQL " +
                           version_text(version) + " and the target " +
                           version_text(facts.server_version) +
                           ": SQL models are normalised by a server of the target's major version");
  }
  if (relations > 0) {
    throw ScratchError(ScratchError::Reason::unsuitable,
                       "the scratch database " + name + " holds " + std::to_string(relations) +
                           " tables, views or sequences: schemad needs an empty database, where "
                           "every build is rolled back");
  }
  return {std::move(conn), row["owner"].as<bool>(false)};
}

// Refreshes the statistics of kAnalyze's catalogs inside the build's
// transaction, in a subtransaction whose lock_timeout is short: when another
// build holds them, this one goes on with the statistics there are (slower,
// not wrong) rather than wait for it to end.
void refresh_statistics(pqxx::dbtransaction& tx, Stats& stats) {
  bool refreshed = false;
  try {
    pqxx::subtransaction sub(tx, "schemad_scratch_analyze");
    sub.exec0("SET LOCAL lock_timeout = " + std::to_string(kAnalyzeLockTimeoutMs));
    sub.exec0(kAnalyze);
    sub.commit();
    refreshed = true;
  } catch (const pqxx::sql_error& e) {
    spdlog::debug(
        "scratch build: the catalogs' statistics were not refreshed ({}); its reads "
        "plan with those there are",
        db::translate(e).message);
  }
  stats.scratch_queries += 4;  // SAVEPOINT, SET, ANALYZE, then RELEASE or ROLLBACK TO
  if (!refreshed) return;
  stats.statistics_refreshed = true;
  // A released subtransaction's SET LOCAL lasts until the transaction ends:
  // back to the connection's own lock_timeout.
  tx.exec0("SET LOCAL lock_timeout TO DEFAULT");
  ++stats.scratch_queries;
}

// The script's statement that failed, found by sending the statements one
// by one in a fresh transaction (the server gave no position).
model::SqlLocation find_failing(pqxx::connection_base& conn, const std::string& prologue,
                                const model::SqlBatch& batch, Failure& failure, Stats& stats) {
  pqxx::work tx(conn, "schemad_scratch_locate");
  ++stats.scratch_queries;
  if (send(tx, prologue)) return batch.locate(0);
  ++stats.scratch_queries;
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const std::string piece = batch.piece(i);
    ++stats.scratch_queries;
    if (auto f = send(tx, piece)) {
      failure = *f;
      std::size_t offset = 0;
      if (!f->position.empty()) {
        offset = model::byte_offset_of_character(piece, std::stoul(f->position));
      }
      return batch.locate_in(i, offset);
    }
  }
  return batch.locate(0);
}

// The server does not always print a check it re-reads the way it printed
// it first: "v IN ('a', 'b')" on a varchar column prints as
// "((v)::text = ANY ((ARRAY['a'::character varying, ...])::text[]))", and
// that, created again (which is what apply does with the model), prints as
// "((v)::text = ANY (ARRAY[('a'::character varying)::text, ...]))". Both
// are the same check: the first is what the script's own text builds, the
// second what schemad builds. Each check is created once more from its
// printed text, NOT VALID, on the scratch table, and read back: the model
// keeps the first as its expression and the second as its normalised form,
// and diff accepts either.
void reprint_checks(pqxx::dbtransaction& tx, schema::Database& found, Stats& stats) {
  std::string batch;
  std::vector<schema::Constraint*> checks;
  for (auto& t : found.tables) {
    for (auto& k : t.constraints) {
      if (k.kind != schema::ConstraintKind::check || !k.normalized.empty()) continue;
      batch += "ALTER TABLE " + t.name.sql() + " ADD CONSTRAINT " +
               sql::ident("schemad_reprint_" + std::to_string(checks.size())) + " CHECK " +
               k.expression + " NOT VALID;\n";
      checks.push_back(&k);
    }
  }
  if (checks.empty()) return;
  if (auto failure = send(tx, batch)) {
    throw std::runtime_error("could not print the model's checks again: " + failure->message);
  }
  ++stats.scratch_queries;
  const pqxx::result again = tx.exec(
      "SELECT substr(conname, 17)::int, pg_catalog.pg_get_constraintdef(oid) "
      "FROM pg_catalog.pg_constraint WHERE contype = 'c' AND conname LIKE 'schemad\\_reprint\\_%'");
  ++stats.scratch_queries;
  for (const auto& r : again) {
    const auto i = r[0].as<std::size_t>();
    if (i < checks.size()) checks[i]->normalized = catalog::check_expression(r[1].c_str());
  }
}

// Better than printing a check twice: its text as the script wrote it,
// which builds exactly what the script builds. Each CHECK (...) and each
// index WHERE of the script is added once more to its table as a check (NOT
// VALID, under the script's default schema; one that fails is skipped) and
// printed; a model check printed the same way takes the script's text as
// its expression and the printed text as its normalised form, and a
// model index whose predicate prints the same is created with the
// script's WHERE.
struct Source {
  QualifiedName table;
  std::string text;  // "(...)"
};

std::vector<std::optional<std::string>> print_as_checks(pqxx::dbtransaction& tx,
                                                        const std::vector<Source>& sources,
                                                        const Options& options, Stats& stats) {
  std::vector<std::optional<std::string>> printed(sources.size());
  const std::string tag = "$schemad_sources$";
  std::string body = "BEGIN\nPERFORM pg_catalog.set_config('search_path', " +
                     sql::literal(sql::ident(options.default_schema)) + ", true);\n";
  bool any = false;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (sources[i].text.find(tag) != std::string::npos) continue;
    const std::string alter = "ALTER TABLE " + sources[i].table.sql() + " ADD CONSTRAINT " +
                              sql::ident("schemad_source_" + std::to_string(i)) + " CHECK " +
                              sources[i].text + " NOT VALID";
    body += "BEGIN EXECUTE " + sql::literal(alter) + "; EXCEPTION WHEN OTHERS THEN NULL; END;\n";
    any = true;
  }
  if (!any) return printed;
  body += "PERFORM pg_catalog.set_config('search_path', 'pg_catalog', true);\nEND";
  if (auto failure = send(tx, "DO " + tag + body + tag)) {
    throw std::runtime_error("could not read the script's checks: " + failure->message);
  }
  ++stats.scratch_queries;
  const pqxx::result rows = tx.exec(
      "SELECT substr(conname, 16)::int, pg_catalog.pg_get_constraintdef(oid) "
      "FROM pg_catalog.pg_constraint "
      "WHERE contype = 'c' AND conname LIKE 'schemad\\_source\\_%'");
  ++stats.scratch_queries;
  for (const auto& r : rows) {
    const auto i = r[0].as<std::size_t>();
    if (i < printed.size()) printed[i] = catalog::check_expression(r[1].c_str());
  }
  return printed;
}

void attach_sources(pqxx::dbtransaction& tx, schema::Database& found,
                    const model::SqlScript& script, const Options& options, Stats& stats) {
  std::vector<Source> sources;
  auto text_of = [&script](const model::SqlCheckSource& c) {
    return script.files[c.file].text.substr(c.begin, c.end - c.begin);
  };
  for (const auto& c : script.checks) {
    if (found.table(c.table) != nullptr) sources.push_back({c.table, text_of(c)});
  }
  const std::size_t first_where = sources.size();
  std::vector<schema::Index*> wheres;
  for (auto& t : found.tables) {
    for (auto& i : t.indexes) {
      if (i.where.empty()) continue;
      auto it = script.index_wheres.find({t.name.schema, i.name});
      if (it == script.index_wheres.end() || it->second.table != t.name) continue;
      sources.push_back({t.name, "(" + text_of(it->second) + ")"});
      wheres.push_back(&i);
    }
  }
  if (sources.empty()) return;
  const auto printed = print_as_checks(tx, sources, options, stats);
  std::map<std::pair<QualifiedName, std::string>, std::string> check_source;
  for (std::size_t i = 0; i < first_where; ++i) {
    if (printed[i])
      check_source.emplace(std::make_pair(sources[i].table, *printed[i]), sources[i].text);
  }
  for (auto& t : found.tables) {
    for (auto& k : t.constraints) {
      if (k.kind != schema::ConstraintKind::check) continue;
      auto it = check_source.find({t.name, k.expression});
      if (it == check_source.end()) continue;
      k.normalized = k.expression;
      k.expression = it->second;
    }
  }
  for (std::size_t w = 0; w < wheres.size(); ++w) {
    const auto& p = printed[first_where + w];
    if (p && *p == "(" + wheres[w]->where + ")")
      wheres[w]->create_where = sources[first_where + w].text;
  }
}

// Whether `name` is the one PostgreSQL gives when the statement names none
// (ChooseConstraintName, ChooseIndexName): "users_pkey", "users_email_key",
// "posts_author_id_fkey", "users_created_at_idx". (A second one of a kind,
// "…_key1", is kept: it is matched by name.)
bool default_name(const std::string& name, const std::string& table,
                  const std::vector<std::string>& columns, const char* label) {
  return name == sql::object_name(table, sql::columns_part(columns), label);
}

// A name the script may as well not have written is left out, so that the
// object is matched by what it is, like an unnamed one of a JSON model: a
// database whose tool named its foreign keys otherwise does not get a
// second one.
void forget_default_names(schema::Table& t) {
  for (auto& k : t.constraints) {
    switch (k.kind) {
      case schema::ConstraintKind::primary_key:
        if (default_name(k.name, t.name.name, {}, "pkey")) k.name.clear();
        break;
      case schema::ConstraintKind::unique:
        if (default_name(k.name, t.name.name, k.columns, "key")) k.name.clear();
        break;
      case schema::ConstraintKind::foreign_key:
        if (default_name(k.name, t.name.name, k.columns, "fkey")) k.name.clear();
        break;
      case schema::ConstraintKind::check:
        break;
    }
  }
  for (auto& i : t.indexes) {
    std::vector<std::string> parts;
    for (const auto& key : i.keys) parts.push_back(key.column.empty() ? "expr" : key.column);
    if (default_name(i.name, t.name.name, parts, "idx")) i.name.clear();
  }
}

schema::Database to_model(
    schema::Database found, const model::SqlScript& script, const Options& options,
    const TargetFacts& facts,
    const std::set<std::tuple<std::string, std::string, std::string>>& volatile_defaults,
    const std::map<std::string, std::string>& extension_schemas) {
  schema::Database db;
  db.default_schema = options.default_schema;
  std::set<QualifiedName> stubs;
  for (const auto& s : facts.stubs) stubs.insert(s.name);
  std::set<std::string> named_extensions;
  for (const auto& s : script.statements) {
    if (s.action == model::SqlStatement::Action::extension) named_extensions.insert(s.extension);
  }
  std::set<std::string> schemas{options.default_schema};
  for (auto& e : found.extensions) {
    if (e == "plpgsql" && !named_extensions.count(e)) continue;
    db.extensions.push_back(e);
    auto where = extension_schemas.find(e);
    if (where != extension_schemas.end()) {
      db.extension_schemas[e] = where->second;
      schemas.insert(where->second);
    }
  }
  std::vector<std::string> notes;
  const std::string first_file = script.files.empty() ? "" : script.files.front().name;
  auto path_of = [&](const QualifiedName& name) {
    auto it = script.defined.find(name);
    return it != script.defined.end() ? it->second.text() : first_file;
  };
  for (auto& e : found.enums) {
    e.path = path_of(e.name);
    schemas.insert(e.name.schema);
    db.enums.push_back(std::move(e));
  }
  for (auto& t : found.tables) {
    if (stubs.count(t.name)) continue;
    // A pg_dump of a database Alembic (or schemad) keeps holds its
    // bookkeeping: not part of the model.
    if (t.name.schema == options.version_table_schema &&
        (t.name.name == "alembic_version" || t.name.name == "schemad_history" ||
         t.name.name == "schemad_memo")) {
      continue;
    }
    t.path = path_of(t.name);
    schemas.insert(t.name.schema);
    for (auto& c : t.columns) {
      c.path = t.path;
      c.generated_normalized = c.generated;  // the server's own text
      if (c.def.kind == schema::Default::Kind::sql) {
        c.def.stored = c.def.value;
        c.def.is_volatile = volatile_defaults.count({t.name.schema, t.name.name, c.name}) > 0;
      }
    }
    for (auto& k : t.constraints) {
      k.path = t.path;
      if (k.kind == schema::ConstraintKind::check) {
        if (k.normalized.empty()) k.normalized = k.expression;
        k.expression = sql::without_outer_parentheses(k.expression);
      }
      if (k.kind == schema::ConstraintKind::foreign_key && stubs.count(k.ref_table)) {
        k.external = true;
      }
    }
    // Triggers and policies: the server's own texts.
    for (auto& trigger : t.triggers) {
      trigger.path = t.path;
      trigger.when_normalized = trigger.when;
    }
    for (auto& policy : t.policies) {
      policy.path = t.path;
      policy.using_normalized = policy.using_expr;
      policy.check_normalized = policy.check_expr;
    }
    // The indexes of primary keys and uniques come with their constraints;
    // an exclusion constraint (its index alone is inspected) is not managed.
    std::vector<schema::Index> indexes;
    for (auto& i : t.indexes) {
      i.path = t.path;
      if (!i.constraint_backed) {
        indexes.push_back(std::move(i));
        continue;
      }
      const bool keyed =
          std::any_of(t.constraints.begin(), t.constraints.end(),
                      [&i](const schema::Constraint& k) { return k.name == i.name; });
      if (!keyed) {
        notes.push_back(t.path + ": exclusion constraint " + i.name + " on " + t.name.display() +
                        ": not managed by schemad; not applied");
      }
    }
    t.indexes = std::move(indexes);
    forget_default_names(t);
    db.tables.push_back(std::move(t));
  }
  // Views in the order they can be created, as pg_get_viewdef prints them.
  for (auto& v : found.views) {
    v.path = path_of(v.name);
    v.normalized = v.query;
    for (auto& index : v.indexes) index.path = v.path;
    schemas.insert(v.name.schema);
    db.views.push_back(std::move(v));
  }
  // Functions as pg_get_functiondef prints them: that text creates them.
  for (auto& f : found.functions) {
    f.path = path_of(f.name);
    f.normalized = f.sql;
    schemas.insert(f.name.schema);
    db.functions.push_back(std::move(f));
  }
  // Sequences of their own (a serial column's is part of it).
  for (auto& s : found.sequences) {
    if (!s.owned_table.empty() && stubs.count({s.name.schema, s.owned_table})) continue;
    s.path = path_of(s.name);
    schemas.insert(s.name.schema);
    db.sequences.push_back(std::move(s));
  }
  for (const auto& s : script.created_schemas) {
    if (std::binary_search(found.schemas.begin(), found.schemas.end(), s)) schemas.insert(s);
  }
  db.schemas.assign(schemas.begin(), schemas.end());
  db.canonical = true;
  db.not_managed = script.not_managed();
  db.not_managed.insert(db.not_managed.end(), notes.begin(), notes.end());
  db.fingerprint = model::fingerprint(db);
  return db;
}

// Where a build's time goes, for the debug log: "connect 12 ms, script
// 1830 ms, ...".
class Phases {
 public:
  void mark(const char* name) {
    const auto now = std::chrono::steady_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now - last_).count();
    text_ += (text_.empty() ? "" : ", ") + std::string(name) + " " + std::to_string(ms) + " ms";
    last_ = now;
  }
  const std::string& text() const { return text_; }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
  std::string text_;
};

// What a build made, read in its transaction after the script.
struct Made {
  schema::Database found;
  std::set<std::tuple<std::string, std::string, std::string>> volatile_defaults;
  std::map<std::string, std::string> extension_schemas;
};

Made read_build(pqxx::dbtransaction& tx, const model::SqlScript& script, const Options& options,
                Stats& stats, Phases& phases) {
  Made made;
  std::vector<std::string> schemas;
  for (const auto& r : tx.exec(kSchemasQuery)) schemas.push_back(r[0].c_str());
  ++stats.scratch_queries;
  for (const auto& r : tx.exec(kExtensionsQuery)) {
    made.extension_schemas[r[0].c_str()] = r[1].c_str();
  }
  ++stats.scratch_queries;
  for (const auto& r : tx.exec_params(kVolatileQuery, sql::text_array(schemas))) {
    made.volatile_defaults.insert({r[0].c_str(), r[1].c_str(), r[2].c_str()});
  }
  ++stats.scratch_queries;
  catalog::InspectStats inspected;
  phases.mark("volatility");
  made.found = catalog::inspect_in(tx, schemas, &inspected);
  phases.mark("inspection");
  stats.scratch_queries += inspected.queries;
  attach_sources(tx, made.found, script, options, stats);
  reprint_checks(tx, made.found, stats);
  phases.mark("sources");
  return made;
}

}  // namespace

Options options_from(const config::Config& config) {
  Options o;
  o.database = config.scratch.database;
  o.url = config.scratch.url;
  o.password_file = config.password_file;
  o.statement_timeout_ms = config.scratch.statement_timeout_ms;
  o.connect_timeout_seconds = config.reconcile.connect_timeout_seconds;
  o.default_schema = config.model_schema;
  o.version_table_schema = config.alembic.version_table_schema;
  return o;
}

std::shared_ptr<const schema::Database> Cache::find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return key == key_ ? model_ : nullptr;
}

void Cache::store(const std::string& key, std::shared_ptr<const schema::Database> model) {
  std::lock_guard<std::mutex> lock(mutex_);
  key_ = key;
  model_ = std::move(model);
}

schema::Database normalize(pqxx::connection_base& target,
                           const db::ConnectionOptions& target_options,
                           const model::SqlScript& script, const Options& options, Cache* cache,
                           Stats* stats_out) {
  Stats local;
  Stats& stats = stats_out != nullptr ? *stats_out : local;
  stats = Stats{};
  const TargetFacts facts = read_target(target, script, options, stats);
  const std::string key = cache_key(script, facts, options);
  if (cache != nullptr) {
    if (auto hit = cache->find(key)) {
      stats.cached = true;
      return *hit;
    }
  }

  Phases phases;
  auto [conn, owner] = connect_scratch(target, target_options, options, facts, stats);
  phases.mark("connect");
  const model::SqlBatch batch(script, extension_statements(script, facts));
  stats.script_statements = static_cast<int>(batch.size());
  const std::string prologue = "SET LOCAL search_path = " + sql::ident(options.default_schema) +
                               ";\n" + stub_sql(facts.stubs);

  Made made;
  std::optional<Failure> failure;
  {
    // Rolled back whatever happens: pqxx aborts a transaction that was not
    // committed, and a killed schemad's connection aborts it on the server.
    pqxx::work tx(*conn, "schemad_scratch_build");
    ++stats.scratch_queries;
    if (auto f = send(tx, prologue)) {
      throw model::ModelError(script.files.empty() ? "" : script.files.front().name, "",
                              "could not prepare the scratch build: " + f->message);
    }
    ++stats.scratch_queries;
    failure = send(tx, batch.text());
    phases.mark("script");
    ++stats.scratch_queries;
    if (!failure) {
      try {
        if (owner) refresh_statistics(tx, stats);
        phases.mark("statistics");
        made = read_build(tx, script, options, stats, phases);
      } catch (const pqxx::sql_error& e) {
        const db::Error error = db::translate(e);
        std::string text =
            (script.files.empty() ? std::string("the SQL model") : script.files.front().name) +
            ": the scratch build ran, and reading what it made failed: " + error.message;
        if (error.kind == db::ErrorKind::cancelled) {
          text += " (scratch.statement_timeout_ms is " +
                  std::to_string(options.statement_timeout_ms) +
                  " ms: raise it for a model this large)";
        }
        throw std::runtime_error(text);
      }
    }
    tx.abort();
    ++stats.scratch_queries;
    phases.mark("rollback");
  }
  spdlog::debug("scratch build of {} statements: {}", batch.size(), phases.text());
  if (failure) {
    model::SqlLocation where;
    if (!failure->position.empty()) {
      where = batch.locate(
          model::byte_offset_of_character(batch.text(), std::stoul(failure->position)));
    } else {
      where = find_failing(*conn, prologue, batch, *failure, stats);
    }
    throw model::ModelError(where.text(), "", failure->message);
  }
  schema::Database model = to_model(std::move(made.found), script, options, facts,
                                    made.volatile_defaults, made.extension_schemas);
  if (cache != nullptr) cache->store(key, std::make_shared<const schema::Database>(model));
  return model;
}

}  // namespace schemad::scratch
