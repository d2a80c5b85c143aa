"""The `bulletin` command as a user meets it: whole processes, start-up included.

Start-up (`bulletin --version`, a one-file `convert` to TEI, to DOCX, to every format), what
`import convert` loads and what each import costs, and the archive's throughput and memory
with 1 and 2 processes at two collection sizes.
"""

from __future__ import annotations

import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .measure import NA, ProcessRun, creation_cost_us, median, run_process

#: Modules `import convert` must not load: each belongs to one format or to the archive.
HEAVY = ("reportlab", "ebooklib", "docx", "dask", "distributed", "pikepdf", "bagit")

_IMPORT_PROBE = """
import json, sys, time
before = set(sys.modules)  # what the interpreter and site hooks loaded: not ours
t0 = time.perf_counter()
import convert
t1 = time.perf_counter()
package = set(sys.modules)
import convert.cli
t2 = time.perf_counter()
heavy = set(json.loads(sys.argv[1]))
def loaded(names):
    return sorted({n.split(".")[0] for n in names} & heavy)
def third_party(names):
    tops = {n.split(".")[0] for n in set(names) - before}
    return sorted(t for t in tops if t not in sys.stdlib_module_names and not t.startswith("_")
                  and t != "convert")
print(json.dumps({
    "import_convert_ms": 1000 * (t1 - t0), "import_cli_ms": 1000 * (t2 - t0),
    "heavy_after_import_convert": loaded(package), "heavy_after_import_cli": loaded(sys.modules),
    "modules_after_import_convert": len(package), "modules_after_import_cli": len(sys.modules),
    "third_party_after_import_convert": third_party(package),
    "third_party_after_import_cli": third_party(sys.modules),
}))
"""


def compile_package() -> None:
    """Byte-compile the package and its dependencies, as `make install` (and pip) does:
    start-up is then measured as users meet it, whether or not this shell forbids writing
    bytecode (PYTHONDONTWRITEBYTECODE), and in an environment installed without it."""
    import convert

    compileall.compile_dir(Path(convert.__file__).parent, quiet=1)
    compileall.compile_dir(sysconfig.get_paths()["purelib"], quiet=1, workers=0)


def find_bulletin() -> str | None:
    """The console script of the interpreter running the benchmark, else the one on PATH."""
    beside = Path(sys.executable).with_name("bulletin")
    return str(beside) if beside.exists() else shutil.which("bulletin")


