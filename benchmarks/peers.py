"""The peers, run in the same session on the same content: pandoc and LibreOffice.

pandoc converts the Markdown form of our canonical documents (see markdown.py) one process per
file, as a user's shell loop would, and once more reading every bulletin from one big file
(its best case). LibreOffice converts many DOCX files to PDF in one call, after a first call
that builds its profile (~3 s, reported apart).
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from convert import model

from .markdown import collection, to_markdown
from .measure import NA, run_many, run_process

FORMATS = {"tei": "tei.xml", "epub": "epub", "docx": "docx"}


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


def _pandoc_argv(pandoc: str, fmt: str, src: Path, dest: Path) -> list[str]:
    # -s for TEI: a whole TEI document, as our writer makes (EPUB and DOCX are always whole).
    standalone = ["-s"] if fmt == "tei" else []
    return [pandoc, "-f", "markdown", "-t", fmt, *standalone, str(src), "-o", str(dest)]


def pandoc_stage(pandoc: str | None, docs: Sequence[model.Element], work: Path) -> dict[str, Any]:
    """pandoc -t tei / epub / docx: one process per file, then one process for all."""
    if pandoc is None:
        return {"status": f"{NA} (pandoc not found)"}
    sources = work / "markdown"
    sources.mkdir(parents=True)
    md_files = []
    for i, doc in enumerate(docs):
        path = sources / f"{i:05d}.md"
        path.write_text(to_markdown(doc), encoding="utf-8")
        md_files.append(path)
    big = work / "collection.md"
    big.write_text(collection(list(docs), "Bulletins"), encoding="utf-8")
    result: dict[str, Any] = {"status": "ok", "files": len(md_files), "outputs": {}}
    for fmt, ext in FORMATS.items():
        out = work / f"pandoc-{fmt}"
        out.mkdir()
        timing, runs = run_many(_pandoc_argv(pandoc, fmt, p, out / f"{p.stem}.{ext}")
                                for p in md_files)
        failed = [r for r in runs if not r.ok]
        one = run_process(_pandoc_argv(pandoc, fmt, big, work / f"collection.{ext}"))
        result[fmt] = {
            "per_file": timing.as_dict(), "failed": len(failed),
            "first_error": failed[0].stderr_tail if failed else None,
            "one_file": {"ok": one.ok, "wall_s": round(one.wall_s, 3),
                         "ms_each": round(1000 * one.wall_s / len(md_files), 3),
                         "cpu_ms_each": round(1000 * one.cpu_s / len(md_files), 3)},
        }
        result["outputs"][fmt] = str(out)
    return result


def libreoffice_stage(soffice: str | None, docx_files: Sequence[Path], source: str,
                      work: Path) -> dict[str, Any]:
    """soffice --convert-to pdf on many DOCX files in one call (after a profile-building call)."""
    if soffice is None:
        return {"status": f"{NA} (LibreOffice not found)"}
    if len(docx_files) < 2:
        return {"status": f"{NA} (no DOCX files to convert)"}
    profile = work / "lo-profile"
    base = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir"]
    warm = run_process([*base, str(work / "lo-warm"), str(docx_files[0])], timeout=300)
    files = list(docx_files[1:])
    out = work / "lo-pdf"
    run = run_process([*base, str(out), *map(str, files)], timeout=1800)
    made = len(list(out.glob("*.pdf"))) if out.exists() else 0
    status = "ok" if run.ok and made == len(files) else f"{NA} (failed: {run.stderr_tail})"
    return {"status": status, "docx_from": source, "files": len(files), "pdfs": made,
            "first_call_s": round(warm.wall_s, 2), "wall_s": round(run.wall_s, 3),
            "ms_each": round(1000 * run.wall_s / len(files), 2),
            "cpu_ms_each": round(1000 * run.cpu_s / len(files), 2)}
