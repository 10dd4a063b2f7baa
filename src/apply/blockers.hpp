#pragma once

// Who is in the way of a step that timed out waiting for a lock: the
// sessions holding locks on its table, or, when none does (a concurrent
// index build waits for every older transaction, whatever it touched), the
// oldest open transactions. For logs and /status; a failure to look is
// logged at debug level and answered with nobody.

#include <pqxx/connection_base>
#include <string>
#include <vector>

#include "apply/executor.hpp"

namespace schemad::apply {

// At most five sessions, oldest transaction first. `table` as SQL ("" for
// none). Precondition: no transaction open on `conn`.
std::vector<Blocker> find_blockers(pqxx::connection_base& conn, const std::string& table);

}  // namespace schemad::apply
