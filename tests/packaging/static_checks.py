#!/usr/bin/python3
"""Static checks of the packaging files, for tests/packaging/check.sh.

  static_checks.py docker ROOT BINARY   the Dockerfile against the binary's libraries,
                                        .ci/packages.txt and .dockerignore
  static_checks.py compose ROOT         docker/compose.yaml
  static_checks.py k8s ROOT             deploy/k8s/**.yaml
  static_checks.py k8s-fleet ROOT DIR   deploy/k8s-fleet/*.yaml; writes its configuration and
                                        model to DIR/fleet-config.json, DIR/fleet-model.json
  static_checks.py example ROOT DIR     the example application in DIR (examples/chat-service):
                                        its Dockerfile, Dockerfile.dockerignore, compose.yaml
                                        and app/models.py
  static_checks.py example-export DOCKERFILE
      print as bash variables the model stage's export command: export_args (the
      arguments after `python3 -m schemad_sqlalchemy`) and export_output (its -o)
  static_checks.py dockerfile FILE      print the parsed Dockerfile as JSON
  static_checks.py commands FILE BINARY PORT
      print as bash arrays the runtime stage's ENTRYPOINT+CMD (entry), HEALTHCHECK
      (health) and ENV (image_env), with BINARY for the image's binary and PORT
      for the port it listens on

Every check prints "ok - ..." or "FAIL - ...", and the exit status is 1 when
one failed. Only Debian's python3 and python3-yaml are used.
"""

import json
import os
import re
import shlex
import subprocess
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from checklib import failed, load_yaml_documents, report  # noqa: E402  (tests/packaging/checklib.py)



# --- the Dockerfile ----------------------------------------------------------


def dockerfile_instructions(path):
    """(INSTRUCTION, text) pairs, continuation lines joined, comments dropped."""
    result, current = [], ""
    for raw in open(path, encoding="utf-8"):
        line = raw.rstrip("\n")
        stripped = line.strip()
        if stripped.startswith("#") or (not stripped and not current):
            continue  # comments also end nothing inside a continuation
        if line.rstrip().endswith("\\"):
            current += line.rstrip()[:-1] + " "
            continue
        current += line
        if current.strip():
            word, _, rest = current.strip().partition(" ")
            result.append((word.upper(), rest.strip()))
        current = ""
    if current.strip():
        word, _, rest = current.strip().partition(" ")
        result.append((word.upper(), rest.strip()))
    return result


def exec_form(text, what):
    try:
        value = json.loads(text)
    except ValueError:
        raise SystemExit(f"{what} is not in exec form (a JSON array): {text}")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise SystemExit(f"{what} is not a JSON array of strings: {text}")
    return value


def apt_packages(run_text):
    """Packages named by `apt-get install` in one RUN instruction."""
    packages = []
    for command in re.split(r"&&|;|\|\|", run_text):
        words = shlex.split(command)
        if len(words) >= 2 and words[0] in ("apt-get", "apt") and "install" in words:
            after = words[words.index("install") + 1:]
            packages += [w for w in after if not w.startswith("-")]
    return packages


def parse_env(text):
    words = shlex.split(text)
    if words and "=" not in words[0]:  # legacy `ENV KEY value`
        return {words[0]: " ".join(words[1:])}
    return dict(w.split("=", 1) for w in words)


def parse_dockerfile(path):
    stages = []
    for word, text in dockerfile_instructions(path):
        if word == "FROM":
            parts = text.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            stages.append({"base": parts[0], "name": name, "apt": [], "env": {}, "copy": [],
                           "expose": [], "user": None, "stopsignal": None,
                           "entrypoint": None, "cmd": None, "healthcheck": None,
                           "run": [], "workdir": None})
            continue
        if not stages:
            continue  # ARG before FROM
        stage = stages[-1]
        if word == "RUN":
            stage["apt"] += apt_packages(text)
            stage["run"].append(text)
        elif word == "WORKDIR":
            stage["workdir"] = text
        elif word == "ENV":
            stage["env"].update(parse_env(text))
        elif word == "COPY":
            words = text.split()
            flags = [w for w in words if w.startswith("--")]
            rest = [w for w in words if not w.startswith("--")]
            stage["copy"].append({"from": next((f.split("=", 1)[1] for f in flags
                                                if f.startswith("--from=")), None),
                                  "sources": rest[:-1], "dest": rest[-1]})
        elif word == "EXPOSE":
            stage["expose"] += text.split()
        elif word == "USER":
            stage["user"] = text
        elif word == "STOPSIGNAL":
            stage["stopsignal"] = text
        elif word == "ENTRYPOINT":
            stage["entrypoint"] = exec_form(text, "ENTRYPOINT")
        elif word == "CMD":
            stage["cmd"] = exec_form(text, "CMD")
        elif word == "HEALTHCHECK":
            options = re.findall(r"--([a-z-]+)=(\S+)", text)
            command = re.sub(r"^(--[a-z-]+=\S+\s+)*", "", text)
            if not command.startswith("CMD "):
                raise SystemExit(f"HEALTHCHECK has no CMD: {text}")
            stage["healthcheck"] = {"options": dict(options),
                                    "cmd": exec_form(command[4:].strip(), "HEALTHCHECK CMD")}
    return stages


