#!/usr/bin/python3
"""Turn the benchmark's raw figures into one table.

    /usr/bin/python3 bench/report.py --meta META.json --results RESULTS.jsonl \
        [--markdown bench/RESULTS.md] [--json bench/RESULTS.json]

RESULTS.jsonl holds one JSON object a line, {"metric", "n", ...}: timed runs
carry wall_seconds, rss_kib and maybe statements; single figures carry value.
Every figure of a metric and size is the median of its runs. The table goes
to standard output and, as Markdown with the machine and versions, to
--markdown; --json keeps meta, the medians and every raw line, so the report
can be rendered again (`report.py --from-json bench/RESULTS.json`).
"""
import argparse
import json
import statistics
import sys

# The reference figures: 1,000 tables, 2 cores, PostgreSQL 15.
REFERENCE = {
    ("cold_psql", "wall"): "1.5 s",
    ("noop_floor_psql", "wall"): "0.16 s",
    ("cold_create_all", "wall"): "3.8 s",
    ("cold_create_all", "rss"): "191 MiB",
    ("noop_checkfirst", "wall"): "1.6 s",
    ("noop_checkfirst", "statements"): "1,013",
    ("noop_alembic_compare", "wall"): "8.8 s",
    ("noop_alembic_compare", "statements"): "11,803",
    ("noop_alembic_compare", "rss"): "251 MiB",
}


class Figures:
    def __init__(self, lines):
        self.lines = lines
        self.by = {}
        for line in lines:
            self.by.setdefault((line["metric"], line["n"]), []).append(line)

    def runs(self, metric, n):
        return len(self.by.get((metric, n), []))

    def median(self, metric, n, field):
        values = [l[field] for l in self.by.get((metric, n), []) if l.get(field) is not None]
        return statistics.median(values) if values else None

    def line(self, metric, n):
        found = self.by.get((metric, n))
        return found[-1] if found else None

    def value(self, metric, n):
        return self.median(metric, n, "value")


def seconds(s):
    if s is None:
        return "–"
    if s < 1:
        return f"{s * 1000:.0f} ms" if s >= 0.01 else f"{s * 1000:.1f} ms"
    return f"{s:.2f} s" if s < 100 else f"{s:.0f} s"


def mib(kib):
    return "–" if kib is None else f"{kib / 1024:.1f} MiB"


def count(v):
    return "–" if v is None else f"{int(v):,}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def times(r):
    if r is None:
        return "–"
    return f"{r:.2f}×" if r < 10 else f"{r:.0f}×"


def verdict(ok):
    return "–" if ok is None else ("met" if ok else "**missed**")


