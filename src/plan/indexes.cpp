// Indexes: on an existing table built CONCURRENTLY after the commit
// (online), so that writers are never blocked; on a new table, in the
// transaction.

#include "plan/builder.hpp"
#include "plan/ddl.hpp"

namespace schemad::plan {

void render_index(Builder& b, const diff::Change& change, bool new_table, bool of_new_view) {
  const schema::Index& index = change.index;
  bool concurrently = b.options.online && !new_table;
  Slot slot = concurrently   ? Slot::after_index
              : of_new_view  ? Slot::view_index
              : index.unique ? Slot::unique_index
                             : Slot::index;
  if (!change.invalid_index.empty()) {
    schema::QualifiedName invalid{change.table.name.schema, change.invalid_index};
    b.add(slot, change, drop_index_sql(invalid, concurrently), "drop invalid index").concurrent =
        concurrently;
  }
  Step& build =
      b.add(slot, change, create_index_sql(change.table.name, index, index.name, concurrently));
  build.concurrent = concurrently;
  if (concurrently)
    build.builds = schema::QualifiedName{change.table.name.schema, index.name}.sql();
}

}  // namespace schemad::plan
