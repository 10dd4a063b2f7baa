#pragma once

// Small models shared by integration and end-to-end tests.

namespace schemad::test {

// Three tables (users, posts, comments) with a FK chain, an enum, a unique
// and an index: the model of the "Done when" scenario.
// One table with an enum column, a default, an index and a comment: every
// kind of catalog row the catalog version sums (catalog_version_test,
// verified_test).
inline constexpr const char* kItemsModel = R"j({"version": 1, "revision": "r1",
  "enums": [{"name": "mood", "values": ["ok", "meh"]}],
  "tables": [{"name": "items", "comment": "things",
              "columns": [{"name": "id", "type": "integer", "primary_key": true},
                          {"name": "sku", "type": "text", "default": "x"},
                          {"name": "mood", "type": "mood"}],
              "indexes": [{"name": "ix_items_sku", "columns": ["sku"]}]}]})j";

inline constexpr const char* kThreeTableModel = R"j({
  "version": 1,
  "revision": "rev_three_tables",
  "enums": [{"name": "post_state", "values": ["draft", "published"]}],
  "tables": [
    {"name": "users", "columns": [
      {"name": "id", "type": "bigint", "primary_key": true, "identity": "by default"},
      {"name": "email", "type": "varchar(255)", "nullable": false, "unique": true},
      {"name": "created_at", "type": "timestamptz", "nullable": false, "default": {"sql": "now()"}}]},
    {"name": "posts", "columns": [
      {"name": "id", "type": "bigint", "primary_key": true, "identity": "by default"},
      {"name": "author_id", "type": "bigint", "nullable": false},
      {"name": "state", "type": "post_state", "nullable": false, "default": "draft"},
      {"name": "title", "type": "text", "nullable": false, "default": ""},
      {"name": "score", "type": "integer", "nullable": false, "default": 0}],
     "foreign_keys": [{"name": "fk_posts_author", "columns": ["author_id"],
                       "references": {"table": "users", "columns": ["id"]}, "on_delete": "cascade"}],
     "indexes": [{"name": "ix_posts_author", "columns": ["author_id"]}]},
    {"name": "comments", "columns": [
      {"name": "id", "type": "bigint", "primary_key": true, "identity": "by default"},
      {"name": "post_id", "type": "bigint", "nullable": false},
      {"name": "body", "type": "text", "nullable": false}],
     "foreign_keys": [{"columns": ["post_id"], "references": {"table": "posts", "columns": ["id"]}}]}
  ]
})j";

// What real applications write, and PostgreSQL prints otherwise: checks
// with literals and casts, volatile defaults from extensions
// (uuid_generate_v4(), gen_random_bytes()), AT TIME ZONE, an extension's
// type (citext), partial and expression indexes, unnamed checks.
inline constexpr const char* kRealisticModel = R"j({
  "version": 1,
  "revision": "rev_realistic",
  "extensions": ["pgcrypto", "uuid-ossp", "citext"],
  "enums": [{"name": "run_state", "values": ["queued", "running", "done"]}],
  "tables": [
    {"name": "accounts", "columns": [
      {"name": "id", "type": "uuid", "primary_key": true, "default": {"sql": "uuid_generate_v4()"}},
      {"name": "email", "type": "citext", "nullable": false},
      {"name": "api_key", "type": "text", "nullable": false,
       "default": {"sql": "encode(gen_random_bytes(24), 'hex')"}},
      {"name": "balance", "type": "numeric(12,2)", "nullable": false, "default": 0},
      {"name": "status", "type": "varchar(16)", "nullable": false, "default": "active"},
      {"name": "created_at", "type": "timestamp", "nullable": false,
       "default": {"sql": "now() AT TIME ZONE 'utc'"}},
      {"name": "deleted_at", "type": "timestamptz"}],
     "checks": [{"name": "ck_accounts_balance", "expression": "balance >= 0"},
                {"expression": "status IN ('active', 'suspended')"},
                {"expression": "length(api_key) = 48"}],
     "indexes": [{"name": "ix_accounts_email", "columns": [{"expression": "lower(email::text)"}],
                  "unique": true, "where": "deleted_at IS NULL"},
                 {"name": "ix_accounts_live", "columns": ["created_at"], "where": "deleted_at IS NULL"}]},
    {"name": "runs", "columns": [
      {"name": "id", "type": "uuid", "primary_key": true, "default": {"sql": "gen_random_uuid()"}},
      {"name": "account_id", "type": "uuid", "nullable": false},
      {"name": "state", "type": "run_state", "nullable": false, "default": "queued"},
      {"name": "tokens", "type": "integer", "nullable": false, "default": 0},
      {"name": "cost", "type": "numeric(10,4)"},
      {"name": "started_at", "type": "timestamptz", "default": {"sql": "now()"}}],
     "checks": [{"name": "ck_runs_tokens", "expression": "tokens >= 0 AND tokens < 1000000"},
                {"expression": "cost IS NULL OR cost >= 0.0"}],
     "foreign_keys": [{"columns": ["account_id"],
                       "references": {"table": "accounts", "columns": ["id"]}, "on_delete": "cascade"}],
     "indexes": [{"name": "ix_runs_open", "columns": ["account_id", "started_at"],
                  "where": "state <> 'done'"}]}
  ]
})j";

}  // namespace schemad::test
