// Columns added to existing tables, by the spec's safe-default rules: never
// a table rewrite for a default, never a NOT NULL that existing rows cannot
// meet.

#include "plan/builder.hpp"
#include "plan/ddl.hpp"
#include "util/sql_text.hpp"

namespace schemad::plan {

namespace {

std::string alter_table(const diff::Change& change) {
  return "ALTER TABLE " + change.table.name.sql() + " ";
}

// serial on an existing table: the column is added plain and nullable, then
// given what serial would have made (an owned sequence and its nextval
// default), so that existing rows are not rewritten.
void add_serial_default(Builder& b, const diff::Change& change) {
  const schema::QualifiedName& table = change.table.name;
  const schema::Column& column = change.column;
  schema::QualifiedName sequence{table.schema,
                                 b.names.choose(table.schema, table.name, column.name, "seq")};
  b.add(Slot::column, change,
        "CREATE SEQUENCE " + sequence.sql() + " AS " + column.type.sql() + " OWNED BY " +
            table.sql() + "." + sql::ident(column.name),
        "sequence");
  b.add(Slot::column, change,
        alter_table(change) + "ALTER COLUMN " + sql::ident(column.name) + " SET DEFAULT nextval(" +
            sql::literal(sequence.sql()) + "::regclass)",
        "default for new rows");
}

}  // namespace

void render_column(Builder& b, const diff::Change& change) {
  const schema::Column& want = change.column;
  bool identity = want.identity != schema::Identity::none;
  // A volatile default would be evaluated for every existing row: a rewrite.
  bool volatile_default =
      !identity && want.def.kind == schema::Default::Kind::sql && want.def.is_volatile != false;

  schema::Column added = want;
  if (!diff::can_add_not_null(want)) added.nullable = true;
  if (volatile_default || want.serial) {
    added.def = schema::Default{};
    added.serial = false;
  }
  b.add(Slot::column, change, alter_table(change) + "ADD COLUMN " + column_sql(added));

  if (want.serial) {
    add_serial_default(b, change);
  } else if (volatile_default) {
    b.add(Slot::column, change,
          alter_table(change) + "ALTER COLUMN " + sql::ident(want.name) + " SET DEFAULT " +
              schema::default_sql(want.def, want.type),
          "default for new rows");
  }
}

}  // namespace schemad::plan
