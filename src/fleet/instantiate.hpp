#pragma once

// A model's tenant template: the objects of one schema of the model (the
// template schema) are made once per tenant, each tenant in a schema of its
// own; the model's other objects are shared, made once per database.
//
// Only the structured parts of the model are renamed (names, types, foreign
// keys, trigger functions, and a serial-like default's nextval text, which
// schemad itself can print exactly). SQL text the author wrote is never
// rewritten: PostgreSQL is the only SQL parser schemad trusts, so a text
// that qualifies a name with the template schema cannot be instantiated and
// check_template refuses it.

#include <stdexcept>
#include <string>

#include "schema/schema.hpp"

namespace schemad::fleet {

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Checks that `model` can be instantiated per tenant from template schema
// `tmpl`: throws TemplateError naming the model path of the first object
// that cannot (in the file's order: extensions, functions, tables, views).
// Refused:
//  - `tmpl` not among the model's schemas;
//  - an extension created in `tmpl` (extensions exist once per database);
//  - SQL text (defaults, generated expressions, checks, index predicates
//    and key expressions, trigger conditions, policies, view queries,
//    function definitions) naming `tmpl` as a qualifier: `tmpl.` unquoted
//    (any case, as PostgreSQL folds it), or `"tmpl".`, whitespace allowed
//    before the dot, also inside string constants (a '...'::regclass or a
//    function body names relations there); comments are not read. The
//    exception is a template table's default that is exactly
//    nextval('tmpl.seq'::regclass) as the server prints it: instantiate
//    renames it;
//  - a shared object that depends on a template one, which the shared
//    part would lack: a foreign key to a template table, a column of a
//    template type, a trigger calling a template function, a function
//    taking a template type.
void check_template(const schema::Database& model, const std::string& tmpl);

// The model with every object of schema `tmpl` moved to schema `tenant`
// (pure): tables, enums, sequences, views and functions of `tmpl`, foreign
// keys and column types naming `tmpl`, trigger functions of `tmpl`, function
// argument types of `tmpl`, and defaults that are exactly the server's
// nextval text of a `tmpl` sequence. Objects of other schemas (shared:
// extensions, enums, tables of another schema) are kept as they are.
// `schemas` and `default_schema` name `tenant` for `tmpl`; `fingerprint` is
// the result's own; `source` is cleared (it is the SHA-256 of the model
// file's text, which no longer describes this model); `path`s still point
// into the model file. What the probe learned about the moved objects
// (normalised texts, view columns, a sql default's server text) named the
// template's schema, and is cleared for the probe to learn again, except in
// a canonical (SQL) model, whose texts are the written ones.
// Precondition: check_template(model, tmpl) passed. Throws TemplateError
// when `tenant` is not an identifier (1 to 63 bytes) or is another schema
// of the model (a tenant's schema holds its tenant's objects only).
schema::Database instantiate(const schema::Database& model, const std::string& tmpl,
                             const std::string& tenant);

// The objects of the model that are not in `tmpl` (the shared part, built
// once per database): tables, enums, sequences, views and functions of
// other schemas, and the extensions; `schemas` without `tmpl`. A removed
// table's triggers and policies go with it. `default_schema` is kept (it
// only said where the file's unqualified names went); `fingerprint` is
// recomputed and `source` cleared, as for instantiate.
schema::Database shared_part(const schema::Database& model, const std::string& tmpl);

}  // namespace schemad::fleet
