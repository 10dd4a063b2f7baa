#!/usr/bin/python3
"""Measure the running daemon: memory, warm no-op reconciles, idle CPU and
/readyz latency while a long reconcile runs.

    /usr/bin/python3 bench/daemon.py --schemad BIN --model MODEL.json \
        --database-url URL --db NAME --workdir DIR --out RESULTS.jsonl \
        [--reconciles 100] [--idle-seconds 60] [--wrk-seconds 10] [--ticks 30]

The database must already satisfy the model (the harness hands over the
1,000-table database its cold runs built). Steps, in order:

 1. start `schemad --config CONFIG run` (HTTP on a free 127.0.0.1 port,
    `http.admin_token` set so POST /reconcile works, logs at warn); wait for
    /readyz 200 after the start-up reconcile; 2 s later read VmRSS from
    /proc/PID/status: `rss_start`.
 2. POST /reconcile N times, one at a time: each waits until /status shows
    a new last_reconcile.started and activity back to idle; the daemon's own
    last_reconcile.duration_seconds of each is recorded (warm no-op reconcile
    time). VmRSS after the 10th and after the last.
 3. idle: utime+stime of the process (all threads, /proc/PID/stat) and the
    sum of its threads' context switches, before and after --idle-seconds of
    doing nothing (the default health check, SELECT 1 every 10 s, runs).
 4. /readyz under load: `wrk -t1 -c4 -d5s --latency` on the idle daemon (the
    baseline), then `wrk -t1 -c4 -d{wrk_seconds}s --latency` while the daemon
    heals: a helper thread drops every secondary index of the model (DROP
    INDEX, one transaction), POSTs /reconcile, waits for the reconcile to
    rebuild them all (CREATE INDEX CONCURRENTLY, one by one), and starts
    again until wrk is done; wrk starts once the first reconcile runs. The
    fraction of the window during which a reconcile ran is recorded (the
    gaps are the DROP INDEX transactions between heals). The last heal is
    awaited, so the database satisfies the model again, and the daemon is
    stopped with SIGTERM.
 5. timer ticks: a second daemon with `reconcile.interval_seconds: 1` on the
    same database; the durations of its first --ticks timer-triggered
    (no-op) reconciles are collected from /status. A timer tick may reuse the
    last inspection when the catalog did not change (README), where POST
    /reconcile always inspects in full: step 2 and this step show both.

Each figure is one JSON line {"metric": ..., "n": ..., "value": ...} appended
to --out.
"""
import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

