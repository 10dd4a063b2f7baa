#!/usr/bin/env bash
# The Docker image's runtime stage without Docker (optional; not in .ci/run):
#   tests/packaging/rootfs.sh [BUILD_DIR]        (default: build; as root)
#
# Builds what debian:12 is made of (mmdebstrap --variant=minbase bookworm,
# as debuerreotype does for the official image) in a temporary directory,
# runs the runtime stage's RUN instructions in it (chroot), copies the built
# binary where the stage's COPY --from puts it, then runs the ENTRYPOINT+CMD
# in the chroot as the stage's USER, as PID 1 of a new PID namespace, with the
# stage's ENV and a model where SCHEMAD_MODEL expects it, against a throwaway
# PostgreSQL; waits for the HEALTHCHECK command (run in the chroot too) to
# exit 0, sends SIGTERM and expects exit 0.
# Downloads about 100 Debian packages (apt-get install mmdebstrap first);
# takes a minute or two. The chroot shares this machine's network, so the
# image's port (9432) must be free.
set -euo pipefail

script=$(readlink -f "$0")
root=$(dirname "$(dirname "$(dirname "$script")")")
cd "$root"
build=${1:-build}
bin=$(readlink -f "$build/schemad")
[ -x "$bin" ] || { echo "rootfs.sh: no $build/schemad: build first" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "rootfs.sh: needs root (chroot)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "rootfs.sh: apt-get install mmdebstrap" >&2; exit 2; }
if [ -z "${SCHEMAD_TEST_PG:-}" ]; then
  exec tests/pg/with-postgres.sh "$script" "$@"
fi

tmp=$(mktemp -d /tmp/schemad-rootfs.XXXXXX)
rootfs=$tmp/rootfs
daemon=
cleanup() {
  [ -n "$daemon" ] && kill -KILL "$daemon" 2>/dev/null
  umount "$rootfs/proc" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# The runtime stage: its RUN lines, the binary's destination, USER, ENV.
eval "$(/usr/bin/python3 - docker/Dockerfile <<'EOF'
import shlex, sys
sys.path.insert(0, "tests/packaging")
import static_checks as s
stages, runs = s.parse_dockerfile(sys.argv[1]), []
for word, text in s.dockerfile_instructions(sys.argv[1]):
    if word == "FROM":
        runs = []
    elif word == "RUN":
        runs.append(text)
runtime = stages[-1]
print("run=" + shlex.quote(" && ".join(runs)))
print("dest=" + shlex.quote(next(c["dest"] for c in runtime["copy"] if c["from"])))
print("user=" + shlex.quote(runtime["user"]))
print("entry=(" + " ".join(map(shlex.quote, runtime["entrypoint"] + runtime["cmd"])) + ")")
print("health=(" + " ".join(map(shlex.quote, runtime["healthcheck"]["cmd"])) + ")")
print("image_env=(" + " ".join(shlex.quote(f"{k}={v}") for k, v in runtime["env"].items()) + ")")
EOF
)"

echo "== mmdebstrap --variant=minbase bookworm (what debian:12 is made of)"
mmdebstrap --quiet --variant=minbase --mode=root bookworm "$rootfs"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"

echo "== the runtime stage's RUN"
chroot "$rootfs" /bin/sh -ec "$run" >"$tmp/run.log" 2>&1 || { cat "$tmp/run.log"; exit 1; }
install -D -m 0755 "$bin" "$rootfs$dest"
missing=$(chroot "$rootfs" ldd "$dest" | grep 'not found' || true)
[ -z "$missing" ] || { echo "FAIL - libraries missing in the image:"; echo "$missing"; exit 1; }
echo "ok - every library of $dest resolves in the image"

model=
for assignment in "${image_env[@]}"; do
  case $assignment in SCHEMAD_MODEL=*) model=${assignment#SCHEMAD_MODEL=} ;; esac
done
if [ -n "$model" ]; then install -D -m 0644 config/model.example.json "$rootfs$model"; fi
psql "$SCHEMAD_TEST_PG/postgres" -Xq -c 'CREATE DATABASE schemad_rootfs'

echo "== ENTRYPOINT+CMD as $user, PID 1: ${entry[*]}"
env -i PATH=/usr/local/bin:/usr/bin:/bin "${image_env[@]}" DATABASE_URL="$SCHEMAD_TEST_PG/schemad_rootfs" \
  unshare --pid --fork /usr/sbin/chroot --userspec="$user" "$rootfs" "${entry[@]}" >"$tmp/daemon.log" 2>&1 &
daemon=$!
healthy=
for _ in $(seq 1 120); do
  kill -0 "$daemon" 2>/dev/null || break
  if timeout 10 chroot --userspec="$user" "$rootfs" "${health[@]}" >/dev/null 2>&1; then healthy=1; break; fi
  sleep 0.5
done
[ -n "$healthy" ] || { echo "FAIL - the HEALTHCHECK never passed: ${health[*]}"; cat "$tmp/daemon.log"; exit 1; }
echo "ok - the HEALTHCHECK passes: ${health[*]}"
pid=$(ps -o pid= --ppid "$daemon" | tr -d ' ')
kill -TERM "$pid"
for _ in $(seq 1 300); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
rc=0; wait "$daemon" || rc=$?
daemon=
[ $rc = 0 ] || { echo "FAIL - SIGTERM: exit $rc"; cat "$tmp/daemon.log"; exit 1; }
echo "ok - SIGTERM to PID 1: exit 0"
