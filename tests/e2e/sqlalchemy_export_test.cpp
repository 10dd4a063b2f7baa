// End-to-end: schemad_sqlalchemy (schemad-sqlalchemy/) exports SQLAlchemy
// metadata, the built schemad applies the model, and two real oracles judge
// the database: Alembic's compare_metadata with compare_type and
// compare_server_default (tests/alembic/oracle/compare.py, which adds a
// create_all catalog round trip) finds zero differences, and
// `pg_dump --schema-only` equals the dump of a database that
// metadata.create_all() built. Python is Debian's /usr/bin/python3 with
// SQLAlchemy 1.4 and Alembic 1.8; without them these tests fail, never skip.

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "support/pg.hpp"
#include "support/process.hpp"
#include "support/python.hpp"

using namespace schemad::test;

namespace {

const std::string kOracle = std::string(SCHEMAD_SOURCE_DIR) + "/tests/alembic/oracle";
const std::string kExporterDir = std::string(SCHEMAD_SOURCE_DIR) + "/schemad-sqlalchemy";

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// python3 -m schemad_sqlalchemy ARGS, importable from the source tree.
RunResult exporter(const std::vector<std::string>& args) {
  std::vector<std::string> all{"-m", "schemad_sqlalchemy"};
  all.insert(all.end(), args.begin(), args.end());
  return python(all, {{"PYTHONPATH", kExporterDir}});
}

// The notes the exporter printed: one "schemad_sqlalchemy: note: ..." per
// line, nothing else on standard error.
std::vector<std::string> notes(const RunResult& r) {
  std::vector<std::string> out;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    CHECK(line.rfind("schemad_sqlalchemy: note: ", 0) == 0);
    out.push_back(line);
  }
  return out;
}

// Exports `module` (a file defining `metadata`), applies the model to an
// empty database and holds both oracles to it. Returns the exporter's notes.
std::vector<std::string> export_apply_and_compare(const std::string& module,
                                                  const std::string& name) {
  require_python_modules({"sqlalchemy", "alembic", "psycopg2"});
  const std::string model = write_temp_file("sqlalchemy-export/" + name + ".json", "");
  auto exported = exporter({module + ":metadata", "-o", model});
  INFO("schemad_sqlalchemy:\n" << exported.err);
  REQUIRE(exported.exit_code == 0);
  const auto found = notes(exported);

  // Deterministic: a second export gives the same bytes.
  auto again = exporter({module + ":metadata"});
  REQUIRE(again.exit_code == 0);
  std::ifstream written(model, std::ios::binary);
  std::ostringstream text;
  text << written.rdbuf();
  CHECK(again.out == text.str());

  auto valid = schemad_cmd({"--model", model, "validate"});
  INFO(valid.out << valid.err);
  REQUIRE(valid.exit_code == 0);

  TempDatabase built;
  auto applied = schemad_cmd({"--database-url", built.url(), "--model", model, "apply"});
  INFO("schemad apply:\n" << applied.out << applied.err);
  REQUIRE(applied.exit_code == 0);
  CHECK(contains(applied.out, "satisfies the model"));
  CHECK(contains(applied.out, "0 drift items"));

  // Oracle 1: Alembic's autogenerate comparison and the create_all catalog
  // round trip. Standard error holds only Alembic's notes on what it leaves
  // uncompared, expression indexes (it cannot reflect them) and generated
  // columns: the round trip and pg_dump cover them.
  auto compared = python({kOracle + "/compare.py", built.url(), module});
  INFO("compare.py stderr:\n" << compared.err);
  CHECK(compared.out == "");
  CHECK(compared.exit_code == 0);
  std::istringstream compare_notes(compared.err);
  for (std::string line; std::getline(compare_notes, line);) {
    CHECK(contains(line, "note: "));
    CHECK((contains(line, "expression-based index") || contains(line, "functional index") ||
           contains(line, "Computed default on")));
  }

  // Oracle 2: pg_dump of what create_all() builds.
  TempDatabase reference;
  auto created = python({kOracle + "/create_all.py", reference.url(), module});
  INFO("create_all.py:\n" << created.out << created.err);
  REQUIRE(created.exit_code == 0);
  CHECK(schema_dump(built) == schema_dump(reference));

  // And the other way: the model asks nothing of create_all's database but
  // the stamp.
  auto healed = schemad_cmd({"--database-url", reference.url(), "--model", model, "apply"});
  INFO("schemad apply on create_all's database:\n" << healed.out << healed.err);
  CHECK(healed.exit_code == 0);
  CHECK(contains(healed.out, "nothing to do"));
  CHECK(contains(healed.out, "0 drift items"));
  return found;
}

}  // namespace

TEST_CASE(
    "the exported Alembic interop metadata builds what create_all builds and Alembic sees no "
    "difference",
    "[e2e][pg][alembic][sqlalchemy]") {
  const auto found = export_apply_and_compare(kOracle + "/full_metadata.py", "full_metadata");
  CHECK(found.empty());
}

TEST_CASE(
    "a larger models.py using every construct the exporter expresses builds what create_all "
    "builds and Alembic sees no difference",
    "[e2e][pg][alembic][sqlalchemy]") {
  const auto found = export_apply_and_compare(kOracle + "/sqlalchemy_twin.py", "sqlalchemy_twin");
  // The one construct it keeps that the model cannot say: a Python-side
  // default, which never reaches the database.
  REQUIRE(found.size() == 1);
  CHECK(contains(found[0],
                 "public.customers.updated_at: Python-side default=datetime.utcnow "
                 "has no server_default"));
}
