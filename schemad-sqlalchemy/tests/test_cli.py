"""`python3 -m schemad_sqlalchemy` as a user runs it: targets, output,
notes, --strict, and the messages of everything that goes wrong."""

import json
import os
import subprocess
import sys
import tempfile
import unittest

PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(PACKAGE_DIR, "tests", "fixtures")


def run(*args, cwd=FIXTURES):
    """Runs the exporter in `cwd` (the fixtures: `shop.models` importable)."""
    env = dict(os.environ, PYTHONPATH=PACKAGE_DIR, PYTHONDONTWRITEBYTECODE="1")
    return subprocess.run(
        [sys.executable, "-m", "schemad_sqlalchemy"] + list(args),
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


class Targets(unittest.TestCase):
    def test_a_declarative_base_by_module_and_attribute(self):
        r = run("shop.models:Base")
        self.assertEqual(r.returncode, 0, r.stderr)
        model = json.loads(r.stdout)
        self.assertEqual([t["name"] for t in model["tables"]], ["customers", "orders"])
        orders = model["tables"][1]
        self.assertEqual(orders["indexes"], [{"name": "ix_orders_customer_id", "columns": ["customer_id"]}])

    def test_the_same_through_a_file_path_and_a_module_without_attribute(self):
        expected = run("shop.models:Base").stdout
        self.assertEqual(run("shop/models.py:Base.metadata").stdout, expected)
        self.assertEqual(run("shop.models").stdout, expected)
        self.assertEqual(run(os.path.join(FIXTURES, "shop", "models.py")).stdout, expected)

    def test_path_makes_a_module_importable_from_elsewhere(self):
        r = run("shop.models:Base", "--path", FIXTURES, cwd=tempfile.gettempdir())
        self.assertEqual(r.returncode, 0, r.stderr)
        missing = run("shop.models:Base", cwd=tempfile.gettempdir())
        self.assertEqual(missing.returncode, 1)
        self.assertIn(
            "schemad_sqlalchemy: error: cannot import shop.models: ModuleNotFoundError: "
            "No module named 'shop'",
            missing.stderr,
        )
        self.assertIn("pass --path DIR", missing.stderr)

    def test_an_error_while_importing_names_the_line(self):
        r = run("broken.py")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(
            r.stderr,
            r"^schemad_sqlalchemy: error: cannot import broken\.py: KeyError: 'timeout' "
            r"\(at .*/fixtures/broken\.py:5\)\n$",
        )
        self.assertEqual(r.stdout, "")

    def test_targets_that_hold_no_metadata_or_several(self):
        several = run("two_metadata")
        self.assertEqual(several.returncode, 1)
        self.assertIn(
            "two_metadata holds 2 different MetaData objects (first; second); "
            "name one: two_metadata:ATTRIBUTE",
            several.stderr,
        )
        self.assertEqual(run("two_metadata:second").returncode, 0)

        wrong = run("plain:answer")
        self.assertEqual(wrong.returncode, 1)
        self.assertIn(
            "plain:answer is a int, not a MetaData, a declarative base or a registry", wrong.stderr
        )
        absent = run("plain:Base")
        self.assertIn("plain:Base: module plain has no attribute 'Base'", absent.stderr)
        none = run("json")
        self.assertIn("json holds no MetaData and no declarative base", none.stderr)
        self.assertIn("no such file", run("nowhere/models.py").stderr)

    def test_usage_errors_exit_2(self):
        self.assertEqual(run().returncode, 2)
        self.assertEqual(run("plain", "--no-such-option").returncode, 2)
        bad = run("plain", "--revision", "a b")
        self.assertEqual(bad.returncode, 2)
        self.assertIn(
            "argument --revision: must be 1 to 32 characters of A-Z, a-z, 0-9, '_', '.', '-', "
            "not 'a b'",
            bad.stderr,
        )


class Output(unittest.TestCase):
    def test_options_go_into_the_model(self):
        r = run("plain", "--revision", "5e6f708192a3", "--schema", "app", "--extension", "pgcrypto",
                "--extension", "citext", "--extension", "pgcrypto")
        self.assertEqual(r.returncode, 0, r.stderr)
        model = json.loads(r.stdout)
        self.assertEqual(model["revision"], "5e6f708192a3")
        self.assertEqual(model["schema"], "app")
        self.assertEqual(model["extensions"], ["citext", "pgcrypto"])

    def test_notes_go_to_standard_error_one_line_each(self):
        r = run("shop.models:Base")
        source = os.path.join(FIXTURES, "shop", "models.py")
        self.assertEqual(
            r.stderr.splitlines(),
            [
                "schemad_sqlalchemy: note: %s: public.orders.quantity: Python-side default=1 has "
                "no server_default; the database gets no default" % source,
            ],
        )

    def test_output_file_is_written_whole_and_strict_leaves_it_alone(self):
        with tempfile.TemporaryDirectory() as directory:
            out = os.path.join(directory, "schema.json")
            r = run("plain", "-o", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout, "")
            with open(out, encoding="utf-8") as f:
                written = f.read()
            self.assertEqual(written, run("plain").stdout)

            strict = run("shop.models:Base", "--strict", "-o", out)
            self.assertEqual(strict.returncode, 1)
            lines = strict.stderr.splitlines()
            self.assertEqual(len(lines), 2)
            self.assertTrue(lines[0].startswith("schemad_sqlalchemy: error: "))
            self.assertEqual(
                lines[1],
                "schemad_sqlalchemy: error: 1 thing(s) the model cannot express (--strict); "
                "nothing written",
            )
            with open(out, encoding="utf-8") as f:
                self.assertEqual(f.read(), written)
            self.assertEqual(os.listdir(directory), ["schema.json"])

            self.assertEqual(run("plain", "--strict").returncode, 0)

    def test_an_unwritable_output_is_an_error(self):
        r = run("plain", "-o", "/nonexistent/dir/schema.json")
        self.assertEqual(r.returncode, 1)
        self.assertIn("schemad_sqlalchemy: error: /nonexistent/dir/schema.json: ", r.stderr)


if __name__ == "__main__":
    unittest.main()