def dockerfile_global_args(path):
    """{name: default or None} of the ARG instructions before the first FROM."""
    args = {}
    for word, text in dockerfile_instructions(path):
        if word == "FROM":
            break
        if word == "ARG":
            name, _, default = text.partition("=")
            args[name.strip()] = default.strip() if _ else None
    return args


# --- Debian packages ---------------------------------------------------------


def installed_packages():
    """{package: {"base": bool, "depends": [first alternatives]}} from dpkg."""
    out = subprocess.run(
        ["dpkg-query", "-W", "-f",
         "${Package}\t${Essential}\t${Priority}\t${Pre-Depends}, ${Depends}\t${db:Status-Abbrev}\n"],
        check=True, capture_output=True, text=True).stdout
    packages = {}
    for line in out.splitlines():
        name, essential, priority, depends, status = line.split("\t")
        if not status.startswith("ii"):
            continue
        first = []
        for group in depends.split(","):
            alternatives = [re.sub(r"[\s(:].*", "", a.strip()) for a in group.split("|")]
            alternatives = [a for a in alternatives if a]
            if alternatives:
                first.append(alternatives)
        packages[name] = {"base": essential == "yes" or priority == "required", "depends": first}
    return packages


def closure(roots, packages):
    """Every package apt would bring in with `roots`: for an alternative, the
    first one that is a real (installed here) package."""
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        if name in seen or name not in packages:
            continue
        seen.add(name)
        for alternatives in packages[name]["depends"]:
            chosen = next((a for a in alternatives if a in packages), None)
            if chosen:
                todo.append(chosen)
    return seen


def owning_package(path):
    candidates = [path, os.path.realpath(path)]
    for p in list(candidates):
        if p.startswith("/usr/lib/"):
            candidates.append(p[len("/usr"):])
        elif p.startswith("/lib/"):
            candidates.append("/usr" + p)
    for p in candidates:
        result = subprocess.run(["dpkg", "-S", p], capture_output=True, text=True)
        if result.returncode == 0:
            return result.stdout.split(":")[0].strip()
    return None


def linked_libraries(binary):
    """({soname: path} of every library ldd resolves, [the binary's own NEEDED])."""
    ldd = subprocess.run(["ldd", binary], check=True, capture_output=True, text=True).stdout
    resolved = {}
    for line in ldd.splitlines():
        m = re.match(r"\s*(\S+) => (\S+) \(", line)
        if m:
            resolved[m.group(1)] = m.group(2)
        elif "not found" in line:
            raise SystemExit(f"ldd {binary}: {line.strip()}")
    dynamic = subprocess.run(["readelf", "-d", binary], check=True, capture_output=True,
                             text=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)
    return resolved, needed


# --- the checks --------------------------------------------------------------

# debian:12 and debian:12-slim hold the Essential and Priority: required
# packages with their dependencies (debootstrap --variant=minbase), apt among
# them: libc6 (every Essential package), libgcc-s1 (libc6 depends on it) and
# libstdc++6 (apt depends on it). check_docker verifies that on this Debian 12
# machine's package database rather than taking it on trust.
FROM_BASE_IMAGE = {"libc6", "libgcc-s1", "libstdc++6"}

# In .ci/packages.txt only for the tests: the image's build stage leaves them out.
TEST_ONLY = {"catch2", "postgresql-15", "postgresql-client-15"}


