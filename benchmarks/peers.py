"""The peers, pandoc and LibreOffice: where they are and which version (whole.py runs them)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence


def find_pandoc() -> tuple[str | None, str]:
    """The pandoc binary from pypandoc-binary (PyPI), else the system's; and where it came from."""
    try:
        import pypandoc

        return pypandoc.get_pandoc_path(), "pypandoc-binary"
    except (ImportError, OSError):
        path = shutil.which("pandoc")
        return path, "system"


def version_line(argv: Sequence[str]) -> str | None:
    """The first line a tool prints for its version, or None when it does not run."""
    try:
        out = subprocess.run(list(argv), capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip().splitlines()[0] if out.stdout.strip() else None
