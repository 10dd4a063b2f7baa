#include "fleet/run.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <thread>

#include "apply/alembic_stamp.hpp"
#include "db/error.hpp"
#include "fleet/instantiate.hpp"
#include "model/fingerprint.hpp"

namespace schemad::fleet {

namespace {

using Seconds = std::chrono::duration<double>;

// One piece of work: a target, or a database's shared part.
struct Work {
  std::size_t database = 0;
  std::string schema;  // the tenant; "" for a database or a shared part
  std::string key;
  bool shared = false;
  const schema::Database* model = nullptr;  // a whole database's or a shared part's
  // A tenant's model (fleet::tenant_model), once built: a tenant that a
  // batch could not answer keeps it for the next pass and its worker.
  std::shared_ptr<const schema::Database> tenant;
};

// A worker's session: one connection at a time, kept while it works on the
// same database.
struct Session {
  std::size_t database = static_cast<std::size_t>(-1);
  std::unique_ptr<pqxx::connection> conn;

  pqxx::connection& to(const Fleet& fleet, std::size_t index) {
    if (conn && (database != index || !conn->is_open())) conn.reset();
    if (!conn) {
      conn = db::connect(fleet.databases[index].options);
      database = index;
    }
    return *conn;
  }
};

// Worth trying again: the session or other sessions were in the way, not
// the model, the data or the privileges.
bool transient(db::ErrorKind kind) {
  using K = db::ErrorKind;
  return db::lock_contention(kind) || kind == K::serialization || kind == K::connection_lost ||
         kind == K::cancelled || kind == K::in_doubt;
}

void fill(TargetResult& t, const engine::Report& r) {
  t.applied = 0;
  t.applied_by_kind.clear();
  for (const auto& step : r.steps) {
    if (!step.ok()) continue;
    ++t.applied;
    ++t.applied_by_kind[diff::to_string(step.step.kind)];
  }
  const engine::Observation& o = r.mode == engine::Mode::apply ? r.remaining : r.found;
  t.pending = o.diff.changes.size() + o.blocked.size() + (o.stamp.pending() ? 1 : 0);
  t.drift = o.diff.drift.size();
  t.changes.clear();
  for (const auto& c : o.diff.changes) {
    if (t.changes.size() == kMaxChanges) break;
    t.changes.push_back(c.description());
  }
  if (o.stamp.pending() && t.changes.size() < kMaxChanges) t.changes.push_back(o.stamp.message());
  for (const auto& b : o.blocked) {
    if (t.changes.size() == kMaxChanges) break;
    t.changes.push_back("blocked: " + b.message());
  }
  t.drift_by_class = engine::drift_by_class(o);
  t.drift_items.assign(o.diff.drift.begin(),
                       o.diff.drift.begin() + std::min(o.diff.drift.size(), kMaxChanges));
  t.statements = r.found.queries;
  t.verified = !r.verified_at.empty();
  t.error.clear();
  t.error_kind.clear();
  if (!r.errors.empty()) {
    const bool locked = std::all_of(r.errors.begin(), r.errors.end(),
                                    [](const db::Error& e) { return db::lock_contention(e.kind); });
    t.state = locked ? State::locked : State::failed;
    t.error = r.error_text();
    t.error_kind = db::to_string(r.errors.front().kind);
    return;
  }
  if (o.stamp.error()) {
    t.state = State::failed;
    t.error = o.stamp.message();
    t.error_kind = "stamp";
    return;
  }
  if (r.mode == engine::Mode::apply && !r.satisfied()) {
    t.state = State::failed;
    t.error_kind = o.blocked.empty() ? "incomplete" : db::to_string(db::ErrorKind::data_conflict);
    t.error = o.blocked.empty()
                  ? "does not satisfy the model after apply"
                  : std::to_string(o.blocked.size()) +
                        " changes are blocked by the data (first: " + o.blocked.front().message() +
                        ")";
    return;
  }
  if (!o.satisfied()) {
    t.state = State::pending;
    return;
  }
  t.state = o.diff.drift.empty() ? State::ok : State::drift;
}

// Removes the items whose name `gone` says.
template <typename T, typename Gone>
void drop_from(std::vector<T>& items, Gone gone) {
  items.erase(std::remove_if(items.begin(), items.end(), [&](const T& x) { return gone(x.name); }),
              items.end());
}

bool failure(State s) {
  return s == State::failed || s == State::locked;
}

class Runner {
 public:
  Runner(const Fleet& fleet, const schema::Database& model, const RunOptions& options,
         util::Clock& clock)
      : fleet_(fleet), model_(model), options_(options), clock_(clock) {
    revision_ = apply::baseline_revision(model, options.settings.revisions);
  }