def build_rows(meta, f):
    sizes = meta["sizes"]
    tn = 1000 if 1000 in sizes else None   # the targets are stated for 1,000 tables
    dn = meta["daemon_n"]
    rows = []   # (section, label, {n: text}, reference, target, verdict, verdict's N)

    def per_size(fn):
        return {n: fn(n) for n in sizes}

    def at(fn, n):
        return fn(n) if n is not None else None

    def wall(metric):
        return lambda n: f.median(metric, n, "wall_seconds")

    def rss(metric):
        return lambda n: f.median(metric, n, "rss_kib")

    def stmts(metric):
        return lambda n: f.median(metric, n, "statements")

    def row(section, label, values, fmt, ref="", target="", ok=None, at_n=None):
        at_n = at_n or (dn if section in ("heal", "daemon") else tn)
        rows.append((section, label, {n: fmt(v) for n, v in values.items()}, ref, target,
                     verdict(ok), at_n))

    peers = meta.get("peers")

    # Cold.
    s = "cold"
    row(s, "floor: `psql -1 -f schema.sql`", per_size(wall("cold_psql")), seconds,
        REFERENCE[("cold_psql", "wall")])
    row(s, "`schemad apply` (empty database)", per_size(wall("cold_schemad")), seconds)
    cold_ratio = lambda n: ratio(f.median("cold_schemad", n, "wall_seconds"),
                                 f.median("cold_psql", n, "wall_seconds"))
    r = at(cold_ratio, tn)
    row(s, "schemad cold / floor", per_size(cold_ratio), times, "",
        "≤ 1.2× (1,000)", None if r is None else r <= 1.2)
    r = at(rss("cold_schemad"), 10000 if 10000 in sizes else None)
    row(s, "`schemad apply` cold, peak RSS", per_size(rss("cold_schemad")), mib, "",
        "< 256 MiB (10,000)", None if r is None else r < 256 * 1024, at_n=10000)
    if peers:
        row(s, "SQLAlchemy `create_all()`", per_size(wall("cold_create_all")), seconds,
            REFERENCE[("cold_create_all", "wall")])
        row(s, "`create_all()` peak RSS", per_size(rss("cold_create_all")), mib,
            REFERENCE[("cold_create_all", "rss")])
        row(s, "create_all() / schemad cold",
            per_size(lambda n: ratio(f.median("cold_create_all", n, "wall_seconds"),
                                     f.median("cold_schemad", n, "wall_seconds"))), times)

    # No-op.
    s = "no-op"
    row(s, "floor: 4 bulk catalog queries, `psql -f`", per_size(wall("noop_floor_psql")), seconds,
        REFERENCE[("noop_floor_psql", "wall")])
    big = [n for n in (1000, 10000) if n in sizes]

    def all_sizes(fn, test):
        values = [fn(n) for n in big]
        return None if not values or any(v is None for v in values) else all(test(v) for v in values)

    check = wall("noop_check")
    floor = lambda n: f.median("noop_floor_psql", n, "wall_seconds")
    check_ratio = lambda n: ratio(check(n), floor(n))
    row(s, "`schemad check --full` (inspects in full)", per_size(check), seconds)
    row(s, "schemad check --full / floor", per_size(check_ratio), times, "",
        "≤ 1.0× (1,000 and 10,000)", all_sizes(check_ratio, lambda v: v <= 1.0))
    row(s, "… server time of its statements (floor's)",
        {n: (f.median("noop_check", n, "server_seconds"), f.median("noop_floor_psql", n, "server_seconds"))
         for n in sizes},
        lambda t: "–" if t is None or t[0] is None else f"{seconds(t[0])} ({seconds(t[1])})")
    counts = {n: f.median("noop_check", n, "statements") for n in sizes}
    measured = [c for c in counts.values() if c is not None]
    constant = None if len(measured) < 2 else len(set(measured)) == 1
    all_three = all(n in sizes for n in (100, 1000, 10000))
    row(s, "`schemad check --full` statements", counts, count, "",
        "constant for 100/1,000/10,000" if all_three else "constant across sizes", constant)
    row(s, "`schemad check --full` peak RSS", per_size(rss("noop_check")), mib)
    verified = wall("noop_check_verified")
    verified_ratio = lambda n: ratio(verified(n), floor(n))
    row(s, "`schemad check` answered from the recorded verification", per_size(verified), seconds)
    row(s, "… / floor", per_size(verified_ratio), times, "", "≤ 0.3× (1,000 and 10,000)",
        all_sizes(verified_ratio, lambda v: v <= 0.3))
    row(s, "… statements", per_size(stmts("noop_check_verified")), count)
    mem_ok = all_sizes(rss("noop_check_verified"), lambda v: True)
    if mem_ok is not None:
        limits = {1000: 32 * 1024, 10000: 128 * 1024}
        mem_ok = all(rss("noop_check_verified")(n) < limits[n] for n in big)
    row(s, "… peak RSS", per_size(rss("noop_check_verified")), mib, "",
        "< 32 MiB (1,000), < 128 MiB (10,000)", mem_ok)
    row(s, "`schemad apply --full`", per_size(wall("noop_apply")), seconds)
    apply_counts = {n: f.median("noop_apply", n, "statements") for n in sizes}
    measured = [c for c in apply_counts.values() if c is not None]
    row(s, "`schemad apply --full` statements", apply_counts, count, "", "constant across sizes",
        None if len(measured) < 2 else len(set(measured)) == 1)
    row(s, "`schemad apply --full` peak RSS", per_size(rss("noop_apply")), mib)
    row(s, "`schemad apply` answered from the recorded verification",
        per_size(wall("noop_apply_verified")), seconds)
    only_dn = lambda fn: {n: (fn(n) if n == dn else None) for n in sizes}
    row(s, f"model with checks on half of the tables: `check --full`",
        only_dn(wall("noop_check_checks")), seconds, at_n=dn)
    row(s, "… its statements / peak RSS",
        {n: (f.median("noop_check_checks", n, "statements"), f.median("noop_check_checks", n, "rss_kib"))
         if n == dn else None for n in sizes},
        lambda t: "–" if t is None or t[0] is None else f"{count(t[0])} / {mib(t[1])}", at_n=dn)
    row(s, "… `check` answered from the recorded verification",
        only_dn(wall("noop_check_checks_verified")), seconds, at_n=dn)
    if peers:
        row(s, "`create_all(checkfirst=True)`", per_size(wall("noop_checkfirst")), seconds,
            REFERENCE[("noop_checkfirst", "wall")])
        row(s, "`create_all(checkfirst=True)` statements", per_size(stmts("noop_checkfirst")), count,
            REFERENCE[("noop_checkfirst", "statements")])
        row(s, "`create_all(checkfirst=True)` peak RSS", per_size(rss("noop_checkfirst")), mib)
        row(s, "Alembic `compare_metadata`", per_size(wall("noop_alembic_compare")), seconds,
            REFERENCE[("noop_alembic_compare", "wall")])
        row(s, "Alembic `compare_metadata` statements", per_size(stmts("noop_alembic_compare")),
            count, REFERENCE[("noop_alembic_compare", "statements")])
        row(s, "Alembic `compare_metadata` peak RSS", per_size(rss("noop_alembic_compare")), mib,
            REFERENCE[("noop_alembic_compare", "rss")])
        # Judged against the full comparison, the peers' kind of work; the
        # ratio to what users run (the recorded verification) is shown too.
        cf = lambda n: ratio(f.median("noop_checkfirst", n, "wall_seconds"), check(n))
        r = at(cf, tn)
        row(s, "checkfirst / schemad check --full", per_size(cf), times, "", "≥ 10× (1,000)",
            None if r is None else r >= 10)
        ac = lambda n: ratio(f.median("noop_alembic_compare", n, "wall_seconds"), check(n))
        r = at(ac, tn)
        row(s, "compare_metadata / schemad check --full", per_size(ac), times, "",
            "≥ 50× (1,000)", None if r is None else r >= 50)
        row(s, "compare_metadata / schemad check (recorded verification)",
            per_size(lambda n: ratio(f.median("noop_alembic_compare", n, "wall_seconds"),
                                     verified(n))), times)

    # SQL models.
    s = "sql"
    row(s, "normalising `schema.sql` (`validate`, scratch build)", per_size(wall("sql_normalise")),
        seconds)
    norm = lambda n: ratio(f.median("sql_normalise", n, "wall_seconds"),
                           f.median("cold_psql", n, "wall_seconds"))
    row(s, "… / `psql -1 -f schema.sql` into an empty database", per_size(norm), times)
    row(s, "normalising peak RSS", per_size(rss("sql_normalise")), mib)
    row(s, "no-op `check` with the SQL model", per_size(wall("noop_check_sql")), seconds)
    row(s, "… / the same check with the JSON model",
        per_size(lambda n: ratio(f.median("noop_check_sql", n, "wall_seconds"), check(n))), times)
    row(s, "… statements on the target (JSON model's)",
        {n: (f.median("noop_check_sql", n, "statements"), f.median("noop_check", n, "statements"))
         for n in sizes},
        lambda t: "–" if t is None or t[0] is None else f"{count(t[0])} ({count(t[1])})")
    only_d = lambda fn: {n: (fn(n) if n == dn else None) for n in sizes}
    row(s, "daemon SIGHUP, file unchanged (cached): reconcile, SQL model",
        only_d(wall("daemon_sql_sighup")), seconds, at_n=dn)
    row(s, "… the same with the JSON model", only_d(wall("daemon_json_sighup")), seconds, at_n=dn)

    # One missing column.
    s = "heal"
    only = lambda fn: {n: (fn(n) if n == dn else None) for n in sizes}
    row(s, "`schemad apply` adding one dropped column", only(wall("missing_column_apply")), seconds)
    row(s, "… statements", only(stmts("missing_column_apply")), count)
    heal_ratio = ratio(f.median("missing_column_apply", dn, "wall_seconds"),
                       f.median("noop_check", dn, "wall_seconds"))
    row(s, "… / no-op `check --full`", only(lambda n: heal_ratio), times, "", "≤ 1.5×",
        None if heal_ratio is None else heal_ratio <= 1.5)

    # The daemon.
    s = "daemon"
    v = lambda metric: (lambda n: f.value(metric, n))
    start = f.value("daemon_rss_start_kib", dn)
    after = f.value("daemon_rss_after_reconciles_kib", dn)
    row(s, "RSS after start-up (idle)", only(v("daemon_rss_start_kib")), mib, "", "< 16 MiB",
        None if start is None else start < 16 * 1024)
    if meta["reconciles"] > 10:
        row(s, "RSS after the 10th reconcile", only(v("daemon_rss_after_10_kib")), mib)
    growth_ok = None if start is None or after is None else after - start <= 1024
    row(s, f"RSS after {meta['reconciles']} reconciles", only(v("daemon_rss_after_reconciles_kib")),
        mib, "", "no growth (≤ 1 MiB)", growth_ok)
    row(s, "no-op reconcile on POST /reconcile (median; inspects in full by design)",
        only(v("daemon_noop_reconcile_seconds")), seconds)
    post_ratio = ratio(f.value("daemon_noop_reconcile_seconds", dn),
                       f.median("noop_floor_psql", dn, "wall_seconds"))
    row(s, "… / the no-op floor", only(lambda n: post_ratio), times, "", "≤ 1.0×",
        None if post_ratio is None else post_ratio <= 1.0)
    warm = f.value("daemon_timer_reconcile_seconds", dn)
    ticks = f.line("daemon_timer_reconcile_seconds", dn)
    row(s, "warm no-op reconcile, timer tick (median)", only(v("daemon_timer_reconcile_seconds")),
        lambda x: "–" if x is None else f"{seconds(x)} (p90 {seconds(ticks['p90'])}, max {seconds(ticks['max'])})",
        "", "< 20 ms", None if warm is None else warm < 0.020)
    cpu = f.value("daemon_idle_cpu_seconds", dn)
    idle = meta["idle_seconds"]
    cpu_ok = None if cpu is None else cpu <= 0.001 * idle
    row(s, f"CPU over {idle:g} s idle (utime+stime)", only(v("daemon_idle_cpu_seconds")),
        lambda c: "–" if c is None else f"{c * 1000:.0f} ms ({100 * c / idle:.3f} % of a core)",
        "", "near zero (≤ 0.1 % of a core)", cpu_ok)
    row(s, "wake-ups while idle (context switches/s, all threads)",
        only(v("daemon_idle_wakeups_per_second")), lambda x: "–" if x is None else f"{x:g}/s")
    row(s, "`/readyz` p50 / p99, idle daemon",
        {n: (f.value("readyz_idle_p50_ms", n), f.value("readyz_idle_p99_ms", n)) if n == dn else None
         for n in sizes},
        lambda t: "–" if t is None or t[0] is None else f"{t[0]:.2f} / {t[1]:.2f} ms")
    p99 = f.value("readyz_loaded_p99_ms", dn)
    row(s, "`/readyz` p50 / p99 while a reconcile runs",
        {n: (f.value("readyz_loaded_p50_ms", n), p99) if n == dn else None for n in sizes},
        lambda t: "–" if t is None or t[0] is None else f"{t[0]:.2f} / {t[1]:.2f} ms",
        "", "p99 < 5 ms", None if p99 is None else p99 < 5)
    cov = f.line("readyz_loaded_window_covered_fraction", dn)
    row(s, "… share of the wrk window with a reconcile running",
        only(lambda n: cov["value"] if cov else None),
        lambda x: "–" if x is None else f"{100 * x:.0f} % ({cov['heals']} heal(s))")
    heal = f.line("daemon_index_heal_reconcile_seconds", dn)
    row(s, "… that reconcile (rebuilds every secondary index, under wrk)",
        only(v("daemon_index_heal_reconcile_seconds")),
        lambda x: "–" if x is None else f"{seconds(x)} ({heal['indexes']:,} indexes)")
    return rows


