#include "engine/verified.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <pqxx/nontransaction>

#include "apply/bookkeeping.hpp"
#include "apply/memo.hpp"
#include "catalog/version.hpp"
#include "util/sql_text.hpp"

namespace schemad::engine {

namespace {

using nlohmann::json;

// Bumped whenever the layout below changes: an older record is no record.
constexpr int kLayout = 1;
const char* const kQuestionPrefix = "verified ";

std::optional<diff::DriftKind> drift_kind(const std::string& label) {
  for (auto kind : diff::kAllDriftKinds) {
    if (diff::to_string(kind) == label) return kind;
  }
  return std::nullopt;
}

std::string qualified(const std::string& schema, const char* table) {
  return sql::ident(schema) + "." + sql::ident(table);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? "," : "") + items[i];
  return out;
}

}  // namespace

std::string verification_question(const std::vector<std::string>& schemas) {
  std::vector<std::string> sorted = schemas;
  std::sort(sorted.begin(), sorted.end());
  return kQuestionPrefix + joined(sorted);
}

std::string settings_key(const diff::Replace& replace) {
  std::string out = "replace:";
  if (replace.functions) out += "functions,";
  if (replace.views) out += "views,";
  if (replace.triggers) out += "triggers,";
  return out;
}

std::string revision_source(const apply::RevisionSource& revisions) {
  std::string out = "configured:" + revisions.configured;
  if (revisions.graph) out += " heads:" + joined(revisions.graph->heads());
  return out;
}

std::string to_text(const Verification& v) {
  json drift = json::array();
  for (const auto& d : v.drift) {
    drift.push_back({diff::to_string(d.kind), d.object, d.expected, d.actual, d.path});
  }
  return json{{"layout", kLayout},
              {"schemas", v.schemas},
              {"catalog_version", v.catalog_version},
              {"fingerprint", v.fingerprint},
              {"source", v.source},
              {"revision", v.revision},
              {"revision_source", v.revision_source},
              {"revisions", v.revisions},
              {"settings", v.settings},
              {"schemad", v.schemad_version},
              {"drift", drift}}
      .dump();
}

