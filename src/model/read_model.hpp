#pragma once

// The whole model document -> schema::Database (fingerprint not yet set).

#include <functional>
#include <vector>

#include "model/invalid.hpp"
#include "model/read_table.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// Reads the tables into the vector, given what a table's reader needs: for
// a document whose tables were streamed (util::parse_strict_json with a
// stream key), so that they are read one at a time.
using TablesReader = std::function<void(const ModelScope&, std::vector<schema::Table>&)>;

// Reads the top level (version, schema, revision, extensions, enums,
// tables), each table (read_table.hpp), then checks the rules across tables
// (validate.hpp). `version` is checked before anything else, so that a file
// of another format version gets that message rather than one about its
// keys. Fills default_schema, schemas (default schema, tables' and enums',
// sorted, distinct), extensions (sorted), enums and tables in model order,
// revision. Throws Invalid. With `tables`, "tables" must be an array, and
// `tables` reads its elements (those of `doc` are not used).
schema::Database read_model(const Document& doc, const TablesReader* tables = nullptr);

}  // namespace schemad::model