def table(meta, rows):
    sizes = meta["sizes"]
    head = ["", "figure"] + [f"N = {n:,}" for n in sizes] + ["issue's reference (1,000)", "target",
                                                              "verdict"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for section, label, values, ref, target, ok, _ in rows:
        cells = [section, label] + [values.get(n, "–") for n in sizes] + [ref, target, ok]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def notes(meta, f):
    sizes = meta["sizes"]
    dn = meta["daemon_n"]
    out = []
    same = [(n, f.value("same_schema_schemad_psql", n), f.value("same_schema_create_all_psql", n))
            for n in sizes]
    parts = []
    for n, a, b in same:
        txt = f"{n:,}: schemad {'=' if a == 1 else '≠'} psql"
        if b is not None:
            txt += f", create_all {'=' if b == 1 else '≠'} psql"
        parts.append(txt)
    out.append("- **Same schema three ways.** `pg_dump --schema-only` of the databases built by "
               "psql, schemad and create_all() (bookkeeping tables excluded), first cold run: "
               + "; ".join(parts) + ".")
    diffs = [(n, f.value("alembic_differences", n)) for n in sizes]
    if any(d is not None for _, d in diffs):
        out.append("- **Alembic agrees.** Differences `compare_metadata` reported on the database "
                   "schemad built: " + ", ".join(f"{n:,}: {int(d)}" for n, d in diffs if d is not None)
                   + " (0 means the SQLAlchemy module, the model and the database agree).")
    runs = ", ".join(f"{n:,}: {f.runs('cold_schemad', n)} cold / {f.runs('noop_check', n)} no-op"
                     + (f" / {f.runs('noop_alembic_compare', n)} peer" if meta.get("peers") else "")
                     for n in sizes)
    out.append(f"- **Runs** (median reported): {runs}. Wall times are whole processes "
               "(start-up, connecting and, for the peers, importing SQLAlchemy and the module).")
    cov = f.line("readyz_loaded_window_covered_fraction", dn)
    if cov:
        out.append(
            f"- **/readyz under load.** `wrk -t1 -c4 -d{meta['wrk_seconds']}s --latency` against "
            f"`/readyz` while the daemon heals the {dn:,}-table database: a helper drops every "
            "secondary index (one transaction), POSTs /reconcile, waits for the reconcile to "
            "rebuild them (CREATE INDEX CONCURRENTLY, one by one), and repeats until wrk ends. "
            f"A reconcile ran during {100 * cov['value']:.0f} % of the window "
            f"({cov['heals']} heal(s)). wrk, PostgreSQL and schemad share the "
            f"{meta['cores']} cores. The idle row is the same wrk run for 5 s with nothing to do.")
    loaded = f.line("readyz_loaded_p99_ms", dn)
    if loaded:
        out.append(f"- wrk while reconciling: {loaded.get('requests') or 0:,} requests, "
                   f"{loaded.get('non_2xx') or 0} non-2xx"
                   + (f", {loaded['socket_errors']}" if loaded.get("socket_errors") else "") + ".")
    nr = f.line("daemon_noop_reconcile_seconds", dn)
    if nr:
        out.append(f"- **Warm reconciles**: {nr['reconciles']} POST /reconcile, one at a time; "
                   f"duration_seconds from /status: median {seconds(nr['value'])}, "
                   f"min {seconds(nr['min'])}, max {seconds(nr['max'])}; outcomes {', '.join(nr['outcomes'])}.")
    tk = f.line("daemon_timer_reconcile_seconds", dn)
    if tk:
        out.append(f"- **Timer ticks**: a second daemon with `reconcile.interval_seconds: 1`; "
                   f"{tk['ticks']} timer-triggered no-op reconciles, duration_seconds from /status: "
                   f"median {seconds(tk['value'])}, p90 {seconds(tk['p90'])}, min {seconds(tk['min'])}, "
                   f"max {seconds(tk['max'])}. A tick may reuse the last inspection when the catalog "
                   "did not change (one catalog-version query; every tenth tick inspects in full); "
                   "POST /reconcile always inspects in full, hence the two rows. The 20 ms target is "
                   "judged on the tick, the daemon's steady state.")
    for n in sizes:
        failed = f.line("sql_normalise_failed", n)
        if failed:
            out.append(f"- **The SQL model of {n:,} tables was not normalised** (after "
                       f"{seconds(failed['wall_seconds'])}): {failed.get('error', '')}")
    if meta.get("checks"):
        out.append(f"- The model had a CHECK on {meta['checks']:.0%} of the tables (BENCH_CHECKS).")
    if not meta.get("peers"):
        out.append("- The peers were skipped: python3-sqlalchemy, python3-alembic or python3-psycopg2 "
                   "did not import.")
    return out


def render(meta, lines):
    f = Figures(lines)
    rows = build_rows(meta, f)
    missed = [(label, values, target, at_n) for _, label, values, _, target, ok, at_n in rows
              if ok == "**missed**"]
    machine = (f"{meta['cpu']}, {meta['cores']} cores, {meta['memory']} RAM, Linux {meta['kernel']}")
    versions = (f"{meta['schemad']} ({meta['commit']}), PostgreSQL {meta['postgresql']}, "
                f"SQLAlchemy {meta['sqlalchemy']}, Alembic {meta['alembic']}, psycopg2 "
                f"{meta['psycopg2']}, Python {meta['python']}, wrk {meta['wrk']}")
    md = [
        "# schemad benchmark results",
        "",
        "Written by `bench/run` (see `bench/README.md`); do not edit by hand.",
        "",
        f"- **Date**: {meta['date']}",
        f"- **Machine**: {machine}",
        f"- **Versions**: {versions}",
        f"- **Load average** (1 min) when the run started / ended: {meta.get('load_start', '?')} / "
        f"{meta.get('load_end', '?')} on {meta['cores']} cores"
        + (" — **other work was running on the machine; the figures are noisy**"
           if max(float(meta.get("load_start") or 0), float(meta.get("load_end") or 0)) > 0.5
           else ""),
        f"- **PostgreSQL**: one throwaway server (`tests/pg/with-postgres.sh`), "
        f"{meta['postgresql_settings']}",
        f"- **Model**: `bench/generate.py --seed {meta['seed']}`, ~20 columns a table; "
        f"missing column and daemon on {meta['daemon_n']:,} tables",
        "",
        table(meta, rows),
        "",
        "## Notes",
        "",
    ] + notes(meta, f) + [""]
    if missed:
        md += ["## Targets missed", ""]
        for label, values, target, at_n in missed:
            shown = (", ".join(f"{v} at {n:,}" for n, v in values.items()) if "constant" in target
                     else f"{values.get(at_n, '–')} at {at_n:,} tables")
            md.append(f"- {label}: {shown}; target {target}")
        md.append("")
    return "\n".join(md), rows


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--meta")
    ap.add_argument("--results")
    ap.add_argument("--from-json", help="render again from a RESULTS.json")
    ap.add_argument("--markdown")
    ap.add_argument("--json")
    args = ap.parse_args(argv)
    if args.from_json:
        saved = json.load(open(args.from_json))
        meta, lines = saved["meta"], saved["raw"]
    elif args.meta and args.results:
        meta = json.load(open(args.meta))
        with open(args.results) as fh:
            lines = [json.loads(l) for l in fh if l.strip()]
    else:
        ap.error("give --meta and --results, or --from-json")
    md, rows = render(meta, lines)
    print(table(meta, rows))
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(md)
    if args.json:
        with open(args.json, "w") as fh:
            json.dump({"meta": meta, "raw": lines}, fh, indent=0)
            fh.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