TOKEN = "bench-admin-token"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Daemon:
    def __init__(self, args, name="daemon", reconcile=None):
        self.args = args
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = {
            "database_url": args.database_url,
            "model": os.path.abspath(args.model),
            "http": {"listen": f"127.0.0.1:{self.port}", "admin_token": TOKEN},
            "log": {"level": "warn"},
        }
        if reconcile:
            config["reconcile"] = reconcile
        self.config_path = os.path.join(args.workdir, f"{name}-config.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f, indent=1)
        self.log = open(os.path.join(args.workdir, f"{name}.log"), "w")
        self.proc = subprocess.Popen([args.schemad, "--config", self.config_path, "run"],
                                     stdout=self.log, stderr=subprocess.STDOUT)

    def get(self, path, timeout=5):
        try:
            with urllib.request.urlopen(self.base + path, timeout=timeout) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def status(self):
        code, body = self.get("/status")
        if code != 200:
            raise RuntimeError(f"/status answered {code}")
        return json.loads(body)

    def post_reconcile(self):
        req = urllib.request.Request(self.base + "/reconcile", method="POST", data=b"",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
        with urllib.request.urlopen(req, timeout=5) as r:
            if r.status != 202:
                raise RuntimeError(f"POST /reconcile answered {r.status}")

    def alive(self):
        return self.proc.poll() is None

    def wait_ready(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError(f"schemad run exited with {self.proc.returncode}; see daemon.log")
            try:
                if self.get("/readyz", timeout=1)[0] == 200:
                    return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.05)
        raise RuntimeError("the daemon did not become ready in time; see daemon.log")

    def last_started(self, st=None):
        st = st or self.status()
        return (st.get("last_reconcile") or {}).get("started")

    def reconcile_and_wait(self, timeout=600, poll=0.002):
        before = self.last_started()
        self.post_reconcile()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            st = self.status()
            last = st.get("last_reconcile") or {}
            if (last.get("started") != before and st.get("activity") == "idle"
                    and not st.get("rerun_queued")):
                return last
            time.sleep(poll)
        raise RuntimeError("a reconcile did not finish in time")

    def stop(self):
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def proc_status(pid, key):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is field 3 (state): utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def context_switches(pid):
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        total += int(line.split()[1])
        except FileNotFoundError:
            pass
    return total


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def parse_wrk(text):
    """Latency percentiles in ms, requests/s and error counts from wrk --latency."""
    out = {}
    section = False
    for line in text.splitlines():
        if "Latency Distribution" in line:
            section = True
            continue
        m = re.match(r"\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", line)
        if section and m:
            out[f"p{m.group(1)}_ms"] = float(m.group(2)) * UNITS[m.group(3)]
            continue
        m = re.match(r"\s*Requests/sec:\s+([\d.]+)", line)
        if m:
            out["requests_per_second"] = float(m.group(1))
        m = re.match(r"\s*(\d+) requests in", line)
        if m:
            out["requests"] = int(m.group(1))
        m = re.match(r"\s*Non-2xx or 3xx responses:\s+(\d+)", line)
        if m:
            out["non_2xx"] = int(m.group(1))
        m = re.match(r"\s*Socket errors:.*", line)
        if m:
            out["socket_errors"] = line.strip()
    if "p99_ms" not in out:
        raise RuntimeError("could not parse wrk's output:\n" + text)
    return out


def run_wrk(daemon, seconds):
    cmd = ["wrk", "-t1", "-c4", f"-d{seconds}s", "--latency", daemon.base + "/readyz"]
    r = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return parse_wrk(r.stdout), r.stdout


def psql(db, sql):
    subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                   check=True, stdout=subprocess.DEVNULL)


def secondary_indexes(model_path):
    with open(model_path) as f:
        model = json.load(f)
    schema = model.get("schema", "public")
    return [(t.get("schema", schema), ix["name"]) for t in model["tables"]
            for ix in t.get("indexes", [])]


def median(values):
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--schemad", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--db", required=True, help="database name, for psql")
    ap.add_argument("--n", type=int, required=True, help="tables in the model")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--reconciles", type=int, default=100)
    ap.add_argument("--idle-seconds", type=float, default=60)
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--ticks", type=int, default=30,
                    help="timer-triggered reconciles to wait for (0: skip that phase)")
    ap.add_argument("--pid-file", help="where to write the daemon's pid (for the harness's cleanup)")
    args = ap.parse_args(argv)
    # SIGTERM (the harness interrupted) unwinds through the finally below,
    # which stops the daemon.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    out = open(args.out, "a")

    def record(metric, value, **extra):
        line = {"metric": metric, "n": args.n, "value": value, **extra}
        out.write(json.dumps(line) + "\n")
        out.flush()
        print(f"  daemon {metric}: {value}", file=sys.stderr)

    daemon = Daemon(args)
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(f"{daemon.proc.pid}\n")
    try:
        t0 = time.monotonic()
        daemon.wait_ready(timeout=600)
        record("daemon_startup_ready_seconds", round(time.monotonic() - t0, 3))
        st = daemon.status()
        record("daemon_startup_reconcile_seconds", st["last_reconcile"]["duration_seconds"])
        time.sleep(2)
        pid = daemon.proc.pid
        record("daemon_rss_start_kib", proc_status(pid, "VmRSS"))

        durations = []
        outcomes = set()
        for i in range(args.reconciles):
            last = daemon.reconcile_and_wait()
            durations.append(last["duration_seconds"])
            outcomes.add(f"{last['outcome']} ({last['trigger']})")
            if last.get("steps_applied"):
                raise RuntimeError(f"a no-op reconcile applied steps: {last['steps_applied'][:3]}")
            if i == 9:
                time.sleep(1)  # as before the last reading below
                record("daemon_rss_after_10_kib", proc_status(pid, "VmRSS"))
        time.sleep(1)
        record("daemon_rss_after_reconciles_kib", proc_status(pid, "VmRSS"), reconciles=args.reconciles)
        record("daemon_hwm_kib", proc_status(pid, "VmHWM"))
        record("daemon_noop_reconcile_seconds", median(durations), reconciles=len(durations),
               min=min(durations), max=max(durations), outcomes=sorted(outcomes))

        time.sleep(1)
        cpu0, cs0, w0 = cpu_seconds(pid), context_switches(pid), time.monotonic()
        time.sleep(args.idle_seconds)
        cpu1, cs1, w1 = cpu_seconds(pid), context_switches(pid), time.monotonic()
        record("daemon_idle_cpu_seconds", round(cpu1 - cpu0, 3), window_seconds=round(w1 - w0, 1))
        record("daemon_idle_wakeups_per_second", round((cs1 - cs0) / (w1 - w0), 2))
        record("daemon_rss_idle_kib", proc_status(pid, "VmRSS"))

        base, _ = run_wrk(daemon, 5)
        record("readyz_idle_p50_ms", base["p50_ms"])
        record("readyz_idle_p99_ms", base["p99_ms"])

        indexes = secondary_indexes(args.model)
        drop_sql = "BEGIN; " + " ".join(f'DROP INDEX "{s}"."{n}";' for s, n in indexes) + " COMMIT;"
        heals = []  # (posted, finished, last_reconcile) wall-clock seconds
        stop = threading.Event()
        started = threading.Event()
        failure = []

        def heal_loop():
            # Break and heal again until wrk is done, so a reconcile runs
            # through (nearly) the whole window whatever one heal takes.
            try:
                while not stop.is_set():
                    psql(args.db, drop_sql)
                    before = daemon.last_started()
                    posted = time.time()
                    daemon.post_reconcile()
                    while True:
                        st = daemon.status()
                        last = st.get("last_reconcile") or {}
                        if st.get("activity") == "reconciling":
                            started.set()
                        if last.get("started") != before and st.get("activity") == "idle":
                            break
                        time.sleep(0.02)
                    heals.append((posted, time.time(), last))
            except Exception as e:  # reported by the main thread
                failure.append(e)
                started.set()

        healer = threading.Thread(target=heal_loop)
        healer.start()
        if not started.wait(timeout=120) or failure:
            stop.set()
            healer.join()
            raise RuntimeError(f"the healing reconcile did not start: {failure}")
        wrk_start = time.time()
        try:
            loaded, text = run_wrk(daemon, args.wrk_seconds)
        finally:
            wrk_end = time.time()
            stop.set()
            healer.join()
        if failure:
            raise RuntimeError(f"healing during wrk failed: {failure[0]}")
        for _, _, last in heals:
            if len(last.get("steps_applied", [])) != len(indexes) or last.get("pending_changes"):
                raise RuntimeError(f"a healing reconcile did not rebuild every index: {last}")
        covered = sum(max(0.0, min(end, wrk_end) - max(begin, wrk_start)) for begin, end, _ in heals)
        record("readyz_loaded_p50_ms", loaded["p50_ms"])
        record("readyz_loaded_p99_ms", loaded["p99_ms"], requests=loaded.get("requests"),
               non_2xx=loaded.get("non_2xx", 0), socket_errors=loaded.get("socket_errors"),
               requests_per_second=loaded.get("requests_per_second"))
        record("readyz_loaded_window_covered_fraction", round(covered / (wrk_end - wrk_start), 3),
               window_seconds=round(wrk_end - wrk_start, 2), heals=len(heals))
        record("daemon_index_heal_reconcile_seconds",
               median([last["duration_seconds"] for _, _, last in heals]), indexes=len(indexes),
               heals=len(heals))
        with open(os.path.join(args.workdir, "wrk-loaded.txt"), "w") as f:
            f.write(text)
    finally:
        daemon.stop()
        if args.pid_file:
            os.unlink(args.pid_file)

    if args.ticks > 0:
        timer_ticks(args, record)
    out.close()
    return 0


