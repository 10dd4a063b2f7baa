#!/usr/bin/python3
"""The status page (GET /) in headless Chromium, for tests/packaging/check.sh.

  status_page_check.py BINARY PG_URL DIR SCREENSHOT

PG_URL is postgresql://user@host:port (no database part); DIR a scratch
folder; SCREENSHOT the PNG to write (the build folder's status-page.png).

- In a throwaway database, a table whose name is an HTML tag,
  `<img src=x onerror=alert(1)>`, with a column of another type than the
  model says (drift "differs"), an extra column named `<script>...</script>`
  (drift "ahead"), and duplicate rows that block the model's unique index (a
  pending change); the model also creates a table named `"; DROP TABLE
  users; --`.
- BINARY runs `schemad run` there until /status shows the reconcile
  finished.
- Chromium (--headless --dump-dom, a fresh profile and HOME, no network but
  127.0.0.1) renders GET /; Python's html.parser reads the DOM: no <img>
  (nor any element that loads something), one <script> (the page's own), the
  hostile names as text; the readiness, the outcome, every pending change,
  every drift item (under its class) appear; Chromium logged no console
  message (a CSP violation or a script error would be one).
- Served with a path prefix (/schemad/) by a stand-in whose status answers
  once and then fails, the page fetches only the relative "status", keeps
  the data and says "last refresh failed at ...".
- The screenshot (1280x2000) is written for people to look at.
- SIGTERM stops the daemon with exit 0; the database is dropped.

No chromium is a failure, not a skip. Every check prints "ok - ..." or
"FAIL - ...", and the exit status is 1 when one failed. Only Debian's
python3 (standard library), psql and chromium are used.
"""

import html
import html.parser
import http.server
import json
import os
import shutil
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checklib import failed, free_port, get, psql, report  # noqa: E402  (tests/packaging/checklib.py)
import threading
import time

DATABASE = "schemad_t_page"
HOSTILE_TABLE = "<img src=x onerror=alert(1)>"
HOSTILE_COLUMN = "<script>alert(2)</script>"
INJECTION_TABLE = '"; DROP TABLE users; --'
MODEL = {
    "version": 1,
    "schema": "public",
    "tables": [
        {
            "name": HOSTILE_TABLE,
            "columns": [
                {"name": "id", "type": "integer", "primary_key": True},
                {"name": "sku", "type": "text"},
                {"name": "qty", "type": "integer"},
            ],
            "indexes": [{"name": "ux_page_sku", "columns": ["sku"], "unique": True}],
        },
        {"name": INJECTION_TABLE, "columns": [{"name": "id", "type": "bigint", "primary_key": True}]},
    ],
}


def ident(name):
    return '"' + name.replace('"', '""') + '"'


SETUP = [
    f"CREATE TABLE {ident(HOSTILE_TABLE)} (id integer PRIMARY KEY, sku text, qty bigint, "
    f"{ident(HOSTILE_COLUMN)} text)",
    f"INSERT INTO {ident(HOSTILE_TABLE)} VALUES (1, 'a', 1, 'x'), (2, 'a', 2, 'y')",
]
# Only 127.0.0.1: any name fails to resolve, so nothing can come from the network.
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-default-browser-check",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1", "--enable-logging=stderr", "--v=0",
    "--virtual-time-budget=10000",
]


class Dom(html.parser.HTMLParser):
    """The elements, the text (not of <script>, <style>, <noscript>), the
    headings' texts and the badges' texts."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, attrs)
        self.parts = []
        self.hidden = 0
        self.headings, self.badges = [], []
        self.open = {}  # "heading"/"badge" -> the texts so far
        self.feed(text)
        self.close()
        self.text = "".join(self.parts)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, attrs))
        if tag in ("script", "style", "noscript"):
            self.hidden += 1
        if tag in ("h2", "h3"):
            self.open["heading"] = []
        if tag == "span" and "badge" in (dict(attrs).get("class") or "").split():
            self.open["badge"] = []

    def handle_endtag(self, tag):
        if tag in ("script", "style", "noscript"):
            self.hidden -= 1
        for key, tags, into in (("heading", ("h2", "h3"), self.headings), ("badge", ("span",), self.badges)):
            if tag in tags and key in self.open:
                into.append("".join(self.open.pop(key)))

    def handle_data(self, data):
        if self.hidden == 0:
            self.parts.append(data)
            for texts in self.open.values():
                texts.append(data)

    def tags(self, name):
        return [a for t, a in self.elements if t == name]


def chromium(binary, out_dir, name, url, *flags):
    """Runs Chromium on url with a fresh profile and HOME: (exit status,
    stdout, the console messages it logged)."""
    home = os.path.join(out_dir, f"chromium-{name}")
    shutil.rmtree(home, ignore_errors=True)
    os.makedirs(os.path.join(home, "profile"))
    env = {"PATH": "/usr/bin:/bin", "HOME": home}
    try:
        args = [binary] + CHROMIUM_FLAGS + [f"--user-data-dir={home}/profile"] + list(flags) + [url]
        done = subprocess.run(args, env=env, capture_output=True, timeout=60)
    except subprocess.TimeoutExpired:
        return None, "", ["chromium did not finish within 60 s (a dialog, alert(), blocks it)"]
    console = [line for line in done.stderr.decode("utf-8", "replace").splitlines() if ":CONSOLE" in line]
    return done.returncode, done.stdout.decode("utf-8", "replace"), console


def wait_for_reconcile(port, daemon):
    """/status once the startup reconcile finished and the worker is idle, or None."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and daemon.poll() is None:
        code, _, body = get(f"http://127.0.0.1:{port}/status")
        if code == 200:
            status = json.loads(body)
            if status.get("last_reconcile") and status.get("activity") == "idle":
                return status
        time.sleep(0.25)
    return None


