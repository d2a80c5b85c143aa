"""Whole commands as their users run them, ours beside the peers, timed from outside.

`bulletin convert FOLDER --to ... -o OUT` against pandoc in a shell loop (one process per
bulletin, the way a folder is converted with it) and LibreOffice in one batch call, on the same
bulletins, in the same run: each command is a process timed from its start to its exit, after a
warm-up run, several times (hyperfine's way: median and spread), our runs and theirs taking
turns so that a change in the machine's speed touches both. Every run writes into a folder of
its own, and none is deleted before the section ends (deleting thousands of files made creating
files dearer for minutes on this VM, see measure.creation_cost_us). pandoc reads the Markdown
of our canonical documents (see markdown.py); LibreOffice converts the DOCX files our writer
made of them to PDF.
"""

from __future__ import annotations

import shutil
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from convert import model

from .markdown import to_markdown
from .measure import NA, ProcessRun, creation_cost_us, run_process
from .stages import parallel_stage, read_inputs

#: The conversions compared: (our --to, the peer, the peer's formats).
PAIRS = (("tei,epub", "pandoc", ("tei", "epub")), ("docx", "pandoc", ("docx",)),
         ("pdf", "libreoffice", ("pdf",)))
_EXTENSIONS = {"tei": "tei.xml", "epub": "epub", "docx": "docx", "pdf": "pdf"}


@dataclass(frozen=True)
class Plan:
    """How many runs each command gets, per collection size."""

    runs: int  # timed runs of our commands and of the peers, taking turns
    peer_runs: int  # of those, how many the peers get (a pandoc loop over 2,000 takes minutes)
    warmup: int
    jobs_pairs: int = 0  # pairs of `--to all` runs with 1 and 2 processes (order 1, 2, 2, 1, ...)
    ceiling_items: int = 0  # inputs per process for the machine's own speed-up, beside them


def summary(runs: Sequence[ProcessRun], items: int) -> dict[str, Any]:
    """Median, spread and CPU of timed runs of one command over `items` bulletins."""
    walls = sorted(r.wall_s for r in runs)
    med = statistics.median(walls)
    failed = [r for r in runs if not r.ok]
    return {"status": "ok" if not failed else f"{NA} (failed: {failed[0].stderr_tail[-300:]})",
            "runs": len(runs), "median_s": round(med, 3), "min_s": round(walls[0], 3),
            "max_s": round(walls[-1], 3),
            "spread_pct": round(100 * (walls[-1] - walls[0]) / med, 1) if med else None,
            "cpu_median_s": round(statistics.median(r.cpu_s for r in runs), 3),
            "ms_each": round(1000 * med / items, 3), "walls_s": [round(w, 3) for w in walls]}


class Inputs:
    """One collection in the three shapes the commands read: bulletin texts for ours,
    Markdown for pandoc, DOCX (made by our writer) for LibreOffice."""

    def __init__(self, texts: Sequence[Path], work: Path) -> None:
        from convert import parse

        self.folder = work / "texts"
        self.folder.mkdir(parents=True)
        for path in texts:
            (self.folder / path.name).hardlink_to(path)
        self.docs: list[model.Element] = [
            doc for path in texts for doc in parse(path.read_bytes(), name=path.name).documents]
        self.work = work
        self.files = len(texts)
        self.texts = list(texts)

    def markdown(self) -> Path:
        folder = self.work / "markdown"
        if not folder.exists():
            folder.mkdir()
            for i, doc in enumerate(self.docs):
                (folder / f"{i:05d}.md").write_text(to_markdown(doc), encoding="utf-8")
        return folder

    def docx(self) -> list[Path]:
        from convert.writers import WriteOptions, get

        folder = self.work / "docx"
        if not folder.exists():
            folder.mkdir()
            writer = get("docx")
            for i, doc in enumerate(self.docs):
                with (folder / f"{i:05d}.docx").open("wb") as f:
                    writer.write(doc, f, WriteOptions())
        return sorted(folder.glob("*.docx"))


def _pandoc_loop(pandoc: str, formats: Sequence[str], markdown: Path, out: Path) -> list[str]:
    """A shell loop running pandoc once per bulletin and format (TEI with -s: a whole TEI
    document, as ours is; EPUB and DOCX are always whole)."""
    steps = "; ".join(
        f'"$0" -f markdown -t {fmt} {"-s " if fmt == "tei" else ""}"$f" '
        f'-o "$2/$b.{_EXTENSIONS[fmt]}" || exit 1' for fmt in formats)
    script = f'mkdir -p "$2" && for f in "$1"/*.md; do b=${{f##*/}}; b=${{b%.md}}; {steps}; done'
    return ["sh", "-c", script, pandoc, str(markdown), str(out)]