  Summary run() {
    Summary s;
    s.mode = options_.mode;
    s.elsewhere = fleet_.elsewhere;
    const auto start = clock_.now();
    const std::string& tmpl = options_.fleet.tenant_template;
    s.targets.resize(fleet_.targets.size());
    for (std::size_t i = 0; i < fleet_.targets.size(); ++i) {
      const Target& t = fleet_.targets[i];
      TargetResult& r = s.targets[i];
      r.key = t.key;
      r.database = fleet_.databases[t.database].name;
      r.schema = t.schema;
      if (!t.error.empty()) {
        r.state = State::failed;
        r.error = t.error;
        r.error_kind = "discovery";
      }
    }
    // A database's shared objects first, once: its tenants stand on them.
    std::map<std::size_t, std::size_t> shared_of;  // database -> index in s.shared
    schema::Database shared;
    if (!tmpl.empty()) {
      shared = shared_part(model_, tmpl);
      shared.revision = revision_;
      shared.fingerprint = model::fingerprint(shared);
      if (declares_something(shared)) {
        std::vector<Work> work;
        for (const Target& t : fleet_.targets) {
          if (t.schema.empty() || shared_of.count(t.database)) continue;
          shared_of[t.database] = work.size();
          const std::string& name = fleet_.databases[t.database].name;
          work.push_back({t.database, "", name + " (shared)", true, &shared, nullptr});
        }
        s.shared.resize(work.size());
        for (std::size_t i = 0; i < work.size(); ++i) {
          s.shared[i].key = work[i].key;
          s.shared[i].database = fleet_.databases[work[i].database].name;
          s.shared[i].shared = true;
        }
        parallel(work, s.shared, false);
      }
    }
    // Then the canaries, then the rest.
    std::vector<Work> canary, rest;
    std::vector<std::size_t> canary_at, rest_at;
    const auto& names = options_.fleet.canary;
    for (std::size_t i = 0; i < fleet_.targets.size(); ++i) {
      const Target& t = fleet_.targets[i];
      if (!t.error.empty()) {
        ++failures_;
        continue;
      }
      // Before an apply, its database's shared objects must be there: a
      // tenant's heal would otherwise race the others to create them. A
      // check reads only and goes on.
      if (auto it = shared_of.find(t.database);
          options_.mode == engine::Mode::apply && it != shared_of.end()) {
        const TargetResult& part = s.shared[it->second];
        if (part.state != State::ok && part.state != State::drift) {
          s.targets[i].error = "its database's shared objects are " +
                               std::string(to_string(part.state)) +
                               (part.error.empty() ? "" : ": " + part.error);
          continue;
        }
      }
      Work w{t.database, t.schema, t.key, false, t.schema.empty() ? &model_ : nullptr, nullptr};
      const bool is_canary =
          std::find(names.begin(), names.end(), t.key) != names.end() ||
          (!t.schema.empty() && std::find(names.begin(), names.end(), t.schema) != names.end());
      (is_canary ? canary : rest).push_back(std::move(w));
      (is_canary ? canary_at : rest_at).push_back(i);
    }
    total_ = fleet_.targets.size();
    if (options_.settings.trust_record) {
      from_records(canary, canary_at, s);
      from_records(rest, rest_at, s);
    }
    if (options_.mode == engine::Mode::check) {
      from_inspection(canary, canary_at, s);
      from_inspection(rest, rest_at, s);
    }
    run_at(canary, canary_at, s);
    if (stopped_.empty()) {
      for (std::size_t i : canary_at) {
        if (failure(s.targets[i].state)) {
          stop("canary " + s.targets[i].key + " " + to_string(s.targets[i].state));
          break;
        }
      }
    }
    run_at(rest, rest_at, s);
    for (auto& r : s.targets) {
      if (r.state == State::skipped && r.error.empty()) r.error = "not attempted: " + stopped_;
    }
    s.stopped = stopped_;
    s.seconds = Seconds(clock_.now() - start).count();
    return s;
  }