def check_rendered(dump, status, console):
    dom = Dom(dump)
    report(not console, "Chromium logged no console message (no CSP violation, no script error)",
           "\n".join(console))
    report("Last reconcile" in dom.headings, "the script ran: the page has its sections", repr(dom.headings))
    loaders = [(t, a) for t, a in dom.elements
               if t in ("img", "iframe", "object", "embed", "link", "frame", "video", "audio")
               or any(k in ("src", "srcset") or k.startswith("on") for k, _ in a)]
    report(not dom.tags("img"), "no <img> element in the DOM")
    report(not loaders, "no element that loads something or has an event handler attribute", repr(loaders))
    report(len(dom.tags("script")) == 1, "one <script> element: the page's own", repr(dom.tags("script")))
    for name in (HOSTILE_TABLE, HOSTILE_COLUMN, INJECTION_TABLE):
        report(name in dom.text, f"shown as text: {name}")
    report(html.escape(HOSTILE_TABLE, quote=False) in dump,
           f"the DOM dump escapes the table name: {html.escape(HOSTILE_TABLE, quote=False)}")

    ready = status.get("ready") or {}
    word = "ready" if ready.get("ready") else "not ready"
    report(dom.badges[:1] == [word], f"the readiness is shown: {word}", repr(dom.badges))
    if ready.get("reason"):
        report(ready["reason"] in dom.text, f"and its reason: {ready['reason']}")
    last = status["last_reconcile"]
    report(last.get("outcome") in dom.text, f"the outcome is shown: {last.get('outcome')}")
    for step in last.get("steps_applied") or []:
        report(step in dom.text, f"the step applied is shown: {step}")
    for change in last.get("pending_changes") or []:
        report(change in dom.text, f"the pending change is shown: {change}")
    for item in last.get("drift") or []:
        report(item.get("kind") in dom.text and item.get("message") in dom.text,
               f"the drift item is shown: {item.get('kind')}: {item.get('message')}")
        if "class" in item:
            report(any(h.startswith(f"{item['class']} (") for h in dom.headings),
                   f"under a heading of its class, {item['class']}", repr(dom.headings))
    report("rolling deploy" in dom.text, "the page says what drift of class ahead means")
    report("updated " in dom.text and "last refresh failed" not in dom.text,
           "the page says when it refreshed, and no failure")


class StandIn(http.server.ThreadingHTTPServer):
    """Serves the daemon's page at /schemad/ and its status at
    /schemad/status, once: later requests of status are answered 500."""

    def __init__(self, page, headers, status):
        self.page, self.page_headers, self.status = page, headers, status
        self.requests = []
        super().__init__(("127.0.0.1", 0), StandInHandler)


class StandInHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        server = self.server
        server.requests.append(self.path)
        if self.path == "/schemad/":
            self.answer(200, server.page, server.page_headers)
        elif self.path == "/schemad/status" and server.requests.count(self.path) == 1:
            self.answer(200, server.status, {"Content-Type": "application/json"})
        else:
            code = 500 if self.path == "/schemad/status" else 404
            self.answer(code, b"{}", {"Content-Type": "application/json"})

    def answer(self, code, body, headers):
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def check_failing_refresh(browser, out_dir, page, headers, status_body, status):
    server = StandIn(page, headers, status_body)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        rc, dump, console = chromium(browser, out_dir, "stand-in",
                                     f"http://127.0.0.1:{server.server_address[1]}/schemad/", "--dump-dom")
    finally:
        server.shutdown()
        server.server_close()
    report(rc == 0, f"behind a path prefix, status failing after one answer: chromium --dump-dom exits 0 "
           f"({rc})")
    dom = Dom(dump)
    fetched = [p for p in server.requests if p != "/favicon.ico"]
    expected = ["/schemad/", "/schemad/status"]
    report(fetched[:2] == expected and set(fetched) == set(expected),
           "the page fetches only the relative URL status (/schemad/status)", repr(server.requests))
    report(fetched.count("/schemad/status") >= 2, "and again after 5 s", repr(server.requests))
    report("last refresh failed at " in dom.text, "a failed refresh says \"last refresh failed at ...\"",
           dom.text[:500])
    pending = status["last_reconcile"].get("pending_changes") or []
    report(bool(pending) and all(c in dom.text for c in pending), "and the last data stays on the page")


