"""Export a SQLAlchemy MetaData as a schemad model (JSON, format version 1).

    python3 -m schemad_sqlalchemy app.models:Base -o schema.json

The model says what ``metadata.create_all()`` would create on PostgreSQL:
the same types, defaults and constraint names.  What the model format cannot
say is reported, one line each (see ``Note``).  The Python API:

    from schemad_sqlalchemy import export_metadata
    result = export_metadata(Base.metadata, revision="5e6f708192a3")
    result.model   # a dict, ready for json.dumps
    result.notes   # what was left out, and why
"""

from .export import ExportError, ExportResult, Note, export_metadata, model_json
from .target import TargetError, load_metadata

__all__ = [
    "ExportError",
    "ExportResult",
    "Note",
    "TargetError",
    "export_metadata",
    "load_metadata",
    "model_json",
]
__version__ = "0.1.0"