def check_docker(root, binary):
    dockerfile = os.path.join(root, "docker", "Dockerfile")
    stages = parse_dockerfile(dockerfile)
    report(len(stages) >= 2, "Dockerfile is multi-stage", f"{len(stages)} stage(s)")
    build, runtime = stages[0], stages[-1]
    for stage in stages:
        report(re.fullmatch(r"debian:(12|bookworm)(-slim)?", stage["base"]) is not None,
               f"stage {stage['name'] or stage['base']} is based on Debian 12", stage["base"])

    wanted = [p.strip() for p in open(os.path.join(root, ".ci", "packages.txt")) if p.strip()]
    wanted = {p for p in wanted if p not in TEST_ONLY and not p.startswith("python3")}
    got = set(build["apt"])
    report(got == wanted, "build stage installs .ci/packages.txt less the test-only packages",
           f"missing {sorted(wanted - got)}, extra {sorted(got - wanted)}")

    runtime_apt = set(runtime["apt"])
    report(not any(p.endswith("-dev") for p in runtime_apt), "runtime stage installs no -dev package",
           sorted(p for p in runtime_apt if p.endswith("-dev")))
    report("ca-certificates" in runtime_apt, "runtime stage installs ca-certificates")

    packages = installed_packages()
    base = closure([p for p, info in packages.items() if info["base"]], packages)
    report(FROM_BASE_IMAGE <= base,
           "libc6, libgcc-s1, libstdc++6 come with debian:12 (Essential/required + apt, here)",
           f"not in the base closure: {sorted(FROM_BASE_IMAGE - base)}")
    available = closure(runtime_apt | FROM_BASE_IMAGE, packages) | base

    resolved, needed = linked_libraries(binary)
    owner = {soname: owning_package(path) for soname, path in resolved.items()}
    unowned = sorted(f"{s} ({resolved[s]})" for s, p in owner.items() if p is None)
    report(not unowned, f"each of the {len(resolved)} libraries ldd resolves belongs to a Debian package",
           unowned)
    for soname in needed:
        package = owner.get(soname)
        if package in FROM_BASE_IMAGE:
            report(True, f"{os.path.basename(binary)} links {soname} ({package}): in debian:12 itself")
        else:
            report(package in runtime_apt, f"{os.path.basename(binary)} links {soname} ({package}): "
                   "named in the runtime stage's apt-get install", f"add {package} to the runtime stage")
    indirect = sorted(set(resolved) - set(needed))
    missing = sorted(f"{s} ({owner.get(s)})" for s in indirect if owner.get(s) not in available)
    report(not missing, f"the {len(indirect)} indirect libraries come with the dependencies of the "
           "runtime stage's packages", f"not pulled in: {missing}")

    report(runtime["user"] is not None and runtime["user"].split(":")[0] not in ("", "0", "root")
           and runtime["user"].split(":")[0].isdigit(),
           "runtime stage runs as a numeric non-root USER", runtime["user"])
    report(runtime["stopsignal"] == "SIGTERM", "STOPSIGNAL SIGTERM", runtime["stopsignal"])
    entry, health = runtime["entrypoint"], runtime["healthcheck"]
    report(entry is not None and runtime["cmd"] is not None, "ENTRYPOINT and CMD in exec form")
    report(health is not None, "HEALTHCHECK CMD in exec form")
    if not entry or not health:
        return
    installed_to = [c["dest"] for c in runtime["copy"] if c["from"]]
    report(entry[0] in installed_to, f"ENTRYPOINT runs the binary copied from the build stage ({entry[0]})",
           f"COPY --from=... destinations: {installed_to}")
    report(health["cmd"][0] == entry[0], "HEALTHCHECK runs the same binary, no curl needed",
           health["cmd"][0])
    listen = runtime["env"].get("SCHEMAD_HTTP_LISTEN", "")
    report(listen.startswith("0.0.0.0:"), "ENV SCHEMAD_HTTP_LISTEN listens on every interface", listen)
    port = listen.rpartition(":")[2]
    report(f"{port}" in [e.split("/")[0] for e in runtime["expose"]], f"EXPOSE {port}",
           runtime["expose"])
    urls = [w for w in health["cmd"] if w.startswith("http://")]
    report(len(urls) == 1 and urls[0] == f"http://127.0.0.1:{port}/readyz",
           "HEALTHCHECK probes /readyz on the listening port", urls)

    ignore = os.path.join(root, ".dockerignore")
    allowed = [l.strip()[1:].rstrip("/") for l in open(ignore) if l.strip().startswith("!")]
    for copy in build["copy"] + runtime["copy"]:
        if copy["from"]:
            continue
        for source in copy["sources"]:
            source = source.rstrip("/")
            report(source in allowed and os.path.exists(os.path.join(root, source)),
                   f"COPY {source}: exists and .dockerignore lets it in")


def check_compose(root):
    path = os.path.join(root, "docker", "compose.yaml")
    try:
        (compose,) = load_yaml_documents(path)
    except Exception as e:  # noqa: BLE001 - any parse error is the failure
        report(False, "docker/compose.yaml parses", e)
        return
    report(True, "docker/compose.yaml parses")
    services = compose.get("services", {})
    report({"db", "schemad", "app"} <= set(services), "compose has db, schemad and app",
           sorted(services))
    db, schemad, app = (services.get(n, {}) for n in ("db", "schemad", "app"))
    report(str(db.get("image", "")).startswith("postgres:15"), "db is postgres:15")
    report("test" in db.get("healthcheck", {}), "db has a healthcheck")
    report(schemad.get("depends_on", {}).get("db", {}).get("condition") == "service_healthy",
           "schemad waits for a healthy db")
    report(app.get("depends_on", {}).get("schemad", {}).get("condition") == "service_healthy",
           "app waits for a healthy schemad")
    build = schemad.get("build", {})
    context = os.path.normpath(os.path.join(root, "docker", build.get("context", ".")))
    report(os.path.isfile(os.path.join(context, build.get("dockerfile", "Dockerfile"))),
           "schemad is built from docker/Dockerfile")
    env = schemad.get("environment", {})
    password_file = env.get("SCHEMAD_DATABASE_PASSWORD_FILE", "")
    report("PASSWORD" not in " ".join(k for k in env if not k.endswith("_FILE"))
           and ":" not in env.get("DATABASE_URL", "x:y@").split("@")[0].split("//")[-1],
           "no password in schemad's environment or URL")
    secrets = compose.get("secrets", {})
    for secret in schemad.get("secrets", []):
        name = secret if isinstance(secret, str) else secret.get("source")
        report(password_file == f"/run/secrets/{name}",
               f"the password comes from the Docker secret {name}", password_file)
        source = secrets.get(name, {}).get("file")
        report(source is not None and os.path.isfile(os.path.join(root, "docker", source)),
               f"secret {name} has its file", source)
    model = env.get("SCHEMAD_MODEL", "")
    mounted = False
    for volume in schemad.get("volumes", []):
        host, _, rest = volume.partition(":")
        target = rest.split(":")[0]
        if model.startswith(target.rstrip("/") + "/"):
            host_file = os.path.join(root, "docker", host, model[len(target):].lstrip("/"))
            mounted = os.path.isfile(host_file) and os.path.isdir(os.path.join(root, "docker", host))
    report(mounted, "schemad's model is in a mounted directory that exists", model)


