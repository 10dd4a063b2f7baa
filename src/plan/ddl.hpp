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

// The model's CREATE FUNCTION / PROCEDURE text as it is, after
// "SET LOCAL check_function_bodies = off;" (as pg_dump does): a body may read
// tables created later in the same transaction.
std::string create_function_sql(const schema::Function& function);

// CREATE [MATERIALIZED] VIEW name AS query (a materialized view WITH DATA).
std::string create_view_sql(const schema::View& view);

// The model's function as CREATE OR REPLACE (inserted after CREATE when the
// text does not say it), after SET LOCAL check_function_bodies = off.
std::string replace_function_sql(const schema::Function& function);

// CREATE OR REPLACE VIEW name AS query.
std::string replace_view_sql(const schema::View& view);

// DROP TRIGGER name ON table.
std::string drop_trigger_sql(const schema::QualifiedName& table, const std::string& trigger);

// CREATE TRIGGER name {BEFORE|AFTER} events ON table FOR EACH {ROW|STATEMENT}
// [WHEN (…)] EXECUTE FUNCTION f('arg', …)
std::string create_trigger_sql(const schema::QualifiedName& table, const schema::Trigger& trigger);

// CREATE POLICY name ON table AS {PERMISSIVE|RESTRICTIVE} FOR command TO
// roles [USING (…)] [WITH CHECK (…)]
std::string create_policy_sql(const schema::QualifiedName& table, const schema::Policy& policy);

// ALTER TABLE table ENABLE ROW LEVEL SECURITY[, FORCE ROW LEVEL SECURITY]
std::string row_security_sql(const schema::QualifiedName& table, bool enable, bool force);

}  // namespace schemad::plan