def main():
    binary, pg_url, out_dir, screenshot = sys.argv[1:5]
    browser = shutil.which("chromium")
    if not report(browser is not None,
                  "chromium is installed (Debian package chromium): the status page needs a browser "
                  "to check"):
        return 1
    done = psql(f"{pg_url}/postgres", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)",
                f"CREATE DATABASE {DATABASE}")
    if not report(done.returncode == 0, f"a throwaway database, {DATABASE}", done.stderr):
        return 1
    done = psql(f"{pg_url}/{DATABASE}", *SETUP)
    report(done.returncode == 0, "a table named <img src=x onerror=alert(1)> with a bigint qty, an extra "
           "column and duplicate rows", done.stderr)
    model = os.path.join(out_dir, "status-page-model.json")
    with open(model, "w") as f:
        json.dump(MODEL, f, indent=2)
    port = free_port()
    log_path = os.path.join(out_dir, "schemad-status-page.log")
    env = {"PATH": "/usr/bin:/bin", "SCHEMAD_HTTP_LISTEN": f"127.0.0.1:{port}"}
    with open(log_path, "w") as log:
        daemon = subprocess.Popen([binary, "-d", f"{pg_url}/{DATABASE}", "--model", model, "run"], env=env,
                                  stdout=log, stderr=subprocess.STDOUT)
    try:
        status = wait_for_reconcile(port, daemon)
        if not report(status is not None, "schemad run: /status shows the reconcile finished",
                      open(log_path).read()[-3000:]):
            return 1
        with open(os.path.join(out_dir, "status-page-status.json"), "w") as f:
            json.dump(status, f, indent=2)
        last = status["last_reconcile"]
        report(bool(last.get("pending_changes")) and bool(last.get("drift")),
               f"it left {len(last.get('pending_changes') or [])} pending change(s) and "
               f"{len(last.get('drift') or [])} drift item(s)", json.dumps(last, indent=2))
        kinds = {d.get("kind") for d in last.get("drift") or []}
        report({"column_type", "extra_column"} <= kinds, "drift: column_type and extra_column", repr(kinds))
        code, headers, page = get(f"http://127.0.0.1:{port}/")
        report(code == 200 and headers.get("Content-Type") == "text/html; charset=utf-8"
               and "script-src 'sha256-" in (headers.get("Content-Security-Policy") or ""),
               "GET / is 200 text/html with a CSP of hashes", f"{code} {dict(headers)}")

        rc, dump, console = chromium(browser, out_dir, "dom", f"http://127.0.0.1:{port}/", "--dump-dom")
        report(rc == 0, f"chromium --headless --dump-dom exits 0 ({rc})")
        with open(os.path.join(out_dir, "status-page-dom.html"), "w") as f:
            f.write(dump)
        check_rendered(dump, status, console)

        if os.path.exists(screenshot):
            os.remove(screenshot)
        rc, _, _ = chromium(browser, out_dir, "screenshot", f"http://127.0.0.1:{port}/",
                            f"--screenshot={screenshot}", "--window-size=1280,2000", "--hide-scrollbars")
        png = open(screenshot, "rb").read(8) if os.path.exists(screenshot) else b""
        report(rc == 0 and png == b"\x89PNG\r\n\x1a\n", f"a screenshot for people: {screenshot}")

        headers = {k: v for k, v in headers.items()
                   if k.lower() not in ("content-length", "connection", "server", "date", "keep-alive")}
        code, _, status_body = get(f"http://127.0.0.1:{port}/status")
        check_failing_refresh(browser, out_dir, page, headers, status_body, json.loads(status_body))
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            rc = daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            rc = daemon.wait()
        report(rc == 0, f"SIGTERM stops the daemon with exit 0 ({rc})", open(log_path).read()[-3000:])
        done = psql(f"{pg_url}/postgres", f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        report(done.returncode == 0, f"drop {DATABASE}", done.stderr)
    return 1 if failed() else 0


if __name__ == "__main__":
    sys.exit(main())
