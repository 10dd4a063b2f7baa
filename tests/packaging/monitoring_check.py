#!/usr/bin/python3
"""Checks of deploy/monitoring, for tests/packaging/check.sh.

  monitoring_check.py static ROOT
      the alerting rules' shape, the promtool tests' coverage, the
      PrometheusRule (its groups are schemad.rules.yml's), the Service and
      ServiceMonitor against deploy/k8s and deploy/k8s-fleet, the Grafana
      dashboard's shape
  monitoring_check.py metrics ROOT BINARY PG_URL DIR
      starts BINARY (`schemad run`) against two throwaway databases on
      PG_URL (postgresql://user@host:port, no database part): once with
      config/model.example.json, once in fleet mode with deploy/k8s-fleet's
      configuration and model; scrapes /metrics of each once it is ready
      (the texts go to DIR/metrics-single.txt and DIR/metrics-fleet.txt),
      drops the databases, then checks as `names` does
  monitoring_check.py names ROOT SCRAPE...
      every schemad_* metric that the rules' expressions, the promtool
      tests' input series and expressions, and the dashboard's queries
      name is one that the scraped exposition texts SCRAPE... export, with
      labels and label values they have
  monitoring_check.py dashboard-rules ROOT FILE
      writes the dashboard's queries as recording rules to FILE (Grafana's
      variables replaced), for `promtool check rules FILE` to parse them
  monitoring_check.py write-prometheusrule ROOT
      writes deploy/monitoring/prometheusrule.yaml from schemad.rules.yml

Every check prints "ok - ..." or "FAIL - ...", and the exit status is 1 when
one failed. Only Debian's python3 and python3-yaml are used.
"""

import json
import os
import re
import signal
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checklib import failed, free_port, get, load_yaml_documents, psql, report  # noqa: E402  (tests/packaging/checklib.py)
import time


RULES = "deploy/monitoring/schemad.rules.yml"
RULE_TESTS = "deploy/monitoring/schemad.rules.test.yml"
PROMETHEUS_RULE = "deploy/monitoring/prometheusrule.yaml"
SERVICE_MONITOR = "deploy/monitoring/servicemonitor.yaml"
DASHBOARD = "deploy/monitoring/grafana-dashboard.json"

# The alerts deploy/monitoring/README.md documents.
ALERTS = {
    "SchemadDown", "SchemadNotReady", "SchemadReconcileFailing", "SchemadChangesPending",
    "SchemadDriftDiffers", "SchemadDriftWeaker", "SchemadStampNotWritten", "SchemadLockWait",
    "SchemadModelReloadErrors", "SchemadNoRecentSuccess", "SchemadFleetTargetsFailed",
    "SchemadFleetTargetsLocked",
}
SEVERITIES = {"critical", "warning"}
ANNOTATIONS = {"summary", "description", "runbook"}
# What the dashboard must show (deploy/monitoring/README.md lists the panels).
DASHBOARD_METRICS = {
    "schemad_database_up", "schemad_reconcile_total", "schemad_reconcile_duration_seconds_bucket",
    "schemad_pending_changes", "schemad_drift_class_items", "schemad_drift_items",
    "schemad_changes_applied_total", "schemad_lock_wait_seconds_bucket",
    "schemad_lock_waiting_seconds", "schemad_step_running_seconds", "schemad_stamp_action",
    "schemad_model_reload_errors_total", "schemad_last_success_timestamp_seconds",
    "schemad_fleet_targets", "schemad_fleet_failures_total", "schemad_ready",
}
# Labels that a scrape adds to schemad's own: the target's (Prometheus, the
# Prometheus Operator's ServiceMonitor).
TARGET_LABELS = {"job", "instance", "namespace", "pod", "service", "container", "endpoint"}
# Labels whose values no list can hold.
FREE_LABELS = {"version"}


def load_yaml(path):
    import yaml  # python3-yaml

    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)


# --- PromQL: the metrics an expression selects ----------------------------------

TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<string>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)
  | (?P<variable>\$\{[^}]*\}|\$[A-Za-z0-9_]+|\[\[[^\]]*\]\])
  | (?P<number>[0-9.][0-9A-Za-z_.]*)
  | (?P<name>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<op>=~|!~|!=|==|>=|<=|[-+*/%^=<>(){}\[\],@])
""", re.VERBOSE)
# Keywords followed by a parenthesised list of label names.
LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}


class PromQLError(ValueError):
    pass


def tokens(expr):
    out, pos = [], 0
    while pos < len(expr):
        m = TOKEN.match(expr, pos)
        if not m:
            raise PromQLError(f"cannot read {expr[pos:pos + 20]!r}")
        pos = m.end()
        if m.lastgroup not in ("space", "comment"):
            out.append((m.lastgroup, m.group()))
    return out


def unquote(text):
    if text[0] == "`":
        return text[1:-1]
    return re.sub(r"\\(.)", r"\1", text[1:-1])


def selectors(expr):
    """[(metric name or None, [(label, op, value)])]: every vector selector.

    Strings, comments, label names (in {...}, by (...), on (...), ...),
    functions, keywords and Grafana variables are not metrics; a
    {__name__="x"} selector selects x.
    """
    toks = tokens(expr)
    found, i = [], 0

    def matchers(i):  # toks[i] is "{": the matchers and the index after "}"
        result, i = [], i + 1
        while i < len(toks) and toks[i][1] != "}":
            if toks[i][1] == ",":
                i += 1
                continue
            if (i + 2 >= len(toks) or toks[i][0] != "name" or toks[i + 1][0] != "op"
                    or toks[i + 2][0] != "string"):
                raise PromQLError(f"a label matcher near {' '.join(t for _, t in toks[i:i + 3])}")
            result.append((toks[i][1], toks[i + 1][1], unquote(toks[i + 2][1])))
            i += 3
        if i >= len(toks):
            raise PromQLError("an unclosed {")
        return result, i + 1

    while i < len(toks):
        kind, text = toks[i]
        following = toks[i + 1][1] if i + 1 < len(toks) else ""
        if kind == "name" and text in LABEL_LISTS and following == "(":
            close = next((j for j in range(i + 2, len(toks)) if toks[j][1] == ")"), None)
            if close is None:
                raise PromQLError(f"an unclosed {text} (")
            i = close + 1
        elif kind == "name" and following == "(":
            i += 1  # a function or an aggregation
        elif kind == "name":
            labels = []
            i += 1
            if following == "{":
                labels, i = matchers(i)
            found.append((text, labels))
        elif text == "{":
            labels, i = matchers(i)
            names = [v for label, op, v in labels if label == "__name__" and op == "="]
            found.append((names[0] if names else None, [m for m in labels if m[0] != "__name__"]))
        else:
            i += 1
    return found


def schemad_selectors(expr):
    return [(n, m) for n, m in selectors(expr) if n is not None and n.startswith("schemad_")]


# --- where the monitoring files name metrics ------------------------------------


def dashboard_panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # a collapsed row's


def references(root):
    """[(file, where, expression)]: every PromQL text of the monitoring files."""
    out = []
    rules = load_yaml(os.path.join(root, RULES))
    for group in rules.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record")
            out.append((RULES, name, rule.get("expr", "")))
    tests = load_yaml(os.path.join(root, RULE_TESTS))
    for test in tests.get("tests", []):
        for series in test.get("input_series", []):
            out.append((RULE_TESTS, f"test {test.get('name')!r}: input series", series["series"]))
        for case in test.get("promql_expr_test", []) or []:
            out.append((RULE_TESTS, f"test {test.get('name')!r}: promql_expr_test", case["expr"]))
    with open(os.path.join(root, DASHBOARD), encoding="utf-8") as f:
        dashboard = json.load(f)
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            out.append((DASHBOARD, f"panel {panel.get('title')!r} {target.get('refId')}",
                        target.get("expr", "")))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("query")
            query = query.get("query", "") if isinstance(query, dict) else query or ""
            out.append((DASHBOARD, f"variable {variable.get('name')}", query))
    return out


# --- the exposition ---------------------------------------------------------------

SAMPLE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(?:\{(.*)\})?\s+\S+(\s+\S+)?$")
LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')
SERIES_OF_TYPE = {
    "counter": ("",), "gauge": ("",), "untyped": ("",),
    "histogram": ("_bucket", "_sum", "_count"), "summary": ("", "_sum", "_count"),
}


def parse_exposition(text):
    """({series name: {label: {values}}}, {family: type}) of a text-format scrape."""
    types, series = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(None, 3)
            types[name] = kind.strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        if not m:
            raise ValueError(f"not a sample line: {line}")
        labels = series.setdefault(m.group(1), {})
        body, pos = m.group(2) or "", 0
        while pos < len(body):
            lm = LABEL.match(body, pos)
            if not lm:
                raise ValueError(f"cannot read the labels of: {line}")
            labels.setdefault(lm.group(1), set()).add(lm.group(2))
            pos = lm.end()
    # The series a family exports, whether or not it has samples yet.
    for family, kind in types.items():
        for suffix in SERIES_OF_TYPE.get(kind, ("",)):
            series.setdefault(family + suffix, {})
    return series, types


def exported(scrapes):
    """The union of several scrapes: {series name: {label: {values}}}."""
    union = {}
    for text in scrapes:
        series, _ = parse_exposition(text)
        for name, labels in series.items():
            into = union.setdefault(name, {})
            for label, values in labels.items():
                into.setdefault(label, set()).update(values)
    return union


def matcher_problem(name, labels, matcher):
    """Why `matcher` of a selector of `name` cannot match, or None."""
    label, op, value = matcher
    if label in TARGET_LABELS:
        return None
    if label not in labels:
        return f"{name} has no label {label!r} (it has {sorted(labels) or 'none'})"
    if label in FREE_LABELS or "$" in value or op in ("!=", "!~"):
        return None
    values = labels[label]
    if op == "=":
        return None if value in values else \
            f"{name}{{{label}}} is never {value!r} (it is one of {sorted(values)})"
    try:
        regex = re.compile(value)
    except re.error as e:
        return f"{name}{{{label}=~{value!r}}}: {e}"
    if re.fullmatch(r"[A-Za-z0-9_.\-]+(\|[A-Za-z0-9_.\-]+)*", value):
        missing = [v for v in value.split("|") if v not in values]
        if missing:
            return f"{name}{{{label}}} is never {' or '.join(map(repr, missing))} (it is one of {sorted(values)})"
    if not any(regex.fullmatch(v) for v in values):
        return f"{name}{{{label}=~{value!r}}} matches none of {sorted(values)}"
    return None


def check_names(root, scrapes):
    series = exported(scrapes)
    schemad = sorted(n for n in series if n.startswith("schemad_"))
    report(len(schemad) > 0, f"the scrapes export schemad_* metrics ({len(schemad)} series names)")
    print("    exported: " + " ".join(schemad))
    count = {RULES: set(), RULE_TESTS: set(), DASHBOARD: set()}
    problems = []
    for path, where, expr in references(root):
        try:
            found = schemad_selectors(expr)
        except PromQLError as e:
            problems.append(f"{path}: {where}: cannot parse {expr!r}: {e}")
            continue
        for name, matchers in found:
            count[path].add(name)
            if name not in series:
                problems.append(f"{path}: {where}: {name} is not exported")
                continue
            for matcher in matchers:
                why = matcher_problem(name, series[name], matcher)
                if why:
                    problems.append(f"{path}: {where}: {why}")
    for path, names in count.items():
        report(len(names) > 0, f"{path} names schemad metrics ({len(names)}: {' '.join(sorted(names))})")
    problems = list(dict.fromkeys(problems))  # once each, in order
    report(not problems, "every metric (and label value) the rules, their tests and the dashboard "
           "name is one the binary exports", "\n    " + "\n    ".join(problems))
    missing = sorted(DASHBOARD_METRICS - count[DASHBOARD])
    report(not missing, "the dashboard shows every metric of its panel list", " ".join(missing))


# --- static checks ------------------------------------------------------------------


def check_rules(root):
    rules = load_yaml(os.path.join(root, RULES))
    groups = rules.get("groups", [])
    report([g.get("name") for g in groups] == ["schemad"], f"{RULES}: one group, schemad")
    alerts = {}
    for group in groups:
        for rule in group.get("rules", []):
            name = rule.get("alert")
            if name is None:
                report(False, f"{RULES}: only alerting rules", rule.get("record"))
                continue
            alerts.setdefault(name, []).append(rule)
    report(set(alerts) == ALERTS, f"{RULES}: the documented alerts",
           f"missing {sorted(ALERTS - set(alerts))}, unknown {sorted(set(alerts) - ALERTS)}")
    for name, rs in sorted(alerts.items()):
        for rule in rs:
            labels, annotations = rule.get("labels", {}), rule.get("annotations", {})
            good = (re.fullmatch(r"[0-9]+[smh]", str(rule.get("for", ""))) is not None
                    and labels.get("severity") in SEVERITIES
                    and all(str(annotations.get(a, "")).strip() for a in ANNOTATIONS))
            report(good, f"{name}: for {rule.get('for')}, severity {labels.get('severity')}, "
                   f"{'/'.join(sorted(ANNOTATIONS))} annotations",
                   f"for={rule.get('for')!r} labels={labels} annotations={sorted(annotations)}")
    # Drift of class "ahead" (a rolling deploy's old replicas) never alerts.
    ahead = []
    for name, rs in alerts.items():
        for rule in rs:
            for metric, matchers in schemad_selectors(rule["expr"]):
                if metric != "schemad_drift_class_items":
                    continue
                classes = [(op, v) for label, op, v in matchers if label == "class"]
                if not classes or not all(
                        (op == "=" and v != "ahead") or (op == "=~" and not re.fullmatch(v, "ahead"))
                        or (op == "!=" and v == "ahead") or (op == "!~" and re.fullmatch(v, "ahead"))
                        for op, v in classes):
                    ahead.append(name)
    report(not ahead, "no alert can fire on drift of class ahead", " ".join(ahead))
    # /readyz's own answer, not one derived from the other metrics.
    named = {m for rule in alerts.get("SchemadNotReady", []) for m, _ in schemad_selectors(rule["expr"])}
    report("schemad_ready" in named, "SchemadNotReady looks at schemad_ready", sorted(named))
    return alerts


def check_rule_tests(root, alerts):
    tests = load_yaml(os.path.join(root, RULE_TESTS))
    report(tests.get("rule_files") == [os.path.basename(RULES)],
           f"{RULE_TESTS} tests {os.path.basename(RULES)}", tests.get("rule_files"))
    fires, quiet = set(), set()
    for test in tests.get("tests", []):
        for case in test.get("alert_rule_test", []):
            (fires if case.get("exp_alerts") else quiet).add(case["alertname"])
    for name in sorted(alerts):
        report(name in fires and name in quiet,
               f"{RULE_TESTS}: {name} has a case where it fires and one where it must not",
               f"fires: {name in fires}, must not: {name in quiet}")


def prometheusrule_text(root):
    with open(os.path.join(root, RULES), encoding="utf-8") as f:
        lines = f.read().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("groups:"))
    body = "\n".join(("  " + line) if line.strip() else "" for line in lines[start:])
    return f"""# GENERATED from deploy/monitoring/schemad.rules.yml: do not edit; after a
