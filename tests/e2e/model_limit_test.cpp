// End-to-end: the configuration's model_max_bytes moves the size limit of
// a model, JSON or SQL, with the built binary.

#include <catch2/catch.hpp>
#include <string>

#include "support/process.hpp"

using namespace schemad::test;

TEST_CASE("model_max_bytes lets a larger model in, or keeps a smaller one out", "[e2e]") {
  // A valid model padded past 16 MiB, as a pretty-printed 10,000-table model is.
  const std::string body = R"({"version": 1, "tables": []})";
  const std::string model = write_temp_file(
      "limit/big.json", body + std::string(16u * 1024u * 1024u + 1 - body.size(), ' '));
  auto refused = schemad_cmd({"--model", model, "validate"});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("more than the limit of 16777216 (16 MiB; model_max_bytes raises it)") !=
        std::string::npos);

  const std::string raised =
      write_temp_file("limit/raised.json", R"({"model_max_bytes": 20971520})");
  auto accepted = schemad_cmd({"--config", raised, "--model", model, "validate"});
  INFO(accepted.err);
  CHECK(accepted.exit_code == 0);
  CHECK(accepted.out.find("valid: 0 tables") != std::string::npos);

  // A SQL model is held to it as well (read before any database is needed).
  const std::string script = write_temp_file("limit/schema.sql", "CREATE TABLE t (id integer);\n");
  const std::string lowered = write_temp_file("limit/lowered.json", R"({"model_max_bytes": 10})");
  auto small = schemad_cmd({"--config", lowered, "--model", script, "validate"});
  CHECK(small.exit_code == 1);
  CHECK(small.err.find("the SQL model is more than the limit of 10 bytes (model_max_bytes) in "
                       "all") != std::string::npos);
}