def k8s_objects(root):
    folder = os.path.join(root, "deploy", "k8s")
    objects = []
    for dirpath, _, files in os.walk(folder):
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(dirpath, name)
                try:
                    docs = load_yaml_documents(path)
                    report(all("apiVersion" in d and "kind" in d for d in docs),
                           f"{os.path.relpath(path, root)} parses into Kubernetes objects")
                    objects += docs
                except Exception as e:  # noqa: BLE001
                    report(False, f"{os.path.relpath(path, root)} parses", e)
    return objects


def check_pod_security(pod, container, what):
    pod_sc = pod.get("securityContext", {})
    sc = container.get("securityContext", {})
    report(sc.get("runAsNonRoot", pod_sc.get("runAsNonRoot")) is True, f"{what}: runAsNonRoot")
    report(sc.get("readOnlyRootFilesystem") is True, f"{what}: readOnlyRootFilesystem")
    report(sc.get("allowPrivilegeEscalation") is False, f"{what}: no privilege escalation")
    report(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{what}: drops ALL capabilities")
    profile = sc.get("seccompProfile", pod_sc.get("seccompProfile", {}))
    report(profile.get("type") == "RuntimeDefault", f"{what}: seccompProfile RuntimeDefault")
    resources = container.get("resources", {})
    report("requests" in resources and "memory" in resources.get("limits", {}),
           f"{what}: resource requests and a memory limit")


def check_mounts(pod, container, objects, what):
    """SCHEMAD_MODEL from a ConfigMap directory, the password from a Secret file."""
    env = {e["name"]: e.get("value", "") for e in container.get("env", [])}
    volumes = {v["name"]: v for v in pod.get("volumes", [])}

    def source_of(path):
        for mount in container.get("volumeMounts", []):
            if path.startswith(mount["mountPath"].rstrip("/") + "/"):
                return mount, volumes.get(mount["name"], {}), path[len(mount["mountPath"]):].strip("/")
        return None, {}, None

    mount, volume, key = source_of(env.get("SCHEMAD_MODEL", ""))
    name = volume.get("configMap", {}).get("name")
    report(name is not None and "subPath" not in mount,
           f"{what}: the model is a ConfigMap mounted as a directory (no subPath)")
    configmap = next((o for o in objects if o["kind"] == "ConfigMap"
                      and o["metadata"]["name"] == name), None)
    report(configmap is not None and key in configmap.get("data", {}),
           f"{what}: ConfigMap {name} holds {key}")
    mount, volume, key = source_of(env.get("SCHEMAD_DATABASE_PASSWORD_FILE", ""))
    name = volume.get("secret", {}).get("secretName")
    report(name is not None, f"{what}: the password file comes from a Secret")
    secret = next((o for o in objects if o["kind"] == "Secret" and o["metadata"]["name"] == name), None)
    report(secret is not None and key in {**secret.get("data", {}), **secret.get("stringData", {})},
           f"{what}: Secret {name} holds {key}")
    report(not any("PASSWORD" in e["name"] and not e["name"].endswith("_FILE")
                   for e in container.get("env", [])), f"{what}: no password in the environment")


def check_k8s(root):
    objects = k8s_objects(root)
    deployments = [o for o in objects if o["kind"] == "Deployment"]
    report(len(deployments) == 1, "one Deployment")
    for deployment in deployments:
        pod = deployment["spec"]["template"]["spec"]
        sidecars = [c for c in pod.get("initContainers", []) if c.get("restartPolicy") == "Always"]
        report(len(sidecars) == 1 and sidecars[0]["image"].startswith("schemad"),
               "schemad is a native sidecar (initContainers[].restartPolicy: Always)")
        report(len(pod.get("containers", [])) >= 1, "the Deployment has an application container")
        for sidecar in sidecars:
            what = f"sidecar {sidecar['name']}"
            ports = {p.get("name"): p["containerPort"] for p in sidecar.get("ports", [])}
            for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz"),
                                ("startupProbe", "/readyz")):
                get = sidecar.get(probe, {}).get("httpGet", {})
                port = ports.get(get.get("port"), get.get("port"))
                report(get.get("path") == path and port == 9432,
                       f"{what}: {probe} httpGet {path} on 9432", get)
            check_pod_security(pod, sidecar, what)
            check_mounts(pod, sidecar, objects, what)
            env = {e["name"]: e.get("value", "") for e in sidecar.get("env", [])}
            report(env.get("SCHEMAD_HTTP_LISTEN", "0.0.0.0:9432") == "0.0.0.0:9432",
                   f"{what}: listens on every interface")
        report(pod.get("securityContext", {}).get("runAsUser") == 10001,
               "the pod runs as the image's user 10001")
        for container in pod.get("containers", []):
            check_pod_security(pod, container, f"container {container['name']}")
    jobs = [o for o in objects if o["kind"] == "Job"]
    report(len(jobs) == 1, "one Job example")
    for job in jobs:
        pod = job["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        report(container.get("args") == ["apply"], "the Job runs `schemad apply`", container.get("args"))
        report(pod.get("restartPolicy") in ("Never", "OnFailure"), "the Job's pods do not restart forever")
        check_pod_security(pod, container, "job container")
        check_mounts(pod, container, objects, "job container")
    example = json.load(open(os.path.join(root, "config", "model.example.json")))
    for configmap in (o for o in objects if o["kind"] == "ConfigMap"):
        for key, text in configmap.get("data", {}).items():
            if key.endswith(".json"):
                report(json.loads(text) == example,
                       f"ConfigMap {configmap['metadata']['name']} {key} is config/model.example.json")


def check_k8s_fleet(root, out_dir):
    """deploy/k8s-fleet: a StatefulSet whose shard follows its replicas."""
    folder = os.path.join(root, "deploy", "k8s-fleet")
    objects = []
    for name in sorted(os.listdir(folder)):
        if name.endswith((".yaml", ".yml")):
            docs = load_yaml_documents(os.path.join(folder, name))
            report(all("apiVersion" in d and "kind" in d for d in docs),
                   f"deploy/k8s-fleet/{name} parses into Kubernetes objects")
            objects += docs
    sets = [o for o in objects if o["kind"] == "StatefulSet"]
    report(len(sets) == 1, "one StatefulSet")
    for sts in sets:
        pod = sts["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = {e["name"]: e.get("value", "") for e in container.get("env", [])}
        replicas = sts["spec"]["replicas"]
        report(env.get("SCHEMAD_FLEET_SHARD") == f"ordinal/{replicas}",
               f"SCHEMAD_FLEET_SHARD is ordinal/{replicas}, as many as the replicas",
               env.get("SCHEMAD_FLEET_SHARD"))
        report(container.get("args", [])[-1:] == ["run"], "the StatefulSet runs `schemad run`")
        services = [o for o in objects if o["kind"] == "Service"
                    and o["metadata"]["name"] == sts["spec"].get("serviceName")]
        report(len(services) == 1 and services[0]["spec"].get("clusterIP") == "None",
               "its serviceName is a headless Service")
        ports = {p.get("name"): p["containerPort"] for p in container.get("ports", [])}
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = container.get(probe, {}).get("httpGet", {})
            report(get.get("path") == path and ports.get(get.get("port"), get.get("port")) == 9432,
                   f"{probe} httpGet {path} on 9432", get)
        check_pod_security(pod, container, "fleet container")
        volumes = {v["name"]: v for v in pod.get("volumes", [])}
        args = container.get("args", [])
        config_path = args[args.index("--config") + 1] if "--config" in args else ""
        found = {}
        for wanted, path in (("config", config_path), ("model", None)):
            for mount in container.get("volumeMounts", []):
                if path is None or path.startswith(mount["mountPath"].rstrip("/") + "/"):
                    cm = volumes.get(mount["name"], {}).get("configMap", {}).get("name")
                    data = next((o.get("data", {}) for o in objects if o["kind"] == "ConfigMap"
                                 and o["metadata"]["name"] == cm), {})
                    key = path[len(mount["mountPath"]):].strip("/") if path else "model.json"
                    if key in data:
                        found[wanted] = data[key]
                        break
        report("config" in found and "model" in found,
               "the configuration and the model come from the ConfigMap", sorted(found))
        for wanted, text in found.items():
            with open(os.path.join(out_dir, "fleet-" + wanted + ".json"), "w") as f:
                f.write(text)
        secret = volumes.get("database", {}).get("secret", {}).get("secretName")
        report(secret in {o["metadata"]["name"] for o in k8s_objects(root) if o["kind"] == "Secret"},
               f"the password Secret {secret} is deploy/k8s's")


# --- the example application (examples/chat-service) -------------------------

EXPORT_COMMAND = ["python3", "-m", "schemad_sqlalchemy"]
# The exporter's options that take a value (schemad-sqlalchemy's __main__.py).
EXPORT_OPTIONS_WITH_VALUE = {"-o", "--output", "--revision", "--schema", "--extension", "--path"}


def shell_commands(run_text):
    return [shlex.split(c) for c in re.split(r"&&|;|\|\|", run_text) if c.strip()]


def example_export(stages):
    """(stage, the arguments after `python3 -m schemad_sqlalchemy`) of the RUN
    that exports the model, or (None, None)."""
    for stage in stages:
        for run in stage["run"]:
            for words in shell_commands(run):
                if words[:3] == EXPORT_COMMAND:
                    return stage, words[3:]
    return None, None


def export_target_and_output(args):
    """(TARGET, the -o FILE) of the exporter's arguments."""
    target = output = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in EXPORT_OPTIONS_WITH_VALUE and i + 1 < len(args):
            if arg in ("-o", "--output"):
                output = args[i + 1]
            i += 2
            continue
        if arg.startswith("--output="):
            output = arg.split("=", 1)[1]
        elif not arg.startswith("-") and target is None:
            target = arg
        i += 1
    return target, output


def stage_files(stage, root):
    """{path in the image (relative to WORKDIR unless absolute): path in the
    repository} of the files the stage COPYs from the build context."""
    files = {}
    for copy in stage["copy"]:
        if copy["from"]:
            continue
        dest = copy["dest"]
        for source in copy["sources"]:
            path = os.path.join(root, source)
            if os.path.isdir(path):
                for dirpath, dirnames, names in os.walk(path):
                    dirnames[:] = [d for d in dirnames if d != "__pycache__"]
                    for name in names:
                        inner = os.path.relpath(os.path.join(dirpath, name), path)
                        files[os.path.normpath(os.path.join(dest, inner))] = \
                            os.path.relpath(os.path.join(dirpath, name), root)
            elif dest.endswith("/") or len(copy["sources"]) > 1:
                files[os.path.normpath(os.path.join(dest, os.path.basename(source)))] = source
            else:
                files[os.path.normpath(dest)] = source
    return files


def version_tuple(text):
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def satisfies(version, specifiers):
    """Whether VERSION meets comma-separated >=, >, <=, <, ==, != bounds."""
    ops = {">=": lambda a, b: a >= b, ">": lambda a, b: a > b, "<=": lambda a, b: a <= b,
           "<": lambda a, b: a < b, "==": lambda a, b: a == b, "!=": lambda a, b: a != b}
    have = version_tuple(version)
    for spec in filter(None, (s.strip() for s in specifiers.split(","))):
        op = re.match(r"[<>=!]=?", spec).group(0)
        want = version_tuple(spec[len(op):])
        if not ops[op](have[:len(want)], want):
            return False
    return True


def python_imports(path):
    """The top-level module names a Python file imports (absolute imports)."""
    import ast

    tree = ast.parse(open(path, encoding="utf-8").read(), path)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def check_example(root, folder):
    here = os.path.join(root, folder)
    dockerfile = os.path.join(here, "Dockerfile")
    stages = parse_dockerfile(dockerfile)
    named = {stage["name"]: stage for stage in stages if stage["name"]}
    report({"model", "schemad", "app"} <= set(named),
           f"{folder}/Dockerfile has the stages model, schemad and app (FROM ... AS)", sorted(named))
    if not {"model", "schemad", "app"} <= set(named):
        return
    model, schemad, app = named["model"], named["schemad"], named["app"]
    image = parse_dockerfile(os.path.join(root, "docker", "Dockerfile"))[-1]
    image_binary = image["entrypoint"][0]
    image_port = image["env"]["SCHEMAD_HTTP_LISTEN"].rpartition(":")[2]

    # model: the export, run with the files it needs.
    stage, args = example_export(stages)
    report(stage is model, "the model stage runs python3 -m schemad_sqlalchemy",
           stage and stage["name"])
    if stage is not model:
        return
    target, output = export_target_and_output(args)
    report("--strict" in args, "the export runs with --strict (what the model cannot express fails "
           "the build)", args)
    report(output is not None and output.startswith("/"), "the export writes to an absolute -o FILE",
           output)
    files = stage_files(model, root)
    module = (target or "").partition(":")[0].replace(".", "/")
    wanted = {f"{module}.py": f"{folder}/{module}.py",
              f"{os.path.dirname(module)}/__init__.py": f"{folder}/{os.path.dirname(module)}/__init__.py",
              "schemad_sqlalchemy/__main__.py": "schemad-sqlalchemy/schemad_sqlalchemy/__main__.py"}
    for inside, source in wanted.items():
        report(files.get(inside) == source,
               f"the model stage copies {source} to {inside} in its WORKDIR ({model['workdir']})",
               files.get(inside))
    attribute = (target or "").partition(":")[2]
    report(attribute != "" and re.search(rf"^{re.escape(attribute)}\s*=", open(
        os.path.join(here, module + ".py"), encoding="utf-8").read(), re.M) is not None,
        f"the export's target {target} names an attribute {module}.py defines")
    imported = python_imports(os.path.join(here, module + ".py"))
    report(imported <= {"sqlalchemy"}, f"{module}.py imports only sqlalchemy (the export needs "
           "nothing else)", sorted(imported))
    package_init = os.path.join(here, os.path.dirname(module), "__init__.py")
    report(not python_imports(package_init), f"{os.path.dirname(module)}/__init__.py imports nothing "
           "(importing the models must not import FastAPI)", sorted(python_imports(package_init)))
    pins = [line.strip() for line in open(os.path.join(here, "requirements.txt"))
            if re.match(r"\s*sqlalchemy\b", line, re.I)]
    report(any("pip install -c requirements.txt" in run and re.search(r"\bsqlalchemy\b", run, re.I)
               for run in model["run"]) and len(pins) == 1,
           "the model stage installs SQLAlchemy within requirements.txt's bounds (pip install -c)", pins)
    try:
        import sqlalchemy

        bounds = re.sub(r"(?i)^sqlalchemy", "", pins[0]) if pins else ""
        report(bool(bounds) and satisfies(sqlalchemy.__version__, bounds),
               f"requirements.txt's SQLAlchemy{bounds} admits the SQLAlchemy the export is checked "
               f"with here ({sqlalchemy.__version__})")
    except ImportError:
        report(False, "python3-sqlalchemy is installed")

    # schemad: the schemad image, the model where it reads it, the versions folder.
    global_args = dockerfile_global_args(dockerfile)
    base = re.fullmatch(r"\$\{?(\w+)\}?", schemad["base"])
    report(base is not None and global_args.get(base.group(1)) is not None,
           f"the schemad stage starts FROM a build argument with a default "
           f"({schemad['base']}: {base and global_args.get(base.group(1))})")
    model_path = image["env"].get("SCHEMAD_MODEL")
    copied = [c for c in schemad["copy"] if c["from"] == "model"]
    report(any(c["sources"] == [output] and c["dest"] == model_path for c in copied),
           f"the schemad stage copies the exported {output} to the image's SCHEMAD_MODEL ({model_path})",
           copied)
    report(schemad["entrypoint"] is None and schemad["user"] is None and schemad["healthcheck"] is None,
           "the schemad stage keeps the image's ENTRYPOINT, USER and HEALTHCHECK")
    command = schemad["cmd"] or []
    versions = command[command.index("--versions-dir") + 1] if "--versions-dir" in command[:-1] else None
    report(command[-1:] == ["run"] and versions is not None,
           "the schemad stage's CMD is run with --versions-dir", command)
    report(any(c["sources"] == [f"{folder}/alembic/versions/"] and
               os.path.normpath(c["dest"]) == os.path.normpath(versions or "")
               for c in schemad["copy"] if not c["from"]),
           f"the schemad stage copies {folder}/alembic/versions/ to its --versions-dir ({versions})")

    # app: requirements.txt, uvicorn app.main:app.
    app_files = stage_files(app, root)
    report(any("pip install -r requirements.txt" in run for run in app["run"])
           and app_files.get("requirements.txt") == f"{folder}/requirements.txt",
           "the app stage installs requirements.txt")
    cmd = app["cmd"] or []
    report(cmd[:2] == ["uvicorn", "app.main:app"] and app_files.get("app/main.py") == f"{folder}/app/main.py",
           "the app stage runs uvicorn app.main:app, with app/ copied", cmd)
    port = cmd[cmd.index("--port") + 1] if "--port" in cmd[:-1] else None
    report(port is not None and port in app["expose"], f"the app stage EXPOSEs uvicorn's port {port}")
    report(app["user"] is not None and app["user"].split(":")[0] not in ("0", "root"),
           "the app stage runs as a non-root USER", app["user"])

    # Dockerfile.dockerignore: the context is the repository root.
    ignore = os.path.join(here, "Dockerfile.dockerignore")
    patterns = [l.strip() for l in open(ignore) if l.strip() and not l.startswith("#")] \
        if os.path.isfile(ignore) else []
    report(patterns[:1] == ["*"], f"{folder}/Dockerfile.dockerignore starts by leaving everything out",
           patterns[:1])
    report("**/__pycache__" in patterns, "Dockerfile.dockerignore leaves out **/__pycache__")
    allowed = [p[1:].rstrip("/") for p in patterns if p.startswith("!")]
    for stage in stages:
        for copy in stage["copy"]:
            if copy["from"]:
                continue
            for source in copy["sources"]:
                source = source.rstrip("/")
                report(os.path.exists(os.path.join(root, source)) and
                       any(source == a or source.startswith(a + "/") for a in allowed),
                       f"COPY {source} ({stage['name']}): exists and Dockerfile.dockerignore lets it in")

    # compose.yaml
    path = os.path.join(here, "compose.yaml")
    try:
        (compose,) = load_yaml_documents(path)
    except Exception as e:  # noqa: BLE001 - any parse error is the failure
        report(False, f"{folder}/compose.yaml parses", e)
        return
    report(True, f"{folder}/compose.yaml parses")
    services = compose.get("services", {})
    report(set(services) == {"db", "schemad", "app"}, "compose has the services db, schemad and app",
           sorted(services))
    db, sidecar, service = (services.get(n, {}) for n in ("db", "schemad", "app"))
    report(str(db.get("image", "")).startswith("postgres:15") and "test" in db.get("healthcheck", {}),
           "db is postgres:15 with a healthcheck")
    report(sidecar.get("depends_on", {}).get("db", {}).get("condition") == "service_healthy",
           "schemad waits for a healthy db")
    report(service.get("depends_on", {}).get("schemad", {}).get("condition") == "service_healthy",
           "app waits for a healthy schemad (its tables exist)")
    for name, svc in (("schemad", sidecar), ("app", service)):
        build = svc.get("build", {})
        context = os.path.normpath(os.path.join(here, build.get("context", ".")))
        built_from = os.path.normpath(os.path.join(context, build.get("dockerfile", "Dockerfile")))
        report(context == os.path.normpath(root) and built_from == os.path.normpath(dockerfile),
               f"{name} is built from {folder}/Dockerfile with the repository root as context",
               f"context {context}, dockerfile {built_from}")
        report(build.get("target") == name and name in named,
               f"{name} is built from the Dockerfile's stage {name}", build.get("target"))
    unknown = sorted(set(sidecar.get("build", {}).get("args", {})) - set(global_args))
    report(not unknown, "schemad's build args are ARGs of the Dockerfile", unknown)
    test = sidecar.get("healthcheck", {}).get("test", [])
    report(test == ["CMD", image_binary, "probe", "--url", f"http://127.0.0.1:{image_port}/readyz"],
           f"schemad's healthcheck probes /readyz with the image's {image_binary}", test)
    secrets = compose.get("secrets", {})
    for name, svc, variable in (("schemad", sidecar, "SCHEMAD_DATABASE_PASSWORD_FILE"),
                                ("app", service, "DATABASE_PASSWORD_FILE")):
        env = svc.get("environment", {})
        url = env.get("DATABASE_URL", "")
        report(url != "" and "PASSWORD" not in " ".join(k for k in env if not k.endswith("_FILE"))
               and ":" not in url.split("@")[0].split("//")[-1],
               f"{name}: DATABASE_URL without a password, no password in the environment", url)
        listed = [s if isinstance(s, str) else s.get("source") for s in svc.get("secrets", [])]
        source = secrets.get(listed[0], {}).get("file") if listed else None
        report(len(listed) == 1 and env.get(variable) == f"/run/secrets/{listed[0]}"
               and source is not None and os.path.isfile(os.path.join(here, source)),
               f"{name}: {variable} is the Docker secret {listed[0] if listed else None}, whose file exists",
               f"{env.get(variable)}, file {source}")
    report(sidecar.get("environment", {}).get("DATABASE_URL") ==
           service.get("environment", {}).get("DATABASE_URL"),
           "schemad and app use the same DATABASE_URL")


def print_example_export(dockerfile):
    _, args = example_export(parse_dockerfile(dockerfile))
    if args is None:
        raise SystemExit(f"{dockerfile}: no RUN python3 -m schemad_sqlalchemy ...")
    _, output = export_target_and_output(args)
    print("export_args=(" + " ".join(map(shlex.quote, args)) + ")")
    print("export_output=" + shlex.quote(output or ""))


def print_commands(dockerfile, binary, port):
    runtime = parse_dockerfile(dockerfile)[-1]
    image_binary = runtime["entrypoint"][0]
    image_port = runtime["env"]["SCHEMAD_HTTP_LISTEN"].rpartition(":")[2]

    def local(words):
        words = [binary if w == image_binary else w for w in words]
        return [w.replace(f"127.0.0.1:{image_port}/", f"127.0.0.1:{port}/") for w in words]

    env = dict(runtime["env"])
    host = env["SCHEMAD_HTTP_LISTEN"].rpartition(":")[0]
    env["SCHEMAD_HTTP_LISTEN"] = f"{host}:{port}"
    print("entry=(" + " ".join(map(shlex.quote, local(runtime["entrypoint"] + runtime["cmd"]))) + ")")
    print("health=(" + " ".join(map(shlex.quote, local(runtime["healthcheck"]["cmd"]))) + ")")
    print("image_env=(" + " ".join(shlex.quote(f"{k}={v}") for k, v in env.items()) + ")")


def main(argv):
    command = argv[1] if len(argv) > 1 else ""
    if command == "commands" and len(argv) == 5:
        print_commands(argv[2], argv[3], argv[4])
        return 0
    if command == "dockerfile" and len(argv) == 3:
        print(json.dumps(parse_dockerfile(argv[2]), indent=2))
        return 0
    if command == "docker" and len(argv) == 4:
        check_docker(argv[2], argv[3])
    elif command == "compose" and len(argv) == 3:
        check_compose(argv[2])
    elif command == "k8s" and len(argv) == 3:
        check_k8s(argv[2])
    elif command == "k8s-fleet" and len(argv) == 4:
        check_k8s_fleet(argv[2], argv[3])
    elif command == "example" and len(argv) == 4:
        check_example(argv[2], argv[3])
    elif command == "example-export" and len(argv) == 3:
        print_example_export(argv[2])
        return 0
    else:
        print(__doc__, file=sys.stderr)
        return 2
    return 1 if failed() else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
