// End-to-end: a one-shot check, plan or apply answers from the verification
// the last no-op apply recorded while nothing changed, with the built
// binary; --full, a change by hand, or another model makes it inspect.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "support/pg.hpp"
#include "support/process.hpp"

using namespace schemad::test;
using nlohmann::json;

namespace {

const char* kModel = R"j({"version": 1, "revision": "r1", "tables": [
  {"name": "items", "columns": [{"name": "id", "type": "integer", "primary_key": true},
                                {"name": "sku", "type": "text"}]}]})j";

RunResult on(const TempDatabase& db, const std::string& model, std::vector<std::string> command) {
  std::vector<std::string> args{"--database-url", db.url(), "--model", model};
  args.insert(args.end(), command.begin(), command.end());
  return schemad_cmd(args);
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

}  // namespace

TEST_CASE("check answers from the recorded verification until something changes", "[e2e][pg]") {
  TempDatabase db;
  db.exec("CREATE TABLE items (id integer PRIMARY KEY, note text)");  // drift: an extra column
  const std::string model = write_temp_file("verified/model.json", kModel);
  REQUIRE(on(db, model, {"apply"}).exit_code == 0);
  auto first = on(db, model, {"apply"});
  INFO(first.out << first.err);
  REQUIRE(first.exit_code == 0);
  CHECK_FALSE(contains(first.out, "as verified at"));  // this one inspected, and recorded

  auto check = on(db, model, {"check"});
  INFO(check.out << check.err);
  CHECK(check.exit_code == 0);
  CHECK(contains(check.out, "drift: public.items.note: column not in the model"));
  CHECK(contains(check.out, "satisfies the model (1 drift items; as verified at "));
  // The exit codes are those of a full check: drift with --strict is 4.
  CHECK(on(db, model, {"check", "--strict"}).exit_code == 4);
  auto as_json = on(db, model, {"check", "--format", "json"});
  REQUIRE(as_json.exit_code == 0);
  const json report = json::parse(as_json.out);
  CHECK(report["verified_at"].is_string());
  CHECK(report["drift"].size() == 1);
  auto plan = on(db, model, {"plan"});
  CHECK(contains(plan.out, "-- nothing to create; as verified at "));

  auto full = on(db, model, {"check", "--full"});
  CHECK(full.exit_code == 0);
  CHECK(contains(full.out, "satisfies the model (1 drift items)\n"));
  CHECK(json::parse(on(db, model, {"check", "--full", "--format", "json"}).out)["verified_at"]
            .is_null());

  // The same model written otherwise (its text differs, its fingerprint
  // does not): read, then still answered from the record.
  const std::string spaced = write_temp_file("verified/spaced.json", std::string(kModel) + "\n\n");
  CHECK(contains(on(db, spaced, {"check"}).out, "as verified at "));
  // Another model: inspected.
  const std::string other =
      write_temp_file("verified/other.json",
                      R"j({"version": 1, "revision": "r1", "tables": [{"name": "items", "columns": [
        {"name": "id", "type": "integer", "primary_key": true}, {"name": "sku", "type": "text"},
        {"name": "qty", "type": "integer"}]}]})j");
  auto other_check = on(db, other, {"check"});
  CHECK(other_check.exit_code == 3);
  CHECK(contains(other_check.out, "pending: add column public.items.qty"));

  // A change by hand: the next check inspects, and sees it.
  db.exec("ALTER TABLE items DROP COLUMN sku");
  auto after = on(db, model, {"check"});
  INFO(after.out << after.err);
  CHECK(after.exit_code == 3);
  CHECK(contains(after.out, "pending: add column public.items.sku"));
  CHECK_FALSE(contains(after.out, "as verified at"));
  auto healed = on(db, model, {"apply"});
  CHECK(healed.exit_code == 0);
  CHECK(contains(healed.out, "applied 1 steps"));
}
