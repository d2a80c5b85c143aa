"""The source distribution carries what its own test suite needs: unpacked anywhere, the suite
collects the same tests as the checkout and the parser's tests pass there."""

from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from conftest import ROOT

#: Files of the checkout that are about the repository, not the project.
REPOSITORY_ONLY = {".gitignore", ".gitattributes"}


def collected(folder: Path) -> int:
    """How many tests pytest collects in `folder` (collection errors fail the call)."""
    out = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                          "-p", "no:cacheprovider"], cwd=folder, capture_output=True,
                         text=True, timeout=300, check=False)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    return sum(1 for line in out.stdout.splitlines() if "::" in line)


@pytest.mark.slow
def test_the_sdist_carries_the_suite_and_the_suite_runs_from_it(
        tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout (an unpacked sdist): the file list comes from git")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split("\n")
    built = subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir",
                            str(tmp_path / "dist"), str(ROOT)], capture_output=True, text=True,
                           timeout=600, check=False)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    (archive,) = (tmp_path / "dist").glob("*.tar.gz")
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "unpacked", filter="data")
    (top,) = (tmp_path / "unpacked").iterdir()
    shipped = {str(p.relative_to(top)) for p in top.rglob("*") if p.is_file()}
    missing = sorted(name for name in tracked if name and name not in REPOSITORY_ONLY
                     and not (ROOT / name).is_symlink() and name not in shipped)
    assert missing == [], f"tracked files the sdist lacks: {missing[:20]}"
    assert collected(top) == collected(ROOT)
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                          "tests/test_parse_corpus.py", "tests/test_schema.py",
                          "tests/test_transforms.py"], cwd=top, capture_output=True, text=True,
                         timeout=600, check=False)
    assert run.returncode == 0, run.stdout[-3000:]
