#pragma once

// The whole model document -> schema::Database (fingerprint not yet set).

#include "model/invalid.hpp"
#include "schema/schema.hpp"

namespace schemad::model {

// Reads the top level (version, schema, revision, extensions, enums,
// tables), each table (read_table.hpp), then checks the rules across tables
// (validate.hpp). `version` is checked before anything else, so that a file
// of another format version gets that message rather than one about its
// keys. Fills default_schema, schemas (default schema, tables' and enums',
// sorted, distinct), extensions (sorted), enums and tables in model order,
// revision. Throws Invalid.
schema::Database read_model(const Document& doc);

}  // namespace schemad::model
