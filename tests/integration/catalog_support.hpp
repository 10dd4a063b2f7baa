#pragma once

// Helpers shared by the catalog integration tests: inspecting a TempDatabase
// and finding inspected objects, with readable failure messages.

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "catalog/inspect.hpp"
#include "schema/schema.hpp"
#include "support/pg.hpp"

namespace Catch {

template <>
struct StringMaker<schemad::schema::Type> {
  static std::string convert(const schemad::schema::Type& t) {
    return "Type{\"" + t.schema + "\", \"" + t.name + "\", \"" + t.modifier + "\", " +
           (t.array ? "array" : "scalar") + "}";
  }
};

template <>
struct StringMaker<schemad::schema::QualifiedName> {
  static std::string convert(const schemad::schema::QualifiedName& n) { return n.display(); }
};

template <>
struct StringMaker<schemad::schema::IndexKey> {
  static std::string convert(const schemad::schema::IndexKey& k) {
    return "IndexKey{column \"" + k.column + "\", expression \"" + k.expression + "\", opclass \"" +
           k.opclass + "\", order " + std::to_string(static_cast<int>(k.order)) + ", nulls " +
           std::to_string(static_cast<int>(k.nulls)) + "}";
  }
};

}  // namespace Catch

namespace schemad::test {

// Inspects `schemas` of `db` over a fresh connection.
inline schema::Database inspect(const TempDatabase& db, const std::vector<std::string>& schemas,
                                catalog::InspectStats* stats = nullptr) {
  pqxx::connection conn(db.url());
  return catalog::inspect(conn, schemas, stats);
}

inline const schema::Table& table(const schema::Database& db, const std::string& schema_name,
                                  const std::string& name) {
  const schema::Table* t = db.table({schema_name, name});
  INFO("table " << schema_name << "." << name);
  REQUIRE(t != nullptr);
  return *t;
}

inline const schema::Column& column(const schema::Table& t, const std::string& name) {
  const schema::Column* c = t.column(name);
  INFO("column " << t.name.display() << "." << name);
  REQUIRE(c != nullptr);
  return *c;
}

inline const schema::Constraint& constraint(const schema::Table& t, const std::string& name) {
  for (const auto& c : t.constraints) {
    if (c.name == name) return c;
  }
  FAIL("no constraint " << name << " on " << t.name.display());
  throw std::logic_error("unreachable");
}

inline const schema::Index& index(const schema::Table& t, const std::string& name) {
  for (const auto& i : t.indexes) {
    if (i.name == name) return i;
  }
  FAIL("no index " << name << " on " << t.name.display());
  throw std::logic_error("unreachable");
}

inline std::vector<std::string> column_names(const schema::Table& t) {
  std::vector<std::string> out;
  for (const auto& c : t.columns) out.push_back(c.name);
  return out;
}

inline std::vector<std::string> constraint_names(const schema::Table& t) {
  std::vector<std::string> out;
  for (const auto& c : t.constraints) out.push_back(c.name);
  return out;
}

inline std::vector<std::string> index_names(const schema::Table& t) {
  std::vector<std::string> out;
  for (const auto& i : t.indexes) out.push_back(i.name);
  return out;
}

inline std::vector<schema::QualifiedName> table_names(const schema::Database& db) {
  std::vector<schema::QualifiedName> out;
  for (const auto& t : db.tables) out.push_back(t.name);
  return out;
}

}  // namespace schemad::test