std::optional<Verification> parse_verification(const std::string& text) {
  try {
    const json j = json::parse(text);
    if (j.at("layout").get<int>() != kLayout) return std::nullopt;
    Verification v;
    v.schemas = j.at("schemas").get<std::vector<std::string>>();
    v.catalog_version = j.at("catalog_version").get<std::string>();
    v.fingerprint = j.at("fingerprint").get<std::string>();
    v.source = j.at("source").get<std::string>();
    v.revision = j.at("revision").get<std::string>();
    v.revision_source = j.at("revision_source").get<std::string>();
    v.revisions = j.at("revisions").get<std::vector<std::string>>();
    v.settings = j.at("settings").get<std::string>();
    v.schemad_version = j.at("schemad").get<std::string>();
    for (const auto& item : j.at("drift")) {
      auto kind = drift_kind(item.at(0).get<std::string>());
      if (!kind) return std::nullopt;  // a kind this version does not know
      diff::Drift d;
      d.kind = *kind;
      d.object = item.at(1).get<std::string>();
      d.expected = item.at(2).get<std::string>();
      d.actual = item.at(3).get<std::string>();
      d.path = item.at(4).get<std::string>();
      v.drift.push_back(std::move(d));
    }
    if (v.schemas.empty()) return std::nullopt;
    return v;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

namespace {

// The first two statements: the tables, then the records and the rows.
void read_rows(pqxx::connection_base& conn, const std::string& schema,
               const std::vector<std::string>* schemas, const std::string& source, Recorded& out) {
  pqxx::nontransaction tx(conn, "schemad-verified");
  const std::string memo = qualified(schema, apply::kMemoTable);
  const std::string stamp = qualified(schema, apply::kAlembicVersionTable);
  const auto tables = tx.exec_params1(
      "SELECT to_regclass($1) IS NOT NULL, to_regclass($2) IS NOT NULL", memo, stamp);
  out.queries = 1;
  out.stamp_table = tables[1].as<bool>();
  if (!tables[0].as<bool>()) return;  // no table, no record

  std::string query = "SELECT question, answer, recorded_at::text FROM " + memo +
                      " WHERE server_version = $1 AND question ";
  query += schemas != nullptr ? "= $2" : "LIKE $2";
  if (out.stamp_table) query += " UNION ALL SELECT NULL, version_num::text, NULL FROM " + stamp;
  const std::string question =
      schemas != nullptr ? verification_question(*schemas) : std::string(kQuestionPrefix) + "%";
  const auto rows = tx.exec_params(query, apply::server_major(conn), question);
  out.queries += 1;
  for (const auto& row : rows) {
    if (row[0].is_null()) {
      out.revisions.push_back(row[1].c_str());
      continue;
    }
    auto record = parse_verification(row[1].c_str());
    if (!record || (schemas == nullptr && record->source != source)) continue;
    out.record = std::move(record);
    out.recorded_at = row[2].c_str();
  }
  std::sort(out.revisions.begin(), out.revisions.end());
}

}  // namespace

Recorded read_recorded(pqxx::connection_base& conn, const std::string& schema,
                       const std::vector<std::string>* schemas, const std::string& source) {
  Recorded out;
  if (schemas == nullptr && source.empty()) return out;
  read_rows(conn, schema, schemas, source, out);
  if (!out.record) return out;
  out.catalog_version = catalog::catalog_version(conn, out.record->schemas);
  out.queries += 1;
  return out;
}

std::vector<Recorded> read_recorded_batch(
    pqxx::connection_base& conn, const std::vector<std::string>& schemas,
    const std::vector<std::vector<std::string>>& model_schemas) {
  const std::size_t n = schemas.size();
  std::vector<Recorded> out(n);
  if (n == 0) return out;
  int queries = 0;
  {
    pqxx::nontransaction tx(conn, "schemad-verified");
    // 1. Which bookkeeping tables exist, for every schema at once.
    const auto tables = tx.exec_params(
        "SELECT to_regclass(format('%I.%I', s, $2::text)) IS NOT NULL, "
        "to_regclass(format('%I.%I', s, $3::text)) IS NOT NULL "
        "FROM unnest($1::text[]) WITH ORDINALITY AS t(s, i) ORDER BY i",
        sql::text_array(schemas), std::string(apply::kMemoTable),
        std::string(apply::kAlembicVersionTable));
    queries += 1;
    // 2. The records and alembic_version's rows of those that have them.
    std::string query;
    const std::string major = std::to_string(apply::server_major(conn));
    for (std::size_t i = 0; i < n; ++i) {
      out[i].stamp_table = tables[i][1].as<bool>();
      if (!tables[i][0].as<bool>()) continue;  // no schemad_memo, no record
      const std::string index = std::to_string(i);
      query += std::string(query.empty() ? "" : " UNION ALL ") + "SELECT " + index +
               ", question, answer, recorded_at::text FROM " +
               qualified(schemas[i], apply::kMemoTable) + " WHERE server_version = " + major +
               " AND question = " + sql::literal(verification_question(model_schemas[i]));
      if (out[i].stamp_table) {
        query += " UNION ALL SELECT " + index + ", NULL, version_num::text, NULL FROM " +
                 qualified(schemas[i], apply::kAlembicVersionTable);
      }
    }
    if (!query.empty()) {
      for (const auto& row : tx.exec(query)) {
        Recorded& r = out[row[0].as<std::size_t>()];
        if (row[1].is_null()) {
          r.revisions.push_back(row[2].c_str());
        } else if (auto record = parse_verification(row[2].c_str())) {
          r.record = std::move(record);
          r.recorded_at = row[3].c_str();
        }
      }
      queries += 1;
    }
  }
  // 3. The catalog version of every record's schemas: in one pass over
  // the catalogs when each record has one schema (a fleet's tenants),
  // otherwise one pass per record.
  std::vector<std::string> lists;
  std::vector<std::string> names;  // when every record has one schema
  bool one_each = true;
  std::vector<std::size_t> of;
  for (std::size_t i = 0; i < n; ++i) {
    std::sort(out[i].revisions.begin(), out[i].revisions.end());
    if (!out[i].record) continue;
    const auto& recorded = out[i].record->schemas;
    lists.push_back(sql::text_array(recorded));
    if (recorded.size() == 1) names.push_back(recorded.front());
    one_each = one_each && recorded.size() == 1;
    of.push_back(i);
  }
  if (!lists.empty()) {
    pqxx::nontransaction tx(conn, "schemad-catalog-versions");
    const pqxx::result rows =
        one_each ? tx.exec_params(catalog::catalog_versions_by_schema_sql(), sql::text_array(names))
                 : tx.exec_params(catalog::catalog_versions_sql(), sql::text_array(lists));
    for (const auto& row : rows) {
      out[of[row[0].as<std::size_t>() - 1]].catalog_version = row[1].c_str();
    }
    queries += 1;
  }
  out[0].queries = queries;
  return out;
}

}  // namespace schemad::engine
