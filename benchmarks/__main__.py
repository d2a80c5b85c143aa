"""`python -m benchmarks [--quick] [--out DIR]`: run every benchmark, print and save the report.

The full run takes about a quarter of an hour (pandoc converting 2,000 bulletins one process at
a time takes minutes) and writes benchmarks/results/latest.json and latest.md; the quick run
(small counts, seconds) is what the test suite runs so the harness cannot rot, and writes to a
temporary folder unless --out is given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from . import commands, corpus, long, measure, peers, report, stages, whole

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Config:
    """How many inputs each measurement uses."""

    generated: int  # distinct generated bulletins: the parse set and the archive's source
    repeats: int  # in-process passes over the parse set (the median is kept)
    writer_docs: int
    whole: dict[int, whole.Plan]  # collection size -> runs of the whole commands
    startup_runs: int
    archive_plan: tuple[tuple[int, int], ...]  # (collection size, jobs)
    parallel_items: int  # inputs each process converts when measuring the machine's speed-up
    scaling: dict[int, int] = field(default_factory=dict)  # length factor -> bulletins
    profile_docs: int = 0
    long_units: tuple[int, ...] = ()  # one long bulletin of each length, in units (see corpus)


FULL = Config(generated=2000, repeats=3, writer_docs=500,
              whole={120: whole.Plan(runs=5, peer_runs=3, warmup=1),
                     2000: whole.Plan(runs=2, peer_runs=1, warmup=0, jobs_pairs=3,
                                       ceiling_items=200)},
              startup_runs=15,
              archive_plan=((500, 2), (2000, 1), (2000, 2), (2000, 2), (2000, 1), (2000, 1),
                            (2000, 2)),
              parallel_items=200,
              scaling={1: 160, 4: 40, 16: 10}, profile_docs=2000,
              long_units=(9, 170, 1700, 17000))  # 10 KB, 200 KB, 2 MB, 20 MB
QUICK = Config(generated=100, repeats=1, writer_docs=20,
               whole={6: whole.Plan(runs=1, peer_runs=1, warmup=0),
                      12: whole.Plan(runs=1, peer_runs=1, warmup=0, jobs_pairs=1,
                                     ceiling_items=4)},
               startup_runs=3, archive_plan=((10, 2), (25, 1), (25, 2), (25, 2), (25, 1)),
               parallel_items=4,
               scaling={1: 8, 4: 2, 16: 1}, profile_docs=100, long_units=(9, 170))

SECTIONS = ("whole", "startup", "parse", "writers", "archive", "scaling", "long", "profile")


class Run:
    """Runs the sections one by one, noting the load and keeping a failing section's error."""

    def __init__(self, skip: set[str]) -> None:
        self.skip = skip
        self.sections: dict[str, Any] = {}
        self.loads = [os.getloadavg()[0]]
        self.busy: dict[str, dict[str, float]] = {}  # section -> seconds, machine's busy cores
        self.start = time.perf_counter()

    def section(self, name: str, fn: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        self.loads.append(os.getloadavg()[0])
        if name in self.skip:
            result: dict[str, Any] = {"status": "n/a (skipped)"}
        else:
            reference = measure.reference_ms()
            began, cpu = time.perf_counter(), measure.machine_cpu()
            print(f"benchmarks: {name} ...", file=sys.stderr, flush=True)
            try:
                result = fn()
            except Exception as exc:  # one broken stage must not hide the others' figures
                traceback.print_exc()
                result = {"status": f"n/a (benchmark error: {type(exc).__name__}: {exc})"}
            took = time.perf_counter() - began
            self.busy[name] = {"seconds": round(took, 1), "machine_busy_cores": round(
                measure.busy_cores(cpu, measure.machine_cpu()), 2),
                "reference_ms": round(reference, 2)}
            print(f"benchmarks: {name} done in {took:.1f} s", file=sys.stderr, flush=True)
        self.sections[name] = result
        return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small counts (CI): well under 30 s")
    ap.add_argument("--out", type=Path, help="folder for latest.json and latest.md "
                    "(default: benchmarks/results, or a temporary folder with --quick)")
    ap.add_argument("--seed", type=int, default=1, help="seed of the generated bulletins")
    ap.add_argument("--work", type=Path, help="folder for the generated inputs and the outputs "
                    "(default: the system's temporary folder); archive figures depend on the "
                    "file system: creating files is several times dearer in some folders")
    ap.add_argument("--skip", default="", help=f"comma-separated sections to skip: "
                    f"{', '.join(SECTIONS)}")
    args = ap.parse_args(argv)
    cfg = QUICK if args.quick else FULL
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if unknown := skip - set(SECTIONS):
        ap.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    out = args.out or (Path(tempfile.mkdtemp(prefix="bench-")) if args.quick else RESULTS)

    pandoc, pandoc_from = peers.find_pandoc()
    soffice = shutil.which("soffice")
    bulletin = commands.find_bulletin()
    commands.compile_package()
    env = report.environment(
        pandoc and peers.version_line([pandoc, "--version"]), pandoc_from,
        soffice and peers.version_line([soffice, "--version"]))

    run = Run(skip)
    if args.work:  # absolute: LibreOffice takes its profile folder as a file: URI
        args.work = args.work.resolve()
        args.work.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bulletin-bench-", dir=args.work) as tmp:
        work = Path(tmp)
        print(f"benchmarks: generating {cfg.generated:,} bulletins in {work}", file=sys.stderr)
        gen = corpus.Generator(seed=args.seed)
        generated = gen.write(work / "generated", cfg.generated, corpus.parsed_shape)
        long_sets = {f: gen.write_long(work / f"long-{f}", n, f) for f, n in cfg.scaling.items()}
        long_inputs = [gen.write_long(work / f"long-input-{u}", 1, u)[0] for u in cfg.long_units]
        corpus_inputs = stages.read_inputs(corpus.corpus_files())
        inputs = stages.read_inputs(generated)
        docs, _ = stages.parsed(inputs)
        warm = stages.parsed(corpus_inputs[:1])[0][0]

        run.section("whole", lambda: whole.whole_stage(
            bulletin, pandoc, soffice, {size: generated[:size] for size in cfg.whole},
            cfg.whole, work / "whole"))
        run.section("startup", lambda: commands.startup_stage(
            bulletin, generated[::-1], cfg.startup_runs, work / "startup"))
        run.section("parse", lambda: stages.parse_stage(corpus_inputs, inputs, cfg.repeats))
        writers = run.section("writers",
                              lambda: stages.writers_stage(docs[:cfg.writer_docs], warm))
        formats = [n for n in ("tei", "epub", "docx", "pdf")
                   if writers.get(n, {}).get("status") == "ok"]
        run.section("archive", lambda: commands.archive_stage(
            bulletin, generated, cfg.archive_plan, formats, work / "archive") | {
            "parallel": stages.parallel_stage(inputs, formats, cfg.parallel_items)})
        run.section("scaling", lambda: stages.scaling_stage(
            {f: stages.read_inputs(p) for f, p in long_sets.items()}, max(cfg.repeats, 3)))
        run.section("long", lambda: long.long_stage(bulletin, long_inputs, work / "long"))
        run.section("profile",
                    lambda: stages.profile_stage(inputs[:cfg.profile_docs], cfg.repeats))

    run.loads.append(os.getloadavg()[0])
    ratios = report.ratios(run.sections)
    ratios_cpu = report.ratios(run.sections, "cpu_ratio")
    result = {
        "mode": "quick" if args.quick else "full", "config": asdict(cfg) | {"seed": args.seed},
        "environment": env | {"work_folder": str(args.work or tempfile.gettempdir())},
        "elapsed_s": round(time.perf_counter() - run.start, 1),
        "load_average": {"start": run.loads[0], "max": max(run.loads), "end": run.loads[-1]},
        "machine_busy": run.busy,
        "ratios": ratios, "ratios_cpu": ratios_cpu, "sections": run.sections,
    }
    result["targets"] = report.targets({**run.sections, "ratios": ratios})
    js, md = report.write(result, out)
    print(report.markdown(result))
    print(f"benchmarks: wrote {js} and {md}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
