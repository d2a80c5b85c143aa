"""`python -m benchmarks.site [--bulletins N] [--added M] [--work DIR]`: the static site at scale.

Generates N distinct bulletins (benchmarks/corpus.py), archives them (`bulletin archive --to
html`), then measures `bulletin site`: bulletins per second, peak memory, the search index's
size per bulletin, a rebuild that changes nothing, and a rebuild after M more bulletins arrive
in a second package (files written against files kept); and, when Playwright and Debian's
Chromium are there, the time of a first search in the site opened from file://. Prints one
JSON object and writes it to benchmarks/results/site-N.json (or --out). Not part of `python -m
benchmarks` (the archive of N bulletins dominates its time: about a minute per 10,000 on two
cores); `--work DIR` keeps the packages for the next run with the same numbers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .__main__ import RESULTS
from .commands import find_bulletin
from .corpus import Generator
from .measure import run_process, work_folder


@dataclass(frozen=True)
class Run:
    wall_s: float
    max_rss_mb: float
    summary: dict[str, Any]


def _site(bulletin: str, packages: list[Path], site: Path) -> Run:
    """`bulletin site PACKAGE... -o SITE --json`: its summary, wall time and peak memory."""
    argv = [bulletin, "site", *map(str, packages), "-o", str(site), "--json"]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError(err.read().decode("utf-8", "replace")[-2000:])
        summary = json.loads(out.read().decode().splitlines()[-1])
    return Run(wall, usage.ru_maxrss / 1024, summary)


def _bytes(folder: Path, *, skip: str | None = None) -> int:
    """The bytes of the files under `folder` (but those under a folder named `skip`). Walked
    folder by folder: the later commands are started from this process, and a child's peak
    memory as the kernel reports it includes this process's size when it was forked (rglob
    over 100,000 files left it at 178 MB, which every rebuild then appeared to use)."""
    total = 0
    for top, folders, files in os.walk(folder):
        if skip in folders:
            folders.remove(skip)
        total += sum(os.stat(os.path.join(top, name)).st_size for name in files)
    return total


def first_search(site: Path, word: str) -> dict[str, Any]:
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return {"status": "n/a (no playwright)"}
    if chromium is None:
        return {"status": "n/a (no chromium)"}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        tab = browser.new_page()
        started = time.perf_counter()
        tab.goto((site / "index.html").as_uri())
        tab.wait_for_selector("#q:enabled")
        opened = time.perf_counter() - started
        tab.fill("#q", word)
        started = time.perf_counter()
        tab.press("#q", "Enter")
        tab.wait_for_selector("#results[data-state=done]", timeout=60000)
        wall = time.perf_counter() - started
        result = {"word": word, "index_opened_ms": round(1000 * opened),
                  "first_search_ms": round(1000 * wall),
                  "in_page_ms": int(tab.get_attribute("#results", "data-ms") or -1),
                  "status_line": tab.inner_text("#search-status")}
        browser.close()
    return result


def packages(bulletin: str, work: Path, bulletins: int, added: int) -> dict[str, Any]:
    """Generate `bulletins` + `added` inputs and archive them in two packages (package-a and
    package-b) in `work`; returns the archive times. Packages a previous run left in `work`
    for the same numbers are used again (their archive times as that run recorded them)."""
    record = work / "packages.json"
    wanted = {"bulletins": bulletins, "added": added}
    if record.is_file():
        done = json.loads(record.read_text())
        if {k: done.get(k) for k in wanted} == wanted:
            return dict(done["archive_s"])
    for old in ("inputs", "inputs-a", "inputs-b", "package-a", "package-b", "site"):
        shutil.rmtree(work / old, ignore_errors=True)
    generated = Generator().write(work / "inputs", bulletins + added, None)
    first, later = work / "inputs-a", work / "inputs-b"
    for folder, paths in ((first, generated[:bulletins]), (later, generated[bulletins:])):
        folder.mkdir()
        for path in paths:
            path.rename(folder / path.name)
    archived = {}
    for folder, package in ((first, work / "package-a"), (later, work / "package-b")):
        run = run_process([bulletin, "archive", folder, "-o", package, "--to", "html",
                           "--quiet"], timeout=7200)
        if run.returncode not in (0, 1):  # 1: some inputs quarantined, the rest archived
            raise RuntimeError(run.stderr_tail)
        archived[package.name] = round(run.wall_s, 1)
    record.write_text(json.dumps(wanted | {"archive_s": archived}))
    return archived


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.site", description=__doc__)
    ap.add_argument("--bulletins", type=int, default=10_000)
    ap.add_argument("--added", type=int, default=100)
    ap.add_argument("--work", type=Path, help="a folder for inputs, packages and sites "
                    "(default: a temporary one, removed at the end)")
    ap.add_argument("--word", default="canal", help="the word of the first search")
    ap.add_argument("--out", type=Path, help="where to write the results (default: "
                    "benchmarks/results/site-N.json)")
    ap.add_argument("--packages-only", action="store_true", help="only generate and archive "
                    "the packages into --work, for later runs to use again")
    args = ap.parse_args(argv)
    bulletin = find_bulletin()
    if bulletin is None:
        print("no `bulletin` command: install the project first", file=sys.stderr)
        return 2
    with work_folder(args.work, "bench-site-") as work:
        archived = packages(bulletin, work, args.bulletins, args.added)
        if args.packages_only:
            print(json.dumps({"archive_s": archived}, indent=2))
            return 0
        site = work / "site"
        shutil.rmtree(site, ignore_errors=True)  # a fresh build first
        load = round(os.getloadavg()[0], 2)
        run = _site(bulletin, [work / "package-a"], site)
        n = run.summary["bulletins"]
        search = site / "search"
        index_bytes = _bytes(search, skip="text")
        report: dict[str, Any] = {
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "cpus_usable": len(os.sched_getaffinity(0)), "load_average_at_start": load,
            "bulletins": n, "archive_s": archived,
            "build": {"wall_s": round(run.wall_s, 2), "per_s": round(n / run.wall_s, 1),
                      "max_rss_mb": round(run.max_rss_mb, 1), "files": run.summary["written"]},
            "search_index": {"bytes_per_bulletin": round(index_bytes / n),
                             "text_bytes_per_bulletin": round(_bytes(search / "text") / n),
                             "segments": sum(1 for p in search.iterdir() if p.is_dir()
                                             and p.name != "text")},
            "catalog_sqlite_bytes_per_bulletin": round((site / "catalog.sqlite").stat().st_size
                                                        / n),
        }
        run = _site(bulletin, [work / "package-a"], site)
        report["rebuild_unchanged"] = {"wall_s": round(run.wall_s, 2),
                                       "max_rss_mb": round(run.max_rss_mb, 1),
                                       "written": run.summary["written"],
                                       "unchanged": run.summary["unchanged"]}
        run = _site(bulletin, [work / "package-a", work / "package-b"], site)
        report["rebuild_added"] = {"added": run.summary["bulletins"] - n,
                                   "wall_s": round(run.wall_s, 2),
                                   "max_rss_mb": round(run.max_rss_mb, 1),
                                   "written": run.summary["written"],
                                   "unchanged": run.summary["unchanged"],
                                   "removed": run.summary["removed"]}
        report["first_search"] = first_search(site, args.word)
        report["load_average_at_end"] = round(os.getloadavg()[0], 2)
        text = json.dumps(report, indent=2)
        print(text)
        out = args.out or RESULTS / f"site-{args.bulletins}.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