 private:
  static bool declares_something(const schema::Database& d) {
    return !d.tables.empty() || !d.enums.empty() || !d.extensions.empty() || !d.sequences.empty() ||
           !d.views.empty() || !d.functions.empty();
  }

  // The tenants whose recorded verification still holds, answered a
  // database at a time in three statements per batch (however many
  // tenants).
  void from_records(std::vector<Work>& work, std::vector<std::size_t>& at, Summary& s) {
    in_batches(work, at, s, 500,
               [&](pqxx::connection& conn, const auto& models, const auto& schemas) {
                 return engine::converge_recorded_batch(conn, models, schemas, options_.mode,
                                                        options_.settings, clock_);
               });
  }

  // check: the other tenants of a database compared in one inspection of
  // all their schemas, each in memory (engine::check_batch).
  void from_inspection(std::vector<Work>& work, std::vector<std::size_t>& at, Summary& s) {
    in_batches(work, at, s, 250,
               [&](pqxx::connection& conn, const auto& models, const auto& schemas) {
                 return engine::check_batch(conn, models, schemas, options_.settings, clock_);
               });
  }

  // Answers what `answer` can of `work`'s tenants, a database and at most
  // `size` tenants at a time: taken out of `work`, their results set. The
  // rest are left for the workers, each on its own.
  template <typename Answer>
  void in_batches(std::vector<Work>& work, std::vector<std::size_t>& at, Summary& s,
                  std::size_t size, Answer answer) {
    std::vector<Work> left;
    std::vector<std::size_t> left_at;
    Session session;
    for (std::size_t begin = 0; begin < work.size();) {
      // Consecutive tenants of one database (work is by key).
      std::size_t end = begin;
      while (end < work.size() && end - begin < size && !work[end].schema.empty() &&
             work[end].database == work[begin].database) {
        ++end;
      }
      if (end == begin) {  // a whole database: its own reconcile
        left.push_back(std::move(work[begin]));
        left_at.push_back(at[begin]);
        ++begin;
        continue;
      }
      std::vector<const schema::Database*> pointers;
      std::vector<std::string> schemas;
      for (std::size_t i = begin; i < end; ++i) {
        pointers.push_back(&tenant_of(work[i]));
        schemas.push_back(work[i].schema);
      }
      std::vector<std::optional<engine::Report>> reports(end - begin);
      if (!stop_ && (options_.cancel == nullptr || !options_.cancel->load())) {
        try {
          reports = answer(session.to(fleet_, work[begin].database), pointers, schemas);
        } catch (const std::exception& e) {
          session.conn.reset();  // connecting failed: the workers try, and report it
          spdlog::debug("{}: not answered in a batch: {}", work[begin].key, e.what());
        }
      }
      for (std::size_t i = begin; i < end; ++i) {
        const auto& report = reports[i - begin];
        if (report && report->errors.empty()) {
          TargetResult& r = s.targets[at[i]];
          fill(r, *report);
          r.attempts = 1;
          r.seconds = Seconds(report->duration).count();
        } else {
          left.push_back(std::move(work[i]));
          left_at.push_back(at[i]);
        }
      }
      begin = end;
    }
    work = std::move(left);
    at = std::move(left_at);
  }

  void run_at(std::vector<Work>& work, const std::vector<std::size_t>& at, Summary& s) {
    std::vector<TargetResult> results(work.size());
    for (std::size_t i = 0; i < work.size(); ++i) results[i] = s.targets[at[i]];
    parallel(work, results, true);
    for (std::size_t i = 0; i < work.size(); ++i) s.targets[at[i]] = std::move(results[i]);
  }

  void stop(const std::string& why) {
    std::lock_guard<std::mutex> guard(mutex_);
    if (stopped_.empty()) stopped_ = why;
    stop_ = true;
  }

