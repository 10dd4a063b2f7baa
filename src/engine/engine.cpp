#include "engine/engine.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "apply/advisory_lock.hpp"
#include "apply/memo.hpp"
#include "catalog/version.hpp"
#include "engine/cache.hpp"
#include "engine/explain.hpp"
#include "engine/heal.hpp"
#include "engine/probe.hpp"
#include "engine/verified.hpp"

namespace schemad::engine {

namespace {

// The cached observation, when the settings allow it and nothing it depends
// on changed. Otherwise the cache is invalidated and `version` is the
// catalog version to store with the next no-op observation (read here unless
// the caller read it already, before any observation).
bool reuse_cached(pqxx::connection_base& conn, const schema::Database& model,
                  const Settings& settings, std::string& version, Report& report) {
  if (settings.cache == nullptr) return false;
  // Taken before the observation: a change in between shows next time.
  if (version.empty()) version = catalog::catalog_version(conn, model.schemas);
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

// The observation `record` gives again when nothing it depends on differs
// from `now` and the settings; nullopt otherwise.
std::optional<Observation> from_record(const Verification& record, const Recorded& now,
                                       const std::string& revision, const Settings& settings) {
  if (record.catalog_version != now.catalog_version || record.revisions != now.revisions ||
      record.revision != revision || record.settings != settings_key(settings.replace) ||
      record.revision_source != revision_source(settings.revisions) ||
      record.schemad_version != SCHEMAD_VERSION) {
    return std::nullopt;
  }
  apply::StampState state;
  state.table_exists = now.stamp_table;
  state.revisions = now.revisions;
  const alembic::RevisionGraph* graph = settings.revisions.graph.get();
  if (apply::needs_history(state, revision, graph)) return std::nullopt;
  Observation o;
  o.stamp = apply::decide_stamp(state, revision, graph);
  if (o.stamp.pending() || o.stamp.error()) return std::nullopt;
  o.diff.drift = record.drift;
  o.memo_table = true;
  o.queries = now.queries;
  return o;
}

void use_record(Observation o, const Recorded& now, Report& report) {
  report.found = o;
  report.remaining = std::move(o);
  report.verified_at = now.recorded_at;
}

// The parsed model's recorded verification, when settings trust it and it
// still holds. `spent`: the statements it took. `version`: the catalog
// version of the model's schemas, when reading the record read it; taken
// before this run compares anything, it serves as the version taken before
// the comparison (any change after it shows next time), one query fewer.
bool trusted(pqxx::connection_base& conn, const schema::Database& model, const Settings& settings,
             Report& report, int& spent, std::string& version) {
  if (!settings.trust_record) return false;
  const Recorded now = read_recorded(conn, settings.version_table_schema, &model.schemas, "");
  spent = now.queries;
  if (now.record && now.record->schemas == model.schemas) version = now.catalog_version;
  if (!now.record || now.record->fingerprint != model.fingerprint) return false;
  auto o = from_record(*now.record, now, report.revision, settings);
  if (!o) return false;
  use_record(std::move(*o), now, report);
  return true;
}

// A no-op run that may write: the answers the server gave and, when this
// comparison verified the model in full, its record (unless the same one is
// kept already). The record alone needs no lock: one upsert, and a session
// that may not write goes on without it.
void keep(pqxx::connection_base& conn, const schema::Database& model, const Settings& settings,
          const std::string& version, util::Clock& clock, Report& report);

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

void keep(pqxx::connection_base& conn, const schema::Database& model, const Settings& settings,
          const std::string& version, util::Clock& clock, Report& report) {
  const Observation& f = report.found;
  apply::Answers writes = f.learned;
  if (f.memo_table && f.satisfied() && !f.stamp.error() && f.unverified.empty() && !f.learn_after &&
      !version.empty()) {
    Verification v{model.schemas,           version,
                   model.fingerprint,       model.source,
                   report.revision,         revision_source(settings.revisions),
                   f.stamp.state.revisions, settings_key(settings.replace),
                   SCHEMAD_VERSION,         f.diff.drift};
    std::sort(v.schemas.begin(), v.schemas.end());
    std::sort(v.revisions.begin(), v.revisions.end());
    std::string text = to_text(v);
    if (text != f.verification) writes[verification_question(model.schemas)] = std::move(text);
  }
  if (writes.empty()) return;
  if (!f.learned.empty()) {
    remember(conn, model, writes, settings, clock, report);
    return;
  }
  const apply::Statements memo{
      "recording the verification",
      apply::memo_upsert_sql(writes, apply::server_major(conn), settings.version_table_schema)};
  if (auto error = apply::execute(conn, memo, execute_options(settings), clock)) {
    spdlog::debug("verification not recorded: {}", error->text());
  }
}

void look_then_heal(pqxx::connection_base& conn, const schema::Database& model, Mode mode,
                    const Settings& settings, util::Clock& clock, Report& report) {
  int spent = 0;
  std::string version;
  if (trusted(conn, model, settings, report, spent, version)) return;
  if (reuse_cached(conn, model, settings, version, report)) return;
  // Taken before the comparison, for the record a no-op apply keeps.
  if (mode == Mode::apply && version.empty()) {
    version = catalog::catalog_version(conn, model.schemas);
    spent += 1;
  }
  // Look first, without the lock: an apply with nothing to do never waits
  // for, nor holds up, another replica. check never retries what the data
  // blocks: it reports what the history says.
  // An apply learns ahead how the server will print what it creates, so
  // that the heal can use this observation again under the lock.
  const ObserveOptions look{mode == Mode::check || !settings.retry_conflicts, mode == Mode::apply,
                            mode == Mode::apply, settings.replace};
  report.found = observe(conn, model, baseline_of(settings, report.revision), look);
  report.found.queries += spent;
  ++report.observations;
  report.plan = plan::render(report.found.diff);
  report.remaining = report.found;
  report.pending = report.plan;
  // Several heads in alembic_version leave the stamp alone, not the schema;
  // changes the data blocks wait for an explicit request.
  if (mode == Mode::apply && report.found.actionable()) {
    heal(conn, model, settings, clock, report, version);
    if (report.found.learn_after && report.errors.empty())
      learn_after(conn, model, settings, clock, report);
    return;
  }
  if (mode == Mode::apply) keep(conn, model, settings, version, clock, report);
  if (settings.cache && report.found.learned.empty() && report.found.satisfied() &&
      !report.found.stamp.error()) {
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

std::optional<Report> converge_recorded(pqxx::connection_base& conn, const std::string& source,
                                        Mode mode, const Settings& settings, util::Clock& clock) {
  const auto start = clock.now();
  try {
    const Recorded now = read_recorded(conn, settings.version_table_schema, nullptr, source);
    if (!now.record) return std::nullopt;
    auto o = from_record(*now.record, now, now.record->revision, settings);
    if (!o) return std::nullopt;
    Report report;
    report.mode = mode;
    report.revision = now.record->revision;
    use_record(std::move(*o), now, report);
    report.duration = clock.now() - start;
    return report;
  } catch (const std::exception& e) {
    spdlog::debug("no recorded verification: {}", e.what());
    return std::nullopt;
  }
}

std::vector<std::optional<Report>> converge_recorded_batch(
    pqxx::connection_base& conn, const std::vector<const schema::Database*>& models,
    const std::vector<std::string>& schemas, Mode mode, const Settings& settings,
    util::Clock& clock, int* statements) {
  const auto start = clock.now();
  std::vector<std::optional<Report>> out(models.size());
  if (statements != nullptr) *statements = 0;
  std::vector<std::vector<std::string>> model_schemas;
  for (const auto* m : models) model_schemas.push_back(m->schemas);
  std::vector<Recorded> now;
  try {
    now = read_recorded_batch(conn, schemas, model_schemas);
  } catch (const std::exception& e) {
    spdlog::debug("no recorded verifications: {}", e.what());
    return out;
  }
  if (statements != nullptr && !now.empty()) *statements = now.front().queries;
  for (std::size_t i = 0; i < models.size(); ++i) {
    const schema::Database& model = *models[i];
    const Recorded& r = now[i];
    if (!r.record || r.record->schemas != model.schemas ||
        r.record->fingerprint != model.fingerprint) {
      continue;
    }
    Report report;
    report.mode = mode;
    report.revision = apply::baseline_revision(model, settings.revisions);
    auto o = from_record(*r.record, r, report.revision, settings);
    if (!o) continue;
    o->queries = 0;  // the batch's statements are counted once, above
    use_record(std::move(*o), r, report);
    report.duration = clock.now() - start;
    out[i] = std::move(report);
  }
  return out;
}

std::vector<std::optional<Report>> check_batch(pqxx::connection_base& conn,
                                               const std::vector<const schema::Database*>& models,
                                               const std::vector<std::string>& schemas,
                                               const Settings& settings, util::Clock& clock,
                                               int* statements) {
  const auto start = clock.now();
  std::vector<std::optional<Report>> out(models.size());
  if (statements != nullptr) *statements = 0;
  std::vector<Baseline> baselines;
  for (std::size_t i = 0; i < models.size(); ++i) {
    baselines.push_back({apply::baseline_revision(*models[i], settings.revisions), schemas[i],
                         settings.revisions.graph.get()});
  }
  std::vector<std::optional<Observation>> found;
  try {
    found = observe_batch(conn, models, baselines, settings.replace, statements);
  } catch (const std::exception& e) {
    spdlog::debug("batch observation failed: {}", e.what());
    return out;
  }
  const auto each = (clock.now() - start) / std::max<std::size_t>(1, models.size());
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (!found[i]) continue;
    Report report;
    report.mode = Mode::check;
    report.revision = baselines[i].revision;
    report.found = std::move(*found[i]);
    report.observations = 1;
    report.plan = plan::render(report.found.diff);
    report.remaining = report.found;
    report.pending = report.plan;
    report.duration = each;
    out[i] = std::move(report);
  }
  return out;
}

apply::ExecuteOptions execute_options(const Settings& settings) {
  return {settings.lock_retry, settings.statement_timeout_ms, settings.on_wait,
          settings.on_wait_over, settings.on_step};
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
