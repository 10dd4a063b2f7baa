"""Find the MetaData that TARGET names: ``module[:attribute]``, or
``path/to/file.py[:attribute]``."""

import importlib
import importlib.util
import os
import sys
import traceback

from sqlalchemy import MetaData


class TargetError(Exception):
    """TARGET cannot be imported or names no MetaData; the message says why."""


def _metadata_of(value):
    """The MetaData that `value` is or holds (a declarative base, a 2.0
    DeclarativeBase subclass, a registry), else None."""
    if isinstance(value, MetaData):
        return value
    held = getattr(value, "metadata", None)
    if isinstance(held, MetaData):
        return held
    return None


def _import_error(what, error):
    """'cannot import X: ValueError: ... (at app/models.py:12)'."""
    frames = traceback.extract_tb(error.__traceback__)
    # The innermost frame of the user's code, not of importlib.
    where = ""
    for frame in reversed(frames):
        if "importlib" not in frame.filename and frame.filename != __file__:
            where = " (at %s:%d)" % (frame.filename, frame.lineno)
            break
    message = "cannot import %s: %s: %s%s" % (what, type(error).__name__, error, where)
    if isinstance(error, ModuleNotFoundError):
        message += (
            "; run from the directory that holds the package, or pass --path DIR"
        )
    return TargetError(message)


def _load_module(spec):
    """Import the module part of TARGET and return (module, source file)."""
    if spec.endswith(".py") or os.sep in spec:
        path = os.path.abspath(spec)
        if not os.path.isfile(path):
            raise TargetError("%s: no such file" % spec)
        directory = os.path.dirname(path)
        if directory not in sys.path:
            sys.path.insert(0, directory)
        name = os.path.splitext(os.path.basename(path))[0]
        module_spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[name] = module
        try:
            module_spec.loader.exec_module(module)
        except Exception as error:  # the user's code: any error at all
            del sys.modules[name]
            raise _import_error(spec, error) from None
        return module, path
    try:
        module = importlib.import_module(spec)
    except Exception as error:
        raise _import_error(spec, error) from None
    return module, getattr(module, "__file__", None) or spec


def load_metadata(target, paths=()):
    """Return (metadata, source) for TARGET; `source` names the module's file
    for messages.  `paths` are prepended to sys.path first."""
    for path in reversed(list(paths)):
        absolute = os.path.abspath(path)
        if absolute not in sys.path:
            sys.path.insert(0, absolute)
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())

    module_part, _, attribute = target.partition(":")
    if not module_part:
        raise TargetError(
            "%r: expected MODULE[:ATTRIBUTE] or FILE.py[:ATTRIBUTE] "
            "(app.models:Base)" % target
        )
    module, source = _load_module(module_part)

    if attribute:
        value = module
        for part in attribute.split("."):
            if not hasattr(value, part):
                raise TargetError(
                    "%s: module %s has no attribute %r"
                    % (target, module.__name__, attribute)
                )
            value = getattr(value, part)
        metadata = _metadata_of(value)
        if metadata is None:
            raise TargetError(
                "%s is a %s, not a MetaData, a declarative base or a registry"
                % (target, type(value).__name__)
            )
        return metadata, source

    # A module: the MetaData it holds, directly or through a declarative base.
    found = {}
    for name in sorted(vars(module)):
        if name.startswith("__"):
            continue
        metadata = _metadata_of(getattr(module, name))
        if metadata is not None:
            found.setdefault(id(metadata), (metadata, []))[1].append(name)
    if not found:
        raise TargetError(
            "%s holds no MetaData and no declarative base; "
            "name one: %s:Base or %s:metadata" % (target, target, target)
        )
    if len(found) > 1:
        names = "; ".join(", ".join(names) for _, names in found.values())
        raise TargetError(
            "%s holds %d different MetaData objects (%s); name one: %s:ATTRIBUTE"
            % (target, len(found), names, target)
        )
    return next(iter(found.values()))[0], source
