#include "apply/memo.hpp"

#include <algorithm>

#include "apply/bookkeeping.hpp"
#include "util/sql_text.hpp"

namespace schemad::apply {

namespace {

std::string table_sql(const std::string& schema) {
  return sql::ident(schema) + "." + sql::ident(kMemoTable);
}

}  // namespace

std::vector<std::string> memo_sql(const Answers& learned, int server_major,
                                  const std::string& schema) {
  std::vector<std::string> out = {
      "CREATE SCHEMA IF NOT EXISTS " + sql::ident(schema),
      "CREATE TABLE IF NOT EXISTS " + table_sql(schema) +
          " (server_version integer NOT NULL, question text NOT NULL, answer text NOT NULL, "
          "recorded_at timestamptz NOT NULL DEFAULT now(), "
          "CONSTRAINT schemad_memo_pkey PRIMARY KEY (server_version, question))",
  };
  for (auto& statement : memo_upsert_sql(learned, server_major, schema)) {
    out.push_back(std::move(statement));
  }
  return out;
}

std::vector<std::string> memo_upsert_sql(const Answers& learned, int server_major,
                                         const std::string& schema) {
  if (learned.empty()) return {};
  std::string values;
  for (const auto& [question, answer] : learned) {
    values += (values.empty() ? "" : ", ") + std::string("(") + std::to_string(server_major) +
              ", " + sql::literal(question) + ", " + sql::literal(answer) + ")";
  }
  return {"INSERT INTO " + table_sql(schema) + " (server_version, question, answer) VALUES " +
          values +
          " ON CONFLICT (server_version, question) DO UPDATE SET answer = EXCLUDED.answer, "
          "recorded_at = now()"};
}

bool memo_exists(pqxx::transaction_base& tx, const std::string& schema) {
  return !tx.exec_params1("SELECT to_regclass($1)", table_sql(schema))[0].is_null();
}

Answers read_memo(pqxx::transaction_base& tx, const std::string& schema, int server_major) {
  Answers out;
  for (const auto& row : tx.exec_params(
           "SELECT question, answer FROM " + table_sql(schema) + " WHERE server_version = $1",
           server_major)) {
    out.emplace(row[0].c_str(), row[1].c_str());
  }
  return out;
}

std::pair<std::vector<std::string>, Answers> read_revisions_and_memo(pqxx::transaction_base& tx,
                                                                     const std::string& schema,
                                                                     int server_major) {
  std::pair<std::vector<std::string>, Answers> out;
  const auto rows = tx.exec_params("SELECT version_num::text, NULL::text FROM " +
                                       sql::ident(schema) + "." + sql::ident(kAlembicVersionTable) +
                                       " UNION ALL SELECT question, answer FROM " +
                                       table_sql(schema) + " WHERE server_version = $1",
                                   server_major);
  for (const auto& row : rows) {
    if (row[1].is_null()) {
      out.first.push_back(row[0].c_str());
    } else {
      out.second.emplace(row[0].c_str(), row[1].c_str());
    }
  }
  std::sort(out.first.begin(), out.first.end());
  return out;
}

int server_major(const pqxx::connection_base& conn) {
  return conn.server_version() / 10000;
}

}  // namespace schemad::apply
