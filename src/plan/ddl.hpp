#pragma once

// SQL text of single objects, as plan steps splice it. Identifiers are
// quoted with sql::ident, types printed by schema::Type::sql(), literals
// quoted with sql::literal; only the model's {"sql"} defaults, check
// expressions and index predicates/expressions go in as written.

#include <string>

#include "schema/schema.hpp"

namespace schemad::plan {

// "serial" for a serial integer column, the column's type otherwise.
std::string column_type_sql(const schema::Column& column);

// "name" type [GENERATED ... AS IDENTITY] [NOT NULL] [DEFAULT expr], as
// declared (the caller adapts a column added to an existing table first).
std::string column_sql(const schema::Column& column);

// The constraint's clause without its name: PRIMARY KEY ("a"), UNIQUE (..),
// CHECK (expr), FOREIGN KEY (..) REFERENCES "s"."t" (..) [ON DELETE ..].
std::string constraint_body_sql(const schema::Constraint& constraint);

// [CONSTRAINT "name"] body; `name` empty: PostgreSQL chooses it.
std::string constraint_sql(const schema::Constraint& constraint, const std::string& name);

// CREATE TABLE with every column, the primary key, uniques and checks
// (foreign keys and indexes are separate steps).
std::string create_table_sql(const schema::Table& table);

// CREATE [UNIQUE] INDEX [CONCURRENTLY] ["name"] ON table [USING method]
// (keys) [INCLUDE (..)] [WHERE ..]; `name` empty: PostgreSQL chooses it.
// USING "method" is written only for methods other than btree.
std::string create_index_sql(const schema::QualifiedName& table, const schema::Index& index,
                             const std::string& name, bool concurrently);

// DROP INDEX [CONCURRENTLY] IF EXISTS "schema"."name".
std::string drop_index_sql(const schema::QualifiedName& index, bool concurrently);

// CREATE TYPE "s"."e" AS ENUM ('a', 'b').
// CREATE SEQUENCE with every number spelled out (the model's are complete),
// and its OWNED BY, a step of its own once the owner exists.
std::string create_sequence_sql(const schema::Sequence& s);
std::string sequence_owner_sql(const schema::Sequence& s);

std::string create_enum_sql(const schema::Enum& type);

// ALTER TYPE "s"."e" ADD VALUE IF NOT EXISTS 'v' [BEFORE|AFTER 'n'].
std::string add_enum_value_sql(const schema::QualifiedName& type, const std::string& value,
                               const std::string& neighbour, bool before);

// COMMENT ON TABLE "s"."t" IS '...', or ON COLUMN "s"."t"."c" when `column`
// is not empty.
std::string comment_sql(const schema::QualifiedName& table, const std::string& column,
                        const std::string& comment);

}  // namespace schemad::plan
