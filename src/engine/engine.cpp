#include "engine/engine.hpp"

#include "apply/advisory_lock.hpp"
#include "apply/memo.hpp"
#include "catalog/version.hpp"
#include "engine/cache.hpp"
#include "engine/explain.hpp"
#include "engine/heal.hpp"
#include "engine/probe.hpp"

namespace schemad::engine {

namespace {

// The cached observation, when the settings allow it and nothing it depends
// on changed. Otherwise the cache is invalidated and `version` is the
// catalog version to store with the next no-op observation.
bool reuse_cached(pqxx::connection_base& conn, const schema::Database& model,
                  const Settings& settings, std::string& version, Report& report) {
  if (settings.cache == nullptr) return false;
  // Taken before the observation: a change in between shows next time.
  version = catalog::catalog_version(conn, model.schemas);
  if (settings.reuse) {
    if (auto o = reuse(conn, *settings.cache, model.fingerprint, report.revision, version,
                       settings.version_table_schema)) {
      report.found = *o;
      report.remaining = std::move(*o);
      return true;
    }
  }
  settings.cache->valid = false;
  return false;
}

// Nothing to heal, but the server answered questions no earlier run had
// recorded (the first run after an upgrade, a new expression in the
// model): keep the answers, under the lock, so that later runs need not ask.
void remember(pqxx::connection_base& conn, const schema::Database& model,
              const apply::Answers& learned, const Settings& settings, util::Clock& clock,
              Report& report) {
  auto lock =
      apply::lock_model(conn, settings.lock_name, model.schemas, settings.lock_retry, clock);
  record_answers(conn, learned, settings, clock, report);
}

// The heal created what questions asked ahead needed (an extension's
// function in a default, a new enum in a check): ask them now that it
// exists, so that the first check after this apply finds the answers.
void learn_after(pqxx::connection_base& conn, const schema::Database& model,
                 const Settings& settings, util::Clock& clock, Report& report) {
  const Observation after = observe(conn, model, baseline_of(settings, report.revision),
                                    {true, true, false, settings.replace});
  ++report.observations;
  if (!after.learned.empty()) remember(conn, model, after.learned, settings, clock, report);
}

void look_then_heal(pqxx::connection_base& conn, const schema::Database& model, Mode mode,
                    const Settings& settings, util::Clock& clock, Report& report) {
  std::string version;
  if (reuse_cached(conn, model, settings, version, report)) return;
  // Look first, without the lock: an apply with nothing to do never waits
  // for, nor holds up, another replica. check never retries what the data
  // blocks: it reports what the history says.
  const ObserveOptions look{mode == Mode::check || !settings.retry_conflicts, mode == Mode::apply,
                            false, settings.replace};
  report.found = observe(conn, model, baseline_of(settings, report.revision), look);
  ++report.observations;
  report.plan = plan::render(report.found.diff);
  report.remaining = report.found;
  report.pending = report.plan;
  // Several heads in alembic_version leave the stamp alone, not the schema;
  // changes the data blocks wait for an explicit request.
  if (mode == Mode::apply && report.found.actionable()) {
    heal(conn, model, settings, clock, report);
    if (report.found.learn_after && report.errors.empty())
      learn_after(conn, model, settings, clock, report);
  } else if (mode == Mode::apply && !report.found.learned.empty()) {
    remember(conn, model, report.found.learned, settings, clock, report);
  } else if (settings.cache && report.found.satisfied() && !report.found.stamp.error()) {
    *settings.cache = {true, model.fingerprint, report.revision, version, report.found, 0};
  }
}

// Whatever escaped the steps above, as an error value.
db::Error error_of(const schema::Database& model) {
  try {
    throw;
  } catch (const ProbeError& e) {
    return e.error();
  } catch (const apply::LockTimeout& e) {
    return db::make_error(db::ErrorKind::lock_timeout, e.what());
  } catch (const std::exception& e) {
    db::Error error = db::translate(e);
    explain_model(model, error);
    return error;
  }
}

}  // namespace

const char* to_string(Mode mode) {
  return mode == Mode::check ? "check" : "apply";
}

std::string Report::error_text() const {
  std::string out;
  for (const auto& error : errors) out += (out.empty() ? "" : "; ") + error.text();
  return out;
}

bool Report::model_error() const {
  for (const auto& error : errors) {
    if (!error.path.empty()) return true;
  }
  return false;
}

apply::ExecuteOptions execute_options(const Settings& settings) {
  return {settings.lock_retry, settings.statement_timeout_ms, settings.on_wait};
}

Report converge(pqxx::connection_base& conn, const schema::Database& model, Mode mode,
                const Settings& settings, util::Clock& clock) {
  Report report;
  report.mode = mode;
  const auto start = clock.now();
  try {
    report.revision = apply::baseline_revision(model, settings.revisions);
    look_then_heal(conn, model, mode, settings, clock, report);
  } catch (...) {
    report.errors.push_back(error_of(model));
  }
  report.duration = clock.now() - start;
  return report;
}

}  // namespace schemad::engine
