"""What the packaging check scripts share: one line per check ("ok - ...",
"FAIL - ..."), which tests/packaging/check.sh counts, a small HTTP client
for the daemons they start, psql, and YAML files. The standard library and
python3-yaml only."""

import socket
import subprocess
import urllib.error
import urllib.request

_failed = 0


def report(ok, what, detail=""):
    """Prints the check's line; a failure's detail follows it (indented when
    it spans lines). Returns ok."""
    global _failed
    if ok:
        print("ok - " + what)
        return ok
    _failed += 1
    text = str(detail) if detail else ""
    if "\n" in text:
        print("FAIL - " + what)
        print("    " + text.replace("\n", "\n    "))
    else:
        print("FAIL - " + what + (f": {text}" if text else ""))
    return ok


def failed():
    """How many checks failed so far."""
    return _failed


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=5):
    """(status, headers, body bytes); status None when nothing answered (the
    body is then the error's text, encoded)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()
    except (urllib.error.URLError, OSError) as e:
        return None, {}, str(e).encode()


def psql(url, *sql):
    """psql running each statement with -c, stopping at the first error."""
    args = ["psql", url, "-Xq", "-v", "ON_ERROR_STOP=1"]
    for statement in sql:
        args += ["-c", statement]
    return subprocess.run(args, capture_output=True, text=True)


def load_yaml_documents(path):
    """The documents of a YAML file, empty ones left out."""
    import yaml  # python3-yaml

    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]