  // Runs `work` on at most fleet.concurrency threads (and sessions), never
  // more than fleet.max_connections. `budget`: failures count against the
  // failure policy.
  // Each worker takes items by index: work[i] is one thread's alone.
  void parallel(std::vector<Work>& work, std::vector<TargetResult>& results, bool budget) {
    if (work.empty()) return;
    const std::size_t workers = std::min<std::size_t>(
        {static_cast<std::size_t>(std::max(1, options_.fleet.concurrency)),
         static_cast<std::size_t>(std::max(1, options_.fleet.max_connections)), work.size()});
    std::atomic<std::size_t> next{0};
    auto loop = [&] {
      Session session;
      for (;;) {
        const std::size_t i = next++;
        if (i >= work.size()) return;
        if (stop_ || (options_.cancel != nullptr && options_.cancel->load())) {
          if (options_.cancel != nullptr && options_.cancel->load()) stop("the run was cancelled");
          continue;  // left skipped
        }
        one(session, work[i], results[i]);
        if (budget && failure(results[i].state)) count_failure(results[i]);
      }
    };
    std::vector<std::thread> threads;
    for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(loop);
    loop();
    for (auto& t : threads) t.join();
  }

  void count_failure(const TargetResult& r) {
    const auto& f = options_.fleet;
    const std::size_t n = ++failures_;
    if (f.on_failure == "stop") {
      stop("on_failure is \"stop\" and " + r.key + " " + to_string(r.state));
    } else if (f.max_failures > 0 && n >= static_cast<std::size_t>(f.max_failures)) {
      stop("max_failures (" + std::to_string(f.max_failures) + ") reached");
    } else if (f.max_failure_percent > 0 &&
               n * 100 >= static_cast<std::size_t>(f.max_failure_percent) * total_) {
      stop("max_failure_percent (" + std::to_string(f.max_failure_percent) + " % of " +
           std::to_string(total_) + " targets) reached");
    }
  }

  // A tenant's model, built the first time it is asked for.
  const schema::Database& tenant_of(Work& w) const {
    if (!w.tenant) {
      w.tenant = std::make_shared<const schema::Database>(
          tenant_model(model_, options_.fleet.tenant_template, w.schema, revision_));
    }
    return *w.tenant;
  }

  // One target, tried again with backoff while what stopped it may pass.
  void one(Session& session, Work& w, TargetResult& r) {
    const auto start = clock_.now();
    const schema::Database* model = w.model != nullptr ? w.model : &tenant_of(w);
    engine::Settings settings = options_.settings;
    if (!w.schema.empty()) settings.version_table_schema = w.schema;
    if (!options_.lock_name.empty()) settings.lock_name = options_.lock_name + ":" + w.key;
    settings.cache = nullptr;
    settings.reuse = false;
    std::vector<apply::Blocker> blockers;
    settings.on_wait = [&blockers](const apply::LockWait& wait) { blockers = wait.blockers; };
    std::chrono::milliseconds backoff(options_.fleet.retry_backoff_ms);
    for (int attempt = 0;; ++attempt) {
      blockers.clear();
      r.attempts = attempt + 1;
      bool again = false;
      try {
        pqxx::connection& conn = session.to(fleet_, w.database);
        const engine::Report report =
            engine::converge(conn, *model, options_.mode, settings, clock_);
        fill(r, report);
        again = !report.errors.empty() && transient(report.errors.front().kind);
        if (std::any_of(report.errors.begin(), report.errors.end(), [](const db::Error& e) {
              return e.kind == db::ErrorKind::connection_lost;
            })) {
          session.conn.reset();
        }
      } catch (const std::exception& e) {
        // Only connecting throws here; converge never does.
        session.conn.reset();
        r.state = State::failed;
        r.error = e.what();
        r.error_kind = db::to_string(db::ErrorKind::connection_lost);
        again = true;
      }
      r.blockers.clear();
      for (const auto& b : blockers) r.blockers.push_back(b.describe());
      if (!again || attempt >= options_.fleet.retries || stop_) break;
      if (options_.cancel != nullptr && options_.cancel->load()) break;
      spdlog::info("{}: {} ({}); trying again in {} ms", w.key, to_string(r.state), r.error,
                   backoff.count());
      clock_.sleep_for(backoff);
      backoff *= 2;
    }
    w.tenant.reset();  // done with: a thousand tenants' models are not kept
    r.seconds = Seconds(clock_.now() - start).count();
    log(r);
  }

