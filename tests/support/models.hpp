#pragma once

// Small models shared by integration and end-to-end tests.

namespace schemad::test {

// Three tables (users, posts, comments) with a FK chain, an enum, a unique
// and an index: the model of the "Done when" scenario.
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

}  // namespace schemad::test