def command_help(bulletin: str, command: str) -> str | None:
    """The --help text of a `bulletin` sub-command, or None when it does not exist yet."""
    try:
        out = subprocess.run([bulletin, command, "--help"], capture_output=True, text=True,
                             timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def _summary(runs: Sequence[ProcessRun]) -> dict[str, Any]:
    walls = [1000 * r.wall_s for r in runs]
    return {"runs": len(runs), "failed": sum(not r.ok for r in runs),
            "median_ms": round(median(walls), 1), "min_ms": round(min(walls), 1),
            "max_ms": round(max(walls), 1),
            "cpu_median_ms": round(median(1000 * r.cpu_s for r in runs), 1),
            "first_error": next((r.stderr_tail for r in runs if not r.ok), None)}


def _import_times(statement: str) -> list[dict[str, Any]]:
    """Every import a statement makes, with its depth and cumulative time (-X importtime)."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", statement],
                         capture_output=True, text=True, timeout=60, check=True)
    rows = []
    for line in out.stderr.splitlines():
        fields = line.removeprefix("import time:").split("|")
        if len(fields) != 3 or not fields[1].strip().isdigit():
            continue  # the header line
        name = fields[2].rstrip()
        rows.append({"module": name.strip(),
                     "depth": (len(name) - len(name.lstrip()) - 1) // 2,  # two spaces a level
                     "cumulative_ms": round(int(fields[1]) / 1000, 1)})
    return rows


def _import_time_top(statement: str = "import convert.cli", top: int = 8) -> list[dict[str, Any]]:
    """The costliest imports a statement makes, two levels deep."""
    rows = [r for r in _import_times(statement) if r["depth"] <= 1]
    return sorted(rows, key=lambda r: r["cumulative_ms"], reverse=True)[:top]


def _command_imports(argv: Sequence[str], top: int = 12) -> list[dict[str, Any]]:
    """The costliest imports of a `bulletin` command as it runs (`-X importtime`)."""
    statement = (f"import sys; sys.argv = {['bulletin', *map(str, argv)]!r}\n"
                 "from convert.cli import main\nmain()")
    return _import_time_top(statement, top)


def _writer_import_ms() -> dict[str, float]:
    """What loading each writer module adds, in the order `--to all` loads them."""
    from convert.writers import ALL, BUILTIN

    modules = [BUILTIN[name].split(":")[0] for name in ALL]
    statement = "import convert.cli\n" + "\n".join(f"import {m}" for m in modules)
    found = {r["module"]: r["cumulative_ms"] for r in _import_times(statement)
             if r["depth"] == 0}
    return {m: found[m] for m in modules if m in found}


#: The one-file conversions timed as whole processes: label -> --to.
ONE_FILE = {"convert_tei": "tei", "convert_docx": "docx", "convert_all": "all"}


def startup_stage(bulletin: str | None, inputs: Sequence[Path], runs: int,
                  work: Path) -> dict[str, Any]:
    """`bulletin --version` and one-file `bulletin convert` whole processes (warm-up runs
    first, a different bulletin each run), and the import probes."""
    probes = [subprocess.run([sys.executable, "-c", _IMPORT_PROBE, json.dumps(HEAVY)],
                             capture_output=True, text=True, timeout=60, check=True)
              for _ in range(runs)]
    found = [json.loads(p.stdout) for p in probes]
    work.mkdir(parents=True, exist_ok=True)
    imports = {**found[0],
               "import_convert_ms": round(median(f["import_convert_ms"] for f in found), 1),
               "import_cli_ms": round(median(f["import_cli_ms"] for f in found), 1),
               "top_imports_of_cli": _import_time_top(),
               "top_imports_of_convert_tei": _command_imports(
                   ["convert", inputs[0], "--to", "tei", "-o", work / "importtime"]),
               "writer_imports_ms": _writer_import_ms()}
    result: dict[str, Any] = {"imports": imports}
    if bulletin is None:
        for key in ("version", *ONE_FILE):
            result[key] = {"status": f"{NA} (no bulletin command)"}
        return result
    warmup = max(1, runs // 5)
    for _ in range(warmup):
        run_process([bulletin, "--version"])
    result["version"] = {"status": "ok",
                         **_summary([run_process([bulletin, "--version"]) for _ in range(runs)])}
    for key, to in ONE_FILE.items():
        timed = []
        for i in range(warmup + runs):  # a different bulletin each time
            out = work / f"{key}-{i}"
            run = run_process([bulletin, "convert", inputs[i % len(inputs)], "--to", to, "-o",
                               out, "-q"])
            if i >= warmup:
                timed.append(run)
        summary = _summary(timed)
        result[key] = {"status": "ok" if not summary["failed"] else
                       f"{NA} (failed: {summary['first_error']})", "warmup": warmup, **summary}
    return result


# --- archive -------------------------------------------------------------------------------

def _collection(generated: Sequence[Path], size: int, work: Path) -> Path:
    """A folder of the first `size` generated bulletins (hard links: no copying)."""
    folder = work / f"collection-{size}"
    if not folder.exists():
        folder.mkdir(parents=True)
        for path in generated[:size]:
            os.link(path, folder / path.name)
    return folder


def archive_stage(bulletin: str | None, generated: Sequence[Path],
                  plan: Sequence[tuple[int, int]], formats: Sequence[str],
                  work: Path) -> dict[str, Any]:
    """`bulletin archive` for each (collection size, jobs) of the plan: rate and peak memory.

    Every run writes a package of its own, and none is deleted before the last run is over
    (see `creation_cost_us`): deleting one run's 16,000 files slowed the next run's driver.
    """
    help_text = command_help(bulletin, "archive") if bulletin else None
    if help_text is None:
        return {"status": f"{NA} (no 'bulletin archive' command yet)"}
    if not formats:
        return {"status": f"{NA} (no writer available)"}
    options = ["--to", ",".join(formats)] if "--to" in help_text else []
    options += ["--quiet"] if "--quiet" in help_text else []
    runs = []
    work.mkdir(parents=True, exist_ok=True)
    try:
        for number, (size, jobs) in enumerate(plan, 1):
            creation = creation_cost_us(work)
            run = run_process([bulletin, "archive", _collection(generated, size, work), "-o",
                               work / f"bag-{number}", "--jobs", str(jobs), *options],
                              sample_tree=True, timeout=1800)
            tree = run.tree
            assert tree is not None
            runs.append({"bulletins": size, "jobs": jobs, "exit_code": run.returncode,
                         "wall_s": round(run.wall_s, 2), "per_s": round(size / run.wall_s, 1),
                         "tree_cpu_s": round(tree.cpu_s, 2),
                         "driver_cpu_s": round(tree.root_cpu_s, 2),
                         "cpu_busy": round(tree.cpu_s / run.wall_s, 2),
                         "waiting_for_cpu_s": round(tree.waiting_s, 2),
                         "processes": tree.peak_processes,
                         "peak_tree_pss_mb": round(tree.peak_pss_mb, 1),
                         "max_process_rss_mb": round(run.max_rss_mb, 1),
                         "file_creation_us": round(creation, 1),
                         "error": None if run.ok else run.stderr_tail})
    finally:
        for entry in work.iterdir():
            if not entry.name.startswith("collection-"):
                shutil.rmtree(entry, ignore_errors=True)
    return {"status": "ok" if all(r["exit_code"] == 0 for r in runs) else "failures",
            "formats": list(formats), "options": options, "runs": runs, **_derived(runs)}


def _derived(runs: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Speed-up of 2 processes over 1 and memory growth with size (2 processes).

    The speed-up is the mean rate of the 2-process runs over the mean rate of the 1-process
    runs at the largest size that has both; a plan that runs them in the order 1, 2, 2, 1
    cancels a drift of the machine's speed during the runs, and more pairs average out its
    noise (on this VM the same run's CPU time varies by up to 10 %). The ratios of the pairs,
    in order, show that noise.
    """
    rates: dict[tuple[int, int], list[float]] = {}
    memory: dict[int, float] = {}
    for r in runs:
        rates.setdefault((r["bulletins"], r["jobs"]), []).append(r["per_s"])
        if r["jobs"] == 2:
            memory[r["bulletins"]] = max(memory.get(r["bulletins"], 0.0), r["peak_tree_pss_mb"])
    rate = {key: statistics.fmean(values) for key, values in rates.items()}
    derived: dict[str, Any] = {}
    if both := [size for size, jobs in rate if jobs == 1 and (size, 2) in rate]:
        size = max(both)
        derived["speedup_2_over_1"] = round(rate[(size, 2)] / rate[(size, 1)], 2)
        derived["speedup_at"] = size
        derived["speedup_runs"] = [len(rates[(size, 1)]), len(rates[(size, 2)])]
        derived["speedup_pairs"] = [round(two / one, 2) for one, two in
                                    zip(rates[(size, 1)], rates[(size, 2)], strict=False)]
    if len(memory) >= 2:
        small, large = min(memory), max(memory)
        derived["memory_growth"] = round(memory[large] / memory[small], 2)
        derived["memory_sizes"] = [small, large]
    if (largest := max((s for s, j in rate if j == 2), default=None)) is not None:
        derived["rate_2_jobs"] = round(rate[(largest, 2)], 1)
        derived["rate_2_jobs_at"] = largest
    return derived
