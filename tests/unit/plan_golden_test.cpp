// The script for a representative model on an empty database, pinned as a
// file: tests/unit/golden/create_from_empty.sql. It was run on PostgreSQL 15
// with `psql -1 -v ON_ERROR_STOP=1 -f` when it was written; after a
// deliberate change of the rendering, regenerate it with
// SCHEMAD_UPDATE_GOLDEN=1, read the difference, and run it again.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "diff/diff.hpp"
#include "diff_fixtures.hpp"
#include "plan/plan.hpp"

using namespace schemad;
using namespace fixtures;

namespace {

const std::string kGolden =
    std::string(SCHEMAD_SOURCE_DIR) + "/tests/unit/golden/create_from_empty.sql";

schema::Column with(schema::Column c, const schema::Default& d) {
  return with_default(c, d);
}

schema::Constraint on_delete(schema::Constraint c, schema::ReferentialAction action) {
  c.on_delete = action;
  return c;
}

// The example chat model (config/model.example.json), plus a second schema,
// an identity and a serial column, unnamed constraints and indexes, index
// options and comments that need escaping.
schema::Database chat_model() {
  schema::Database db;
  db.schemas = {"app", "public"};
  db.extensions = {"pgcrypto"};
  db.enums = {enum_type("public", "message_role", {"system", "user", "assistant", "tool"}),
              enum_type("app", "document_status", {"uploaded", "processing", "ready", "failed"})};
  const schema::Type tstz = builtin("timestamp with time zone");
  const schema::Default now = sql_default("now()", false);
  const schema::Default random_uuid = sql_default("gen_random_uuid()", true);

  schema::Table users =
      table("public", "users",
            {with(column("id", "uuid", false), random_uuid),
             column("email", "character varying(320)", false), column("display_name", "text"),
             with(column("is_admin", "boolean", false), literal("false", false, "false")),
             with(column("settings", "jsonb", false), json("{}", "'{}'::jsonb")),
             with(column("created_at", tstz, false), now)});
  users.comment = "people who sign in";
  users.columns[3].comment = "it's an administrator";
  users.constraints = {primary_key({"id"}), unique({"email"})};
  users.indexes = {keyed_index("ix_users_lower_email", {expression_key("lower((email)::text)")})};

  schema::Table conversations =
      table("public", "conversations",
            {with(column("id", "uuid", false), random_uuid), column("owner_id", "uuid", false),
             with(column("title", "character varying(200)", false),
                  literal("New conversation", true, "'New conversation'::character varying")),
             with(column("archived", "boolean", false), literal("false", false, "false")),
             with(column("created_at", tstz, false), now),
             with(column("updated_at", tstz, false), now), column("last_message_id", "bigint")});
  schema::IndexKey updated_desc = key("updated_at");
  updated_desc.order = schema::SortOrder::desc;
  conversations.constraints = {
      primary_key({"id"}),
      on_delete(foreign_key({"owner_id"}, qn("public", "users"), {"id"}, "fk_conversations_owner"),
                schema::ReferentialAction::cascade),
      // With messages' foreign key to conversations: a cycle.
      on_delete(foreign_key({"last_message_id"}, qn("public", "messages"), {"id"}),
                schema::ReferentialAction::set_null)};
  conversations.indexes = {
      keyed_index("ix_conversations_owner_updated", {key("owner_id"), updated_desc})};

  schema::Table messages = table(
      "public", "messages",
      {column("id", "bigint", false), column("conversation_id", "uuid", false),
       column("seq", "integer", false),
       with(column("role", user_type("public", "message_role"), false),
            literal("user", true, "'user'::public.message_role")),
       column("content", "text", false), with(column("meta", "jsonb"), json("{}", "'{}'::jsonb")),
       with(column("tokens", "integer", false), literal("0", false, "0")),
       with(column("created_at", tstz, false), now), column("deleted_at", tstz)});
  messages.columns[0].identity = schema::Identity::always;
  messages.comment = "chat messages";
  messages.constraints = {primary_key({"id"}),
                          unique({"conversation_id", "seq"}, "uq_messages_conversation_seq"),
                          on_delete(foreign_key({"conversation_id"}, qn("public", "conversations"),
                                                {"id"}, "fk_messages_conversation"),
                                    schema::ReferentialAction::cascade),
                          check("tokens >= 0", "ck_messages_tokens")};
  messages.indexes = {index("ix_messages_created_at", {"created_at"})};
  messages.indexes[0].where = "deleted_at IS NULL";

  schema::Table documents =
      table("app", "documents",
            {column("id", "bigint", false), column("owner_id", "uuid", false),
             column("conversation_id", "uuid"), column("filename", "text", false),
             with(column("status", user_type("app", "document_status"), false),
                  literal("uploaded", true, "'uploaded'::app.document_status")),
             with(column("size_bytes", "bigint", false), literal("0", false, "0")),
             column("sha256", "character(64)"),
             with(column("tags", builtin("text", true), false), sql_default("'{}'::text[]", false)),
             with(column("created_at", tstz, false), now)});
  documents.columns[0].serial = true;
  documents.constraints = {
      primary_key({"id"}, "pk_documents"),
      on_delete(foreign_key({"owner_id"}, qn("public", "users"), {"id"}, "fk_documents_owner"),
                schema::ReferentialAction::cascade),
      on_delete(foreign_key({"conversation_id"}, qn("public", "conversations"), {"id"},
                            "fk_documents_conversation"),
                schema::ReferentialAction::set_null),
      check("size_bytes >= 0")};
  schema::Index tags = index("ix_documents_tags", {"tags"});
  tags.method = "gin";
  schema::Index by_owner = index("", {"owner_id", "status"});
  by_owner.include = {"filename"};
  schema::Index by_sha = index("ux_documents_sha256", {"sha256"}, true);
  by_sha.where = "sha256 IS NOT NULL";
  documents.indexes = {by_owner, tags, by_sha};

  db.tables = {users, conversations, messages, documents};
  return db;
}

schema::Database empty_database() {
  schema::Database db;
  db.schemas = {"public"};
  db.extensions = {"plpgsql"};
  return db;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

TEST_CASE("renders the script for a representative model on an empty database", "[plan][golden]") {
  diff::Result result = diff::compare(chat_model(), empty_database());
  REQUIRE(result.drift.empty());
  plan::Plan plan = plan::render(result, plan::Options{false});
  for (const auto& step : plan.steps) CHECK(step.phase == plan::Phase::transaction);
  std::string script = plan::to_script(plan, false);

  if (std::getenv("SCHEMAD_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(kGolden, std::ios::binary) << script;
  }
  std::string golden = read_file(kGolden);
  REQUIRE_FALSE(golden.empty());
  CHECK(script == golden);
}

TEST_CASE("transaction markers bracket the transactional steps", "[plan][golden]") {
  plan::Plan plan =
      plan::render(diff::compare(chat_model(), empty_database()), plan::Options{false});
  std::string script = plan::to_script(plan, true);
  CHECK(script == "BEGIN;\n" + read_file(kGolden) + "COMMIT;\n");
}