# change there, run
#   python3 tests/packaging/monitoring_check.py write-prometheusrule .
# (tests/packaging/check.sh fails while the two differ).
#
# schemad's alerting rules for the Prometheus Operator. The operator loads a
# PrometheusRule only when its labels match the Prometheus resource's
# ruleSelector (kube-prometheus-stack: release: <the Helm release>); add that
# label here, and apply it in a namespace the ruleNamespaceSelector covers:
#   kubectl apply -n <namespace> -f deploy/monitoring/prometheusrule.yaml
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: schemad
  labels:
    app.kubernetes.io/name: schemad
    app.kubernetes.io/component: monitoring
spec:
{body}
"""


def check_prometheusrule(root):
    rules = load_yaml(os.path.join(root, RULES))
    docs = load_yaml_documents(os.path.join(root, PROMETHEUS_RULE))
    report(len(docs) == 1 and docs[0].get("apiVersion") == "monitoring.coreos.com/v1"
           and docs[0].get("kind") == "PrometheusRule",
           f"{PROMETHEUS_RULE} is one monitoring.coreos.com/v1 PrometheusRule")
    groups = docs[0].get("spec", {}).get("groups") if docs else None
    report(groups == rules["groups"],
           f"{PROMETHEUS_RULE}'s spec.groups are exactly {RULES}'s groups",
           "regenerate it: python3 tests/packaging/monitoring_check.py write-prometheusrule .")


def selects(selector, labels):
    """A Kubernetes label selector (matchLabels, matchExpressions) against labels."""
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for e in selector.get("matchExpressions", []):
        op, values = e["operator"], e.get("values", [])
        if op == "In" and labels.get(e["key"]) not in values:
            return False
        if op == "NotIn" and labels.get(e["key"]) in values:
            return False
        if op == "Exists" and e["key"] not in labels:
            return False
        if op == "DoesNotExist" and e["key"] in labels:
            return False
    return True


def k8s_objects(root, folders):
    objects = []
    for folder in folders:
        for dirpath, _, files in os.walk(os.path.join(root, folder)):
            for name in sorted(files):
                if name.endswith((".yaml", ".yml")) and "rules" not in name:
                    objects += [o for o in load_yaml_documents(os.path.join(dirpath, name))
                                if isinstance(o, dict) and "kind" in o]
    return objects


def check_service_monitor(root):
    objects = k8s_objects(root, ["deploy/k8s", "deploy/k8s-fleet", "deploy/monitoring"])
    monitors = [o for o in objects if o["kind"] == "ServiceMonitor"]
    report(len(monitors) == 1 and monitors[0].get("apiVersion") == "monitoring.coreos.com/v1",
           f"{SERVICE_MONITOR} has one monitoring.coreos.com/v1 ServiceMonitor")
    if not monitors:
        return
    spec = monitors[0]["spec"]
    endpoints = spec.get("endpoints", [])
    report(len(endpoints) == 1 and endpoints[0].get("path", "/metrics") == "/metrics"
           and "port" in endpoints[0], "the ServiceMonitor scrapes /metrics of a named port",
           endpoints)
    port_name = endpoints[0].get("port") if endpoints else None
    workloads = [o for o in objects if o["kind"] in ("Deployment", "StatefulSet")]
    services = [o for o in objects if o["kind"] == "Service"
                and selects(spec.get("selector", {}), o["metadata"].get("labels", {}))]
    for workload in workloads:
        what = f"{workload['kind']} {workload['metadata']['name']}"
        pod = workload["spec"]["template"]
        containers = pod["spec"].get("containers", []) + [
            c for c in pod["spec"].get("initContainers", []) if c.get("restartPolicy") == "Always"]
        schemad = [c for c in containers if str(c.get("image", "")).startswith("schemad")]
        ports = {p.get("name"): p["containerPort"] for c in schemad for p in c.get("ports", [])}
        scraped = []
        for service in services:
            if not selects({"matchLabels": service["spec"].get("selector", {})},
                           pod["metadata"].get("labels", {})):
                continue
            for port in service["spec"].get("ports", []):
                target = port.get("targetPort", port.get("port"))
                number = ports.get(target) if isinstance(target, str) else target
                if port.get("name") == port_name and number == 9432 and number in ports.values():
                    scraped.append(service["metadata"]["name"])
        report(len(scraped) >= 1, f"the ServiceMonitor reaches schemad's port 9432 in {what} "
               f"(through Service {', '.join(scraped) or 'none'})")
        for name in scraped:
            report("schemad" in name, f"Service {name}: its name (the job label) matches "
                   f'SchemadDown\'s job=~".*schemad.*"')
    own = [o for o in objects if o["kind"] == "Service" and o["metadata"]["name"] == "schemad-metrics"]
    report(len(own) == 1 and own[0]["spec"].get("publishNotReadyAddresses") is True,
           "Service schemad-metrics keeps unready pods (publishNotReadyAddresses): "
           "an unready schemad is the one to scrape")


def check_dashboard(root):
    path = os.path.join(root, DASHBOARD)
    try:
        with open(path, encoding="utf-8") as f:
            dashboard = json.load(f)
    except ValueError as e:
        report(False, f"{DASHBOARD} is JSON", e)
        return
    report(isinstance(dashboard.get("schemaVersion"), int) and 36 <= dashboard["schemaVersion"] <= 39,
           f"{DASHBOARD}: schemaVersion {dashboard.get('schemaVersion')} (Grafana 9.4 to 10)")
    report(dashboard.get("uid") and dashboard.get("title") and dashboard.get("id") is None,
           "the dashboard has a uid and a title, and no id (an import assigns it)")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    ds = variables.get("DS_PROMETHEUS", {})
    report(ds.get("type") == "datasource" and ds.get("query") == "prometheus",
           "a DS_PROMETHEUS datasource variable (type prometheus)")
    for name in ("job", "instance"):
        v = variables.get(name, {})
        report(v.get("type") == "query" and v.get("datasource", {}).get("uid") == "${DS_PROMETHEUS}"
               and v.get("includeAll") is True and v.get("multi") is True,
               f"a multi-value {name} variable queried from ${{DS_PROMETHEUS}}")
    panels = list(dashboard_panels(dashboard))
    ids = [p.get("id") for p in panels]
    report(len(ids) == len(set(ids)) and None not in ids, "panel ids are unique", ids)
    bad = []
    for panel in panels:
        if panel.get("type") == "row":
            continue
        targets = panel.get("targets", [])
        grid = panel.get("gridPos", {})
        if (panel.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}" or not targets
                or not panel.get("title") or not all(k in grid for k in "hwxy")
                or any(t.get("datasource", {}).get("uid") != "${DS_PROMETHEUS}"
                       or not t.get("expr") or not t.get("refId") for t in targets)):
            bad.append(panel.get("title") or panel.get("id"))
        for target in targets:
            expr = target.get("expr", "")
            if "schemad_" in expr and "$instance" not in expr:
                bad.append(f"{panel.get('title')} {target.get('refId')}: no instance=~\"$instance\"")
    report(not bad, "every panel has a title, a gridPos and targets on ${DS_PROMETHEUS}, "
           "each selector filtered by $instance", bad)


def dashboard_rules(root):
    """The dashboard's queries as a Prometheus rules file: promtool parses them."""
    import yaml

    with open(os.path.join(root, DASHBOARD), encoding="utf-8") as f:
        dashboard = json.load(f)
    rules = []
    for panel in dashboard_panels(dashboard):
        for target in panel.get("targets", []):
            expr = target.get("expr", "")
            expr = re.sub(r"\$__(rate_)?interval|\$\{__(rate_)?interval\}", "5m", expr)
            expr = re.sub(r"\$\{?(job|instance)\}?", ".*", expr)
            rules.append({"record": f"dashboard:panel_{panel['id']}:{target.get('refId')}",
                          "expr": expr})
    return yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}, sort_keys=False)


