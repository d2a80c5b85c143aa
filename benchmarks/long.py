"""One long bulletin, 10 KB to 20 MB: cost per megabyte and memory as the input grows.

Each size is measured twice, in fresh processes: `bulletin convert FILE --to all` timed from
outside as a user runs it (with the peak memory of its processes), and the stages one after
another in a process of their own (`python -m benchmarks.long FILE JSON`: parse, validate,
then each writer), so that one size's memory does not count against the next and the stages'
high-water marks are those of a run that starts clean.
"""

from __future__ import annotations

import io
import json
import resource
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .measure import NA, run_process

ROOT = Path(__file__).resolve().parent.parent
MB = 1e6


def _rss_mb() -> float:
    """This process's peak resident memory so far: the high-water mark of its own image
    (VmHWM; ru_maxrss would include the size of the benchmark that started it, see
    measure.GNU_TIME)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux


def measure_stages(path: Path) -> dict[str, Any]:
    """Parse, validate and each writer of `ALL` on one input, in this process: seconds, s/MB
    and the peak memory after each stage. The writers are imported and warmed on a corpus
    bulletin first (fonts, templates): a one-off cost, not one that grows with the input."""
    from convert import parse, writers
    from convert.schema import validate

    from . import corpus, stages

    chosen = {name: writers.get(name) for name in writers.ALL}
    for warm in stages.parsed(stages.read_inputs(corpus.corpus_files()[:1]))[0]:
        for w in chosen.values():
            w.write(warm, io.BytesIO(), writers.WriteOptions())
    data = path.read_bytes()
    size = len(data) / MB
    figures: dict[str, Any] = {"input_mb": round(size, 3), "rss_before_mb": round(_rss_mb(), 1)}

    def timed(stage: str, fn: Callable[[], Any]) -> Any:
        wall, cpu = time.perf_counter(), time.process_time()
        out = fn()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        figures[stage] = {"s": round(wall, 3), "cpu_s": round(cpu, 3),
                          "s_per_mb": round(wall / size, 3), "peak_rss_mb": round(_rss_mb(), 1)}
        return out

    doc = timed("parse", lambda: parse(data, name=path.name).documents[0])
    timed("validate", lambda: validate(doc))
    for name, w in chosen.items():
        timed(name, lambda w=w: w.write(doc, io.BytesIO(), writers.WriteOptions()))
    return figures


def _whole(bulletin: str, path: Path, out: Path) -> dict[str, Any]:
    """`bulletin convert FILE --to all -o OUT -q`, a process timed from outside."""
    run = run_process([bulletin, "convert", path, "--to", "all", "-o", out, "-q"],
                      sample_tree=True, timeout=1800)
    if not run.ok:
        return {"status": f"{NA} (failed: {run.stderr_tail[-300:]})"}
    assert run.tree is not None
    size = path.stat().st_size / MB
    # PSS is sampled every 250 ms; the largest process's peak is exact: the larger of the two
    peak = max(run.tree.peak_pss_mb, run.max_rss_mb)
    return {"status": "ok", "s": round(run.wall_s, 2), "cpu_s": round(run.cpu_s, 2),
            "s_per_mb": round(run.wall_s / size, 3), "peak_mb": round(peak, 1),
            "peak_over_input": round(peak / size, 1)}


def _stages(path: Path, work: Path) -> dict[str, Any]:
    """`measure_stages` in a fresh process."""
    found = work / f"{path.stem}.json"
    run = run_process([sys.executable, "-m", "benchmarks.long", path, found], cwd=ROOT,
                      timeout=1800)
    if not run.ok:
        return {"status": f"{NA} (failed: {run.stderr_tail[-300:]})"}
    return {"status": "ok", **json.loads(found.read_text(encoding="utf-8"))}


def long_stage(bulletin: str | None, inputs: Sequence[Path], work: Path) -> dict[str, Any]:
    """Each input (smallest first) as a whole command and stage by stage; then the largest
    input's whole-command cost per MB over the one nearest 200 KB, and its peak memory over
    its size."""
    if bulletin is None:
        return {"status": f"{NA} (no bulletin command)"}
    work.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []
    for path in inputs:
        rows.append({"input_kb": round(path.stat().st_size / 1000),
                     "whole": _whole(bulletin, path, work / f"out-{path.stem}"),
                     "stages": _stages(path, work)})
    result: dict[str, Any] = {"status": "ok", "rows": rows}
    measured = [r for r in rows if r["whole"]["status"] == "ok"]
    if len(measured) >= 2:
        base = min(measured[:-1], key=lambda r: abs(r["input_kb"] - 200))
        last = measured[-1]
        result["cost_per_mb_growth"] = round(last["whole"]["s_per_mb"] /
                                             base["whole"]["s_per_mb"], 2)
        result["growth_sizes_kb"] = [base["input_kb"], last["input_kb"]]
        result["peak_over_input"] = last["whole"]["peak_over_input"]
    return result


if __name__ == "__main__":
    Path(sys.argv[2]).write_text(json.dumps(measure_stages(Path(sys.argv[1]))),
                                 encoding="utf-8")
