#!/usr/bin/env bash
# The packaging checks (issue 6), after the build:
#   tests/packaging/check.sh [BUILD_DIR]        (default: build)
#
# - systemd: `cmake --install` into a temporary prefix; the installed unit is
#   systemd/schemad.service with ExecStart naming the installed binary;
#   `systemd-analyze verify` prints nothing (it exits 0 on unknown keys, so
#   any output fails); `systemd-analyze security --offline=yes --threshold=20`
#   passes (exposure 2.0 or better).
# - Docker (no engine here): the runtime stage's apt-get line covers every
#   library the built binary links (ldd, dpkg -S); the build stage's matches
#   .ci/packages.txt; the ENTRYPOINT+CMD runs the built binary as PID 1 of a
#   new PID namespace against a throwaway PostgreSQL, with the image's ENV,
#   until the HEALTHCHECK command exits 0; SIGTERM then ends it with exit 0.
# - compose.yaml and deploy/k8s parse and have the sidecar shape.
# - deploy/monitoring: `promtool check rules` and `promtool test rules` of the
#   alerting rules pass (no promtool is a failure), promtool parses every
#   query of the Grafana dashboard; the rules, their tests, the
#   PrometheusRule (its groups are the rules file's), the ServiceMonitor and
#   the dashboard have their shape (monitoring_check.py static); the built
#   binary, run as a daemon against throwaway databases once alone and once
#   in fleet mode, exports every metric, label and label value the rules,
#   their tests and the dashboard name (monitoring_check.py metrics).
# - the status page: the built binary, run as a daemon on a throwaway
#   database with a table named `<img src=x onerror=alert(1)>`, pending
#   changes and drift, serves GET /; headless Chromium renders it: the names
#   are text (no <img>), the readiness, pending changes and drift items are
#   shown, no CSP violation; behind a path prefix, a failing refresh keeps the
#   data; a screenshot goes to BUILD_DIR/status-page.png
#   (status_page_check.py; no chromium is a failure).
# - the example application examples/chat-service: its Dockerfile,
#   Dockerfile.dockerignore and compose.yaml have the expected shape; its
#   Dockerfile's export command (models.py -> model, --strict) runs here with
#   Debian's SQLAlchemy and prints no note; the model validates; `schemad
#   apply` builds it in an empty database, stamps the Alembic head, and `check
#   --strict` then finds nothing; `alembic upgrade head` there runs nothing;
#   `alembic upgrade head` of the example's revision into another empty
#   database satisfies the model with no drift; both databases are what
#   metadata.create_all() builds (tests/alembic/oracle/compare.py); the API
#   smoke test runs when FastAPI and httpx are installed.
#
# Needs PostgreSQL: without SCHEMAD_TEST_PG it runs itself under
# tests/pg/with-postgres.sh. Needs Debian's systemd, python3-yaml,
# python3-sqlalchemy, python3-alembic, python3-psycopg2, binutils (readelf),
# util-linux (unshare), procps, postgresql-client, prometheus (promtool) and
# chromium.
# Prints one line per check and ends with "N passed, N failed".
set -uo pipefail

script=$(readlink -f "$0")
root=$(dirname "$(dirname "$(dirname "$script")")")
cd "$root"
build=${1:-build}
bin=$(readlink -f "$build/schemad")
[ -x "$bin" ] || { echo "check.sh: no $build/schemad: build first" >&2; exit 2; }
if [ -z "${SCHEMAD_TEST_PG:-}" ]; then
  exec tests/pg/with-postgres.sh "$script" "$@"
fi
python=/usr/bin/python3  # Debian's, with python3-yaml
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the source tree

passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
fail() { echo "FAIL - $*"; failed=$((failed + 1)); }
check() {  # check DESCRIPTION COMMAND...: the command must exit 0
  local what=$1; shift
  if "$@" >"$tmp/out" 2>&1; then ok "$what"; else fail "$what"; sed 's/^/    /' "$tmp/out"; fi
}
lines_check() {  # lines_check SCRIPT WHAT ARGS...: runs a python script of ok/FAIL lines, counts them
  local script=$1 line before=$failed rc=0; shift
  $python "$script" "$@" >"$tmp/static" 2>&1 || rc=$?
  while IFS= read -r line; do
    echo "$line"
    case $line in ok\ -*) passed=$((passed + 1)) ;; FAIL\ -*) failed=$((failed + 1)) ;; esac
  done <"$tmp/static"
  if [ $rc != 0 ] && [ "$failed" = "$before" ]; then fail "$(basename "$script") $1 exited $rc"; fi
}
static_check() { lines_check tests/packaging/static_checks.py "$@"; }
monitoring_check() { lines_check tests/packaging/monitoring_check.py "$@"; }