def timer_ticks(args, record):
    """A second daemon with reconcile.interval_seconds = 1: the durations of
    its timer-triggered no-op reconciles, the daemon's steady state."""
    daemon = Daemon(args, name="daemon-timer", reconcile={"interval_seconds": 1})
    if args.pid_file:
        with open(args.pid_file, "w") as f:
            f.write(f"{daemon.proc.pid}\n")
    try:
        daemon.wait_ready(timeout=600)
        seen, durations = set(), []
        deadline = time.monotonic() + 10 * args.ticks + 60
        while len(durations) < args.ticks:
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {len(durations)} timer reconciles were seen")
            last = daemon.status().get("last_reconcile") or {}
            if last.get("trigger") == "interval" and last.get("started") not in seen:
                seen.add(last["started"])
                if last.get("steps_applied"):
                    raise RuntimeError(f"a timer no-op reconcile applied steps: {last['steps_applied'][:3]}")
                durations.append(last["duration_seconds"])
            time.sleep(0.05)
        record("daemon_timer_reconcile_seconds", median(durations), ticks=len(durations),
               min=min(durations), max=max(durations),
               p90=sorted(durations)[int(0.9 * (len(durations) - 1))])
    finally:
        daemon.stop()
        if args.pid_file:
            os.unlink(args.pid_file)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
