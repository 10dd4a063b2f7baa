// Unit: the SQLSTATE classes db::translate gives their kinds.

#include <catch2/catch.hpp>
#include <string>

#include "db/error.hpp"

using namespace schemad;

TEST_CASE("a cancelled statement is a kind of its own, neither a lock wait nor a lost session",
          "[db]") {
  // query_canceled: statement_timeout, or a cancel request.
  CHECK(db::kind_of_sqlstate("57014") == db::ErrorKind::cancelled);
  CHECK(std::string(db::to_string(db::ErrorKind::cancelled)) == "cancelled");
  CHECK_FALSE(db::retry_statement(db::ErrorKind::cancelled));
  CHECK_FALSE(db::lock_contention(db::ErrorKind::cancelled));
  // Its neighbours in class 57 keep theirs.
  CHECK(db::kind_of_sqlstate("57P01") == db::ErrorKind::connection_lost);
  CHECK(db::kind_of_sqlstate("55P03") == db::ErrorKind::lock_timeout);
  CHECK(db::kind_of_sqlstate("XX000") == db::ErrorKind::other);
}
