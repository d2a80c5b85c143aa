"""bulletin-convert: news bulletins to a canonical XML master, renditions and archives.

The public API is small: `parse` and `parse_file` (text or canonical XML -> canonical
documents), `validate` (a document -> messages), `convert` (inputs -> rendition files),
`archive` (a collection -> a BagIt package) and `verify` (a package -> messages). Heavy
modules are imported only when a function needs them, so `import convert` stays fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.6.0"

__all__ = ["__version__", "archive", "convert", "parse", "parse_file", "validate", "verify"]

_LAZY = {
    "parse": "convert.pipeline:parse",
    "parse_file": "convert.pipeline:parse_file",
    "validate": "convert.schema:validate",
    "convert": "convert.pipeline:convert",
    "archive": "convert.archiving:archive",
    "verify": "convert.archiving:verify",
}

if TYPE_CHECKING:
    from .archiving import archive, verify
    from .pipeline import convert, parse, parse_file
    from .schema import validate


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def __getattr__(name: str) -> Any:
    spec = _LAZY.get(name)
    if spec is None:
        raise AttributeError(f"module 'convert' has no attribute {name!r}")
    import importlib

    module_name, _, attr = spec.partition(":")
    value = getattr(importlib.import_module(module_name), attr)
    globals()[name] = value
    return value
