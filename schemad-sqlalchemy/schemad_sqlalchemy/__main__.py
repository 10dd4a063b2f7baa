"""python3 -m schemad_sqlalchemy TARGET [-o FILE] ... (see --help)."""

import argparse
import os
import re
import sys
import tempfile

from .export import ExportError, export_metadata, model_json
from .target import TargetError, load_metadata

PROG = "schemad_sqlalchemy"

DESCRIPTION = """\
Write the schemad model (JSON, format version 1) of a SQLAlchemy MetaData:
what metadata.create_all() would create on PostgreSQL, with the same types,
server defaults and constraint names. What the model cannot say (a
Python-side default=, a collation, a custom type, ...) is
reported on standard error, one line each."""

EPILOG = """\
TARGET is MODULE[:ATTRIBUTE] or FILE.py[:ATTRIBUTE]; ATTRIBUTE is a
MetaData, a declarative base or a registry (app.models:Base,
app.db:metadata). Without ATTRIBUTE, the module must hold exactly one
MetaData. The current directory is importable, as with python3 -m.

The Alembic revision: --revision REV writes it into the model; otherwise
schemad decides (alembic.versions_dir in its configuration, or
--versions-dir).

Exit status: 0 written; 1 TARGET cannot be imported or exported, or
--strict and something was reported (nothing is written then); 2 usage."""


def revision(text):
    """--revision as the model format allows it (else schemad would refuse
    the model it is written into)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,32}", text):
        raise argparse.ArgumentTypeError(
            "must be 1 to 32 characters of A-Z, a-z, 0-9, '_', '.', '-', not %r" % text
        )
    return text


def parse(argv):
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="TARGET", help="app.models:Base, app/models.py, ...")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the model to FILE (default: standard output)"
    )
    parser.add_argument(
        "--revision",
        type=revision,
        metavar="REV",
        help="the Alembic revision the model corresponds to",
    )
    parser.add_argument(
        "--schema",
        default="public",
        metavar="NAME",
        help="the model's default schema, for tables and enums without one (default: public)",
    )
    parser.add_argument(
        "--extension",
        action="append",
        default=[],
        metavar="NAME",
        help="an extension the model needs (CREATE EXTENSION); repeat for several",
    )
    parser.add_argument(
        "--path",
        action="append",
        default=[],
        metavar="DIR",
        help="put DIR first on the import path; repeat for several",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="what the model cannot express is an error, not a note",
    )
    return parser.parse_args(argv)


def write_atomically(path, text):
    """Replace `path` with `text` whole, or leave it untouched."""
    directory = os.path.dirname(os.path.abspath(path))
    handle, temporary = tempfile.mkstemp(prefix=".schemad-model-", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.unlink(temporary)
        raise


def main(argv=None):
    args = parse(sys.argv[1:] if argv is None else argv)
    try:
        metadata, source = load_metadata(args.target, args.path)
        result = export_metadata(
            metadata, schema=args.schema, revision=args.revision, extensions=args.extension
        )
    except (TargetError, ExportError) as error:
        print("%s: error: %s" % (PROG, error), file=sys.stderr)
        return 1
    label = "error" if args.strict else "note"
    for note in result.notes:
        print("%s: %s: %s: %s" % (PROG, label, source, note), file=sys.stderr)
    if args.strict and result.notes:
        print(
            "%s: error: %d thing(s) the model cannot express (--strict); nothing written"
            % (PROG, len(result.notes)),
            file=sys.stderr,
        )
        return 1
    text = model_json(result.model)
    if args.output and args.output != "-":
        try:
            write_atomically(args.output, text)
        except OSError as error:
            print("%s: error: %s: %s" % (PROG, args.output, error.strerror or error), file=sys.stderr)
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
