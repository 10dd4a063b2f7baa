"""The chat service: app.models (SQLAlchemy only) and app.main (FastAPI).

Left empty on purpose: `python3 -m schemad_sqlalchemy app.models:Base` imports
this package, and it must not need FastAPI.
"""