# --- the binary's metrics -----------------------------------------------------------


def scrape(what, binary, args, out_dir):
    """Runs `BINARY ARGS run` until /readyz answers 200; its /metrics text, or None."""
    port = free_port()
    log_path = os.path.join(out_dir, f"schemad-{what}.log")
    env = {"PATH": "/usr/bin:/bin", "SCHEMAD_HTTP_LISTEN": f"127.0.0.1:{port}"}
    with open(log_path, "w") as log:
        daemon = subprocess.Popen([binary] + args + ["run"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    text = None
    try:
        status, body = None, ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and daemon.poll() is None:
            status, _, body = get(f"http://127.0.0.1:{port}/readyz")
            body = body.decode("utf-8", "replace")
            if status == 200:
                break
            time.sleep(0.25)
        if report(status == 200, f"{what}: schemad {' '.join(args)} run becomes ready",
                  f"last /readyz: {status} {body.strip()[:300]}; the log:\n" + open(log_path).read()[-3000:]):
            status, headers, raw = get(f"http://127.0.0.1:{port}/metrics")
            content_type, text = headers.get("Content-Type", ""), raw.decode("utf-8", "replace")
            report(status == 200 and content_type.startswith("text/plain"),
                   f"{what}: GET /metrics is 200 text/plain", f"{status} {content_type}")
            with open(os.path.join(out_dir, f"metrics-{what}.txt"), "w") as f:
                f.write(text)
    finally:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(timeout=30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
    return text


def fleet_files(root, out_dir):
    """deploy/k8s-fleet's configuration and model, as files in out_dir."""
    for o in load_yaml_documents(os.path.join(root, "deploy/k8s-fleet/statefulset.yaml")):
        if o.get("kind") == "ConfigMap":
            config = os.path.join(out_dir, "monitoring-fleet.conf")
            model = os.path.join(out_dir, "monitoring-fleet-model.json")
            with open(config, "w") as f:
                f.write(o["data"]["schemad-fleet.conf"])
            with open(model, "w") as f:
                f.write(o["data"]["model.json"])
            return config, model
    raise SystemExit("deploy/k8s-fleet/statefulset.yaml has no ConfigMap")


def check_metrics(root, binary, pg_url, out_dir):
    single, fleet = "schemad_t_mon_single", "schemad_t_mon_fleet"
    done = psql(f"{pg_url}/postgres", f"DROP DATABASE IF EXISTS {single} WITH (FORCE)",
                f"DROP DATABASE IF EXISTS {fleet} WITH (FORCE)",
                f"CREATE DATABASE {single}", f"CREATE DATABASE {fleet}")
    if not report(done.returncode == 0, "throwaway databases for the daemons", done.stderr):
        return
    scrapes = []
    try:
        text = scrape("single", binary, ["-d", f"{pg_url}/{single}", "--model",
                                         os.path.join(root, "config/model.example.json")], out_dir)
        scrapes.append(text)
        done = psql(f"{pg_url}/{fleet}", "CREATE SCHEMA tenant_a", "CREATE SCHEMA tenant_b")
        report(done.returncode == 0, "two tenant schemas for the fleet", done.stderr)
        config, model = fleet_files(root, out_dir)
        text = scrape("fleet", binary, ["--config", config, "--model", model,
                                        "-d", f"{pg_url}/{fleet}"], out_dir)
        scrapes.append(text)
        if text is not None:
            series, _ = parse_exposition(text)
            report("schemad_fleet_targets" in series, "fleet: the fleet metrics are exported")
    finally:
        psql(f"{pg_url}/postgres", f"DROP DATABASE IF EXISTS {single} WITH (FORCE)",
             f"DROP DATABASE IF EXISTS {fleet} WITH (FORCE)")
    if all(t is not None for t in scrapes):
        check_names(root, scrapes)
    else:
        report(False, "the metric names check: no scrape of both daemons")


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "static" and len(argv) == 3:
        root = argv[2]
        check_rule_tests(root, check_rules(root))
        check_prometheusrule(root)
        check_service_monitor(root)
        check_dashboard(root)
    elif command == "metrics" and len(argv) == 6:
        check_metrics(argv[2], argv[3], argv[4], argv[5])
    elif command == "names" and len(argv) >= 4:
        scrapes = []
        for path in argv[3:]:
            with open(path, encoding="utf-8") as f:
                scrapes.append(f.read())
        check_names(argv[2], scrapes)
    elif command == "dashboard-rules" and len(argv) == 4:
        with open(argv[3], "w", encoding="utf-8") as f:
            f.write(dashboard_rules(argv[2]))
        return 0
    elif command == "write-prometheusrule" and len(argv) == 3:
        with open(os.path.join(argv[2], PROMETHEUS_RULE), "w", encoding="utf-8") as f:
            f.write(prometheusrule_text(argv[2]))
        return 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if failed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