class Whole:
    """Runs the commands of the section, each into an output folder of its own."""

    def __init__(self, bulletin: str, pandoc: str | None, soffice: str | None,
                 work: Path) -> None:
        self.bulletin = bulletin
        self.pandoc = pandoc
        self.soffice = soffice
        self.work = work
        self.count = 0
        self.profile = work / "lo-profile"

    def _out(self) -> Path:
        self.count += 1
        return self.work / f"out-{self.count:04d}"

    def ours(self, inputs: Inputs, to: str, jobs: int | None = None) -> Callable[[], ProcessRun]:
        def run() -> ProcessRun:
            extra = ["--jobs", str(jobs)] if jobs else []
            return run_process([self.bulletin, "convert", inputs.folder, "--to", to, "-o",
                                self._out(), "-q", *extra], timeout=3600)
        return run

    def peer(self, inputs: Inputs, peer: str, formats: Sequence[str]
             ) -> Callable[[], ProcessRun] | str:
        """A peer's command, or why it cannot run."""
        if peer == "pandoc":
            if self.pandoc is None:
                return f"{NA} (pandoc not found)"
            pandoc, markdown = self.pandoc, inputs.markdown()
            return lambda: run_process(_pandoc_loop(pandoc, formats, markdown, self._out()),
                                       timeout=7200)
        if self.soffice is None:
            return f"{NA} (LibreOffice not found)"
        try:
            docx = inputs.docx()
        except Exception as exc:  # a writer being rewritten may fail in any way
            return f"{NA} (our DOCX writer, which makes LibreOffice's input, failed: {exc})"
        soffice = self.soffice
        base = [soffice, f"-env:UserInstallation={self.profile.as_uri()}", "--headless",
                "--norestore", "--convert-to", "pdf", "--outdir"]
        return lambda: run_process([*base, self._out(), *docx], timeout=7200)

    def pair(self, inputs: Inputs, to: str, peer: str, formats: Sequence[str],
             plan: Plan) -> dict[str, Any]:
        """Ours and the peer's, taking turns; their ratio (their median time over ours)."""
        ours = self.ours(inputs, to)
        theirs = self.peer(inputs, peer, formats)
        for _ in range(plan.warmup):
            ours()
            if not isinstance(theirs, str):
                theirs()
        mine: list[ProcessRun] = []
        peers: list[ProcessRun] = []
        creation: list[float] = []  # what creating a file cost just before each of our runs
        for i in range(plan.runs):
            creation.append(creation_cost_us(self.work, 200))
            mine.append(ours())
            if i < plan.peer_runs and not isinstance(theirs, str):
                peers.append(theirs())
        row: dict[str, Any] = {"to": to, "peer": peer, "bulletins": inputs.files,
                               "documents": len(inputs.docs),
                               "ours": summary(mine, len(inputs.docs)),
                               "file_creation_us": round(statistics.median(creation), 1)}
        row["theirs"] = ({"status": theirs} if isinstance(theirs, str)
                         else summary(peers, len(inputs.docs)))
        if row["ours"]["status"] == "ok" and row["theirs"].get("status") == "ok":
            row["ratio"] = round(row["theirs"]["median_s"] / row["ours"]["median_s"], 2)
            row["cpu_ratio"] = round(row["theirs"]["cpu_median_s"] / row["ours"]["cpu_median_s"],
                                     2)
        return row

    def jobs(self, inputs: Inputs, pairs: int, ceiling_items: int) -> dict[str, Any]:
        """`--to all` with 1 and 2 processes, in the order 1, 2, 2, 1, 1, 2, ... (a drift of
        the machine's speed cancels out); the speed-up is the mean of the pairs' ratios.
        Right after, what the machine gives two processes at that time (other work may hold a
        core): the conversions alone, without driver or files, in 1 and 2 processes."""
        order = [j for n in range(pairs) for j in ((1, 2) if n % 2 == 0 else (2, 1))]
        runs: dict[int, list[ProcessRun]] = {1: [], 2: []}
        for jobs in order:
            runs[jobs].append(self.ours(inputs, "all", jobs)())
        result: dict[str, Any] = {"bulletins": inputs.files, "order": order,
                                  **{f"jobs_{j}": summary(r, len(inputs.docs))
                                     for j, r in runs.items()}}
        if all(r.ok for rs in runs.values() for r in rs):
            ratios = [one.wall_s / two.wall_s for one, two in zip(runs[1], runs[2], strict=True)]
            result["pairs"] = [round(r, 2) for r in ratios]
            result["speedup_2_over_1"] = round(statistics.fmean(ratios), 2)
            result["cpu_1_over_2"] = round(
                statistics.fmean(r.cpu_s for r in runs[1]) /
                statistics.fmean(r.cpu_s for r in runs[2]), 2)
        result["ceiling"] = parallel_stage(read_inputs(inputs.texts[:2 * ceiling_items]),
                                           ("tei", "epub", "docx", "pdf"), ceiling_items)
        return result


def whole_stage(bulletin: str | None, pandoc: str | None, soffice: str | None,
                sets: dict[int, Sequence[Path]], plans: dict[int, Plan],
                work: Path) -> dict[str, Any]:
    """Every pair of whole commands at each collection size, and the jobs comparison."""
    if bulletin is None:
        return {"status": f"{NA} (no bulletin command)"}
    whole = Whole(bulletin, pandoc, soffice, work)
    result: dict[str, Any] = {"status": "ok", "rows": [], "jobs": None}
    try:
        for size, texts in sets.items():
            plan = plans[size]
            inputs = Inputs(texts, work / f"in-{size}")
            for to, peer, formats in PAIRS:
                result["rows"].append(whole.pair(inputs, to, peer, formats, plan))
            if plan.jobs_pairs:
                result["jobs"] = whole.jobs(inputs, plan.jobs_pairs, plan.ceiling_items)
    finally:
        for entry in work.iterdir():
            if entry.name.startswith("out-"):
                shutil.rmtree(entry, ignore_errors=True)
    return result


def row(section: dict[str, Any], bulletins: int, to: str) -> dict[str, Any] | None:
    """The row of `to` at a collection size, if it was measured."""
    return next((r for r in section.get("rows", [])
                 if r["bulletins"] == bulletins and r["to"] == to), None)