  void log(const TargetResult& r) const {
    switch (r.state) {
      case State::failed:
      case State::locked:
        spdlog::error("{}: {}: {}", r.key, to_string(r.state), r.error);
        break;
      case State::pending:
        spdlog::info("{}: {} changes pending", r.key, r.pending);
        break;
      default:
        if (r.applied > 0) spdlog::info("{}: applied {} steps", r.key, r.applied);
        spdlog::debug("{}: {} ({} drift items, {:.3f} s)", r.key, to_string(r.state), r.drift,
                      r.seconds);
    }
  }

  const Fleet& fleet_;
  const schema::Database& model_;
  const RunOptions& options_;
  util::Clock& clock_;
  std::string revision_;
  std::size_t total_ = 0;
  std::atomic<std::size_t> failures_{0};
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::string stopped_;
};

}  // namespace

const char* to_string(State state) {
  switch (state) {
    case State::ok:
      return "ok";
    case State::drift:
      return "drift";
    case State::pending:
      return "pending";
    case State::failed:
      return "failed";
    case State::locked:
      return "locked";
    case State::skipped:
      return "skipped";
  }
  return "?";
}

std::vector<std::string> failure_kinds() {
  using K = db::ErrorKind;
  std::vector<std::string> out{"discovery", "stamp", "incomplete"};
  for (K kind : {K::lock_timeout, K::deadlock, K::serialization, K::data_conflict, K::permission,
                 K::unavailable, K::undefined_object, K::duplicate_object, K::read_only,
                 K::connection_lost, K::cancelled, K::in_doubt, K::other}) {
    out.push_back(db::to_string(kind));
  }
  return out;
}

std::map<State, std::size_t> Summary::counts() const {
  std::map<State, std::size_t> out;
  for (State s : kStates) out[s] = 0;
  for (const auto& r : shared) ++out[r.state];
  for (const auto& r : targets) ++out[r.state];
  return out;
}

bool Summary::satisfied() const {
  auto good = [](const TargetResult& r) { return r.state == State::ok || r.state == State::drift; };
  return std::all_of(shared.begin(), shared.end(), good) &&
         std::all_of(targets.begin(), targets.end(), good);
}

bool Summary::partial() const {
  const auto c = counts();
  return c.at(State::failed) + c.at(State::locked) + c.at(State::skipped) > 0;
}

schema::Database tenant_model(const schema::Database& model, const std::string& tmpl,
                              const std::string& tenant, const std::string& revision) {
  schema::Database d = instantiate(model, tmpl, tenant);
  // Shared tables, views, functions and sequences belong to the shared
  // part; a foreign key to a shared table stays, pointing outside.
  auto elsewhere = [&](const schema::QualifiedName& n) { return n.schema != tenant; };
  drop_from(d.tables, elsewhere);
  for (auto& t : d.tables) {
    for (auto& c : t.constraints) {
      if (c.kind == schema::ConstraintKind::foreign_key && elsewhere(c.ref_table)) {
        c.external = true;
      }
    }
  }
  drop_from(d.views, elsewhere);
  drop_from(d.functions, elsewhere);
  drop_from(d.sequences, elsewhere);
  // Shared enums and extensions too: the tenant inspects its own schema
  // only (a shared schema's other objects are no tenant's drift), and its
  // columns name a shared enum by its schema, as the shared part made it.
  drop_from(d.enums, elsewhere);
  d.extensions.clear();
  d.extension_schemas.clear();
  d.schemas = {tenant};
  d.default_schema = tenant;
  d.revision = revision;
  d.fingerprint = model::fingerprint(d);
  return d;
}

Summary run(const Fleet& fleet, const schema::Database& model, const RunOptions& options,
            util::Clock& clock) {
  return Runner(fleet, model, options, clock).run();
}

}  // namespace schemad::fleet