tmp=$(mktemp -d /tmp/schemad-packaging.XXXXXX)
daemon=
cleanup() {
  [ -n "$daemon" ] && kill -KILL "$daemon" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

echo "== systemd unit"
prefix=$tmp/prefix
unit=$prefix/lib/systemd/system/schemad.service
check "cmake --install $build --prefix <tmp> (SCHEMAD_SYSTEMD_UNITDIR relative)" \
  cmake --install "$build" --prefix "$prefix"
for file in bin/schemad lib/systemd/system/schemad.service share/doc/schemad/schemad.example.json \
            share/doc/schemad/model.example.json share/doc/schemad/schemad.env share/doc/schemad/README.md \
            share/doc/schemad/docs/model-format.md share/doc/schemad/docs/configuration.md; do
  if [ -e "$prefix/$file" ]; then ok "installs $file"; else fail "installs $file"; fi
done
check "the installed unit is systemd/schemad.service with the prefix's paths" \
  diff <(sed -e "s#/usr/bin/schemad#$prefix/bin/schemad#" -e "s#/usr/share/doc/schemad#$prefix/share/doc/schemad#" \
           systemd/schemad.service) "$unit"
check "the installed binary runs" "$prefix/bin/schemad" --version
if [ -f "$unit" ]; then
  out=$(systemd-analyze verify "$unit" 2>&1); rc=$?
  if [ $rc = 0 ] && [ -z "$out" ]; then ok "systemd-analyze verify prints nothing"
  else fail "systemd-analyze verify prints nothing (exit $rc)"; echo "$out" | sed 's/^/    /'; fi
  out=$(systemd-analyze security --offline=yes --threshold=20 "$unit" 2>&1); rc=$?
  level=$(echo "$out" | grep -o 'Overall exposure level.*' || true)
  if [ $rc = 0 ]; then ok "systemd-analyze security --offline=yes --threshold=20: $level"
  else fail "systemd-analyze security --offline=yes --threshold=20 (exit $rc): $level"
    echo "$out" | grep '✗' | sed 's/^/    /'; fi
fi
for line in 'Type=notify' 'ExecStart=/usr/bin/schemad --config /etc/schemad/schemad.json run' \
            'ExecReload=/bin/kill -HUP $MAINPID' 'WatchdogSec=30' 'Restart=on-failure' \
            'DynamicUser=yes' 'EnvironmentFile=-/etc/default/schemad' \
            'LoadCredential=database-password:/etc/schemad/database-password'; do
  if grep -qxF "$line" systemd/schemad.service; then ok "unit: $line"; else fail "unit: $line"; fi
done
if grep -qiE '^(Environment=.*PASSWORD|PassEnvironment=.*PASSWORD)' systemd/schemad.service \
   || grep -qiE '^[^#]*PASSWORD[^=]*=' systemd/schemad.env; then
  fail "no password in the unit's or the example's environment"
else ok "no password in the unit's or the example's environment"; fi

echo "== Dockerfile: packages"
static_check docker . "$bin"

echo "== Dockerfile: ENTRYPOINT, CMD and HEALTHCHECK with the built binary"
port=$($python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
commands=$($python tests/packaging/static_checks.py commands docker/Dockerfile "$bin" "$port") || { fail "parse the Dockerfile's commands"; commands=; }
entry=() health=() image_env=()
eval "$commands"
echo "    entrypoint: ${entry[*]}"
echo "    healthcheck: ${health[*]}"
echo "    env: ${image_env[*]}"
check "schemad --help" "$bin" --help
check "schemad ${entry[*]:1} --help" "${entry[@]}" --help
probe_nothing() {  # the health check against a port nobody listens on: 1, not 0 nor 2 (usage)
  "${health[@]}"; local rc=$?
  [ $rc = 1 ] || { echo "exit $rc (2: no probe subcommand yet?)"; return 1; }
}
check "the health check exits 1 while nothing listens" probe_nothing

# The container's environment: the image's ENV, a model where the image
# expects one, the URL of the throwaway server, the password as a file.
model_path=
for assignment in "${image_env[@]}"; do
  case $assignment in SCHEMAD_MODEL=*) model_path=${assignment#SCHEMAD_MODEL=} ;; esac
done
mkdir -p "$tmp/model"
cp config/model.example.json "$tmp/model/$(basename "${model_path:-model.json}")"
printf 'unused-with-trust-authentication\n' >"$tmp/password"
check "a database for the entrypoint" psql "$SCHEMAD_TEST_PG/postgres" -Xq -c 'CREATE DATABASE schemad_packaging'
container_env=("${image_env[@]}" "SCHEMAD_MODEL=$tmp/model/$(basename "${model_path:-model.json}")"
               "DATABASE_URL=$SCHEMAD_TEST_PG/schemad_packaging"
               "SCHEMAD_DATABASE_PASSWORD_FILE=$tmp/password")
# PID 1 ignores every signal it has no handler for: run the entrypoint as PID 1
# of its own PID namespace, as in a container, when this machine allows it.
as_pid1=()
if unshare --pid --fork true 2>/dev/null; then as_pid1=(unshare --pid --fork); fi
env -i PATH=/usr/bin:/bin "${container_env[@]}" "${as_pid1[@]}" "${entry[@]}" >"$tmp/daemon.log" 2>&1 &
daemon=$!
pid=$daemon
if [ ${#as_pid1[@]} -gt 0 ]; then
  for _ in $(seq 1 100); do
    pid=$(ps -o pid= --ppid "$daemon" | tr -d ' ')
    [ -n "$pid" ] && break
    sleep 0.05
  done
  echo "    started as PID 1 of a new PID namespace (pid $pid here)"
else
  echo "    unshare --pid is not allowed here: started as an ordinary process"
fi
healthy=
for _ in $(seq 1 120); do
  kill -0 "$daemon" 2>/dev/null || break
  if timeout 10 "${health[@]}" >"$tmp/health.out" 2>&1; then healthy=1; break; fi
  sleep 0.5
done
if [ -n "$healthy" ]; then ok "the HEALTHCHECK command exits 0 once the database satisfies the model"
else fail "the HEALTHCHECK command exits 0 once the database satisfies the model"
  sed 's/^/    probe: /' "$tmp/health.out"; sed 's/^/    schemad: /' "$tmp/daemon.log"; fi
not_found() {  # a 404 is not healthy
  "${health[@]/%\/readyz//no-such-path}"; [ $? = 1 ]
}
[ -n "$healthy" ] && check "the health check exits 1 on a non-2xx answer (404)" not_found
kill -TERM "$pid" 2>/dev/null
for _ in $(seq 1 300); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon" 2>/dev/null; then
  fail "SIGTERM stops the entrypoint within 30 s"; sed 's/^/    schemad: /' "$tmp/daemon.log"
else
  wait "$daemon"; rc=$?
  if [ $rc = 0 ]; then ok "SIGTERM stops the entrypoint with exit 0"
  else fail "SIGTERM stops the entrypoint with exit 0 (exit $rc)"; sed 's/^/    schemad: /' "$tmp/daemon.log"; fi
fi
daemon=

echo "== docker/compose.yaml"
static_check compose .
if docker compose version >/dev/null 2>&1; then
  check "docker compose config" docker compose -f docker/compose.yaml config -q
fi

echo "== deploy/k8s"
static_check k8s .
$python -c 'import sys, yaml; print(yaml.safe_load(open(sys.argv[1]))["data"]["model.json"])' \
  deploy/k8s/model-configmap.yaml >"$tmp/configmap-model.json"
check "the ConfigMap's model validates" "$bin" --model "$tmp/configmap-model.json" validate

echo "== deploy/k8s-fleet"
static_check k8s-fleet . "$tmp"
check "the fleet StatefulSet's configuration and model validate, its template included" \
  "$bin" --config "$tmp/fleet-config.json" --model "$tmp/fleet-model.json" validate

echo "== deploy/monitoring"
if command -v promtool >/dev/null 2>&1; then
  check "promtool check rules deploy/monitoring/schemad.rules.yml" \
    promtool check rules deploy/monitoring/schemad.rules.yml
  check "promtool test rules deploy/monitoring/schemad.rules.test.yml" \
    promtool test rules deploy/monitoring/schemad.rules.test.yml
  if $python tests/packaging/monitoring_check.py dashboard-rules . "$tmp/dashboard.rules.yml"; then
    check "promtool parses every query of deploy/monitoring/grafana-dashboard.json" \
      promtool check rules "$tmp/dashboard.rules.yml"
  else fail "the dashboard's queries as a rules file (monitoring_check.py dashboard-rules)"; fi
else
  fail "promtool is installed (Debian package prometheus): without it the alerting rules go unchecked"
fi
monitoring_check static .
monitoring_check metrics . "$bin" "$SCHEMAD_TEST_PG" "$tmp"

echo "== the status page (GET /) in headless Chromium"
lines_check tests/packaging/status_page_check.py "$bin" "$SCHEMAD_TEST_PG" "$tmp" \
  "$(readlink -f "$build")/status-page.png"

echo "== example application (examples/chat-service)"
example=examples/chat-service
versions=$example/alembic/versions
pycache_before=$(find examples schemad-sqlalchemy -name __pycache__ 2>/dev/null | sort)
static_check example . "$example"

# The model stage's own export command, with its -o pointed here.
export_args=() export_output=
exports=$($python tests/packaging/static_checks.py example-export "$example/Dockerfile") \
  || { fail "parse the example Dockerfile's export command"; exports=; }
eval "$exports"
chat_model=$tmp/chat-model.json
local_args=() previous=
for arg in "${export_args[@]}"; do
  case $previous in -o|--output) local_args+=("$chat_model") ;; *) local_args+=("$arg") ;; esac
  previous=$arg
done
echo "    export: python3 -m schemad_sqlalchemy ${export_args[*]}"
export_quietly() {  # as in the model stage (PYTHONPATH for its WORKDIR): exit 0, no note
  (cd "$tmp" && PYTHONPATH="$root/schemad-sqlalchemy:$root/$example" \
     $python -m schemad_sqlalchemy "${local_args[@]}") 2>"$tmp/export.err"
  local rc=$?
  cat "$tmp/export.err"
  [ $rc = 0 ] && [ ! -s "$tmp/export.err" ] && [ -s "$chat_model" ]
}
sqlalchemy_version=$($python -c 'import sqlalchemy; print(sqlalchemy.__version__)' 2>&1)
check "the Dockerfile's export runs here (SQLAlchemy $sqlalchemy_version) and prints no note: python3 -m schemad_sqlalchemy ${local_args[*]}" \
  export_quietly
check "the exported model validates" "$bin" --model "$chat_model" validate
heads=$("$bin" --versions-dir "$versions" heads 2>&1)
head=${heads%% *}
if [ "$heads" = "$head (head)" ]; then ok "$versions has one head: $head"
else fail "$versions has one head"; echo "$heads" | sed 's/^/    /'; fi

check "databases for the example" \
  psql "$SCHEMAD_TEST_PG/postgres" -Xq -c 'CREATE DATABASE chat_schemad' -c 'CREATE DATABASE chat_alembic'
built=$SCHEMAD_TEST_PG/chat_schemad migrated=$SCHEMAD_TEST_PG/chat_alembic
alembic_on() {  # alembic_on URL ARGS...: the example's Alembic project on URL
  local url=$1; shift
  env -u DATABASE_PASSWORD_FILE DATABASE_URL="$url" $python -m alembic -c "$example/alembic.ini" "$@"
}
check "schemad apply of the exported model into an empty database" \
  "$bin" -d "$built" --model "$chat_model" --versions-dir "$versions" apply
check "then schemad check --strict: nothing missing, no drift" \
  "$bin" -d "$built" --model "$chat_model" --versions-dir "$versions" check --strict
stamped_head() { local current; current=$("$bin" -d "$built" current); echo "$current"; [ "$current" = "$head" ]; }
check "schemad recorded the Alembic head $head in alembic_version" stamped_head
upgrade_runs_nothing() {
  alembic_on "$built" upgrade head >"$tmp/upgrade.out" 2>&1; local rc=$?
  cat "$tmp/upgrade.out"
  [ $rc = 0 ] && ! grep -q 'Running upgrade' "$tmp/upgrade.out" \
    && [ "$(alembic_on "$built" current 2>/dev/null)" = "$head (head)" ]
}
check "alembic upgrade head on the database schemad built runs no revision" upgrade_runs_nothing
check "the database schemad built is the one metadata.create_all() builds (compare.py)" \
  $python tests/alembic/oracle/compare.py "$built" "$example/app/models.py"
check "alembic upgrade head of $versions into an empty database" alembic_on "$migrated" upgrade head
check "schemad check --strict of that database with the exported model: models.py and the revision agree" \
  "$bin" -d "$migrated" --model "$chat_model" --versions-dir "$versions" check --strict
check "the database the revision built is the one metadata.create_all() builds (compare.py)" \
  $python tests/alembic/oracle/compare.py "$migrated" "$example/app/models.py"
check "app/main.py, app/db.py, alembic/env.py and smoke_test.py are valid Python" \
  $python -c 'import ast, sys; [ast.parse(open(f).read(), f) for f in sys.argv[1:]]' \
  "$example/app/main.py" "$example/app/db.py" "$example/alembic/env.py" "$example/smoke_test.py"
if $python -c 'import fastapi, httpx' 2>/dev/null; then
  check "the API works on the database schemad built (smoke_test.py)" \
    env -u DATABASE_PASSWORD_FILE DATABASE_URL="$built" $python "$example/smoke_test.py"
else
  echo "skip - the API smoke test (smoke_test.py): no FastAPI or httpx for $python"
fi
if docker compose version >/dev/null 2>&1; then
  check "docker compose config ($example/compose.yaml)" docker compose -f "$example/compose.yaml" config -q
fi
new_pycache=$(comm -13 <(echo "$pycache_before") <(find examples schemad-sqlalchemy -name __pycache__ 2>/dev/null | sort))
if [ -z "$new_pycache" ]; then ok "no __pycache__ written into examples/ or schemad-sqlalchemy/"
else fail "no __pycache__ written into examples/ or schemad-sqlalchemy/"; echo "$new_pycache" | sed 's/^/    /'; fi

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
