"""The report: the machine and versions, the targets met or not, and a table per stage.

The same dict is written as JSON (for tools) and rendered as Markdown (for the README and the
terminal). Ratios are computed here from figures measured in the same run.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import os
import platform
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .commands import HEAVY

#: Python distributions whose versions the report names.
PACKAGES = ("bulletin-convert", "lxml", "reportlab", "ebooklib", "python-docx", "pikepdf",
            "bagit", "dask", "distributed", "charset-normalizer", "ftfy", "click",
            "pypandoc-binary")


def _cpu_model() -> str | None:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def _version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def environment(pandoc: str | None, pandoc_origin: str, libreoffice: str | None) -> dict[str, Any]:
    """When and where the run happened, and the version of everything it measured."""
    from lxml import etree

    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(), "cpus_usable": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(), "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": {p: _version(p) for p in PACKAGES},
        "libxml2": ".".join(map(str, etree.LIBXML_VERSION)),
        "pandoc": pandoc, "pandoc_from": pandoc_origin, "libreoffice": libreoffice,
    }


# --- targets -------------------------------------------------------------------------------

def _get(data: dict[str, Any], path: str) -> Any:
    """data["a"]["b"]... for "a.b...", or None when any step is missing."""
    for key in path.split("."):
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def ratios(s: dict[str, Any], key: str = "ratio") -> dict[str, float | None]:
    """Their time over ours for each whole-command pair, by "to@size" ("tei,epub@small";
    small and large are the two collection sizes), None when not measured.

    `key` is "ratio" (wall clock, what a user waits for) or "cpu_ratio" (CPU time, less
    disturbed by other work on a shared machine).
    """
    rows = _get(s, "whole.rows") or []
    sizes = sorted({r["bulletins"] for r in rows})
    named = {size: "small" if size == sizes[0] else "large" for size in sizes}
    return {f"{r['to']}@{named[r['bulletins']]}": r.get(key) for r in rows}


Check = Callable[[float], bool]

#: (name, where the figure is in the report, unit, target in words, test).
TARGETS: tuple[tuple[str, str, str, str, Check], ...] = (
    ("whole command, small collection: TEI + EPUB vs pandoc loop", "ratios.tei,epub@small",
     "×", "≥ 20×", lambda v: v >= 20),
    ("whole command, small collection: DOCX vs pandoc loop", "ratios.docx@small", "×", "≥ 15×",
     lambda v: v >= 15),
    ("whole command, large collection, all four: 2 processes / 1",
     "whole.jobs.speedup_2_over_1", "×", "≥ 1.8×", lambda v: v >= 1.8),
    ("`bulletin convert one.txt --to tei`, whole process", "startup.convert_tei.median_ms",
     "ms", "< 250 ms", lambda v: v < 250),
    ("`bulletin convert one.txt --to docx`, whole process", "startup.convert_docx.median_ms",
     "ms", "< 250 ms", lambda v: v < 250),
    ("parse, one core", "parse.generated.parse_only.per_s", "bulletins/s", "≥ 5,000/s",
     lambda v: v >= 5000),
    ("parse + validate, one core", "parse.generated.parse_validate.per_s", "bulletins/s",
     "≥ 2,000/s", lambda v: v >= 2000),
    ("all four renditions, one core, in-process", "writers.all.ms_each", "ms/bulletin",
     "< 40 ms", lambda v: v < 40),
    ("`bulletin --version`", "startup.version.median_ms", "ms", "< 150 ms", lambda v: v < 150),
    ("archive, 2 processes", "archive.rate_2_jobs", "bulletins/s", "≥ 40/s", lambda v: v >= 40),
    ("archive, 2 processes / 1 process", "archive.speedup_2_over_1", "×", "≥ 1.8×",
     lambda v: v >= 1.8),
    ("archive peak memory, large / small collection", "archive.memory_growth", "×",
     "flat (≤ 1.2×)", lambda v: v <= 1.2),
    ("parse cost per word, 16× / 1× length", "scaling.per_word_cost_growth.parse_validate", "×",
     "linear (≤ 1.3×)", lambda v: v <= 1.3),
    ("20 MB input to all formats, cost per MB vs 200 KB input", "long.cost_per_mb_growth", "×",
     "≤ 1.5×", lambda v: v <= 1.5),
    ("peak memory, 20 MB input", "long.peak_over_input", "× input", "≤ 10×",
     lambda v: v <= 10),
)


def _usable(s: dict[str, Any], path: str) -> Any:
    """A figure, unless the section it belongs to says it is not available."""
    section = _get(s, path.rsplit(".", 1)[0])
    status = str(section.get("status", "ok")) if isinstance(section, dict) else "ok"
    if status != "ok":  # "n/a (...)", or runs that exited with failures
        return None
    return _get(s, path)


def targets(s: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    imports = _get(s, "startup.imports.heavy_after_import_convert")
    for name, path, unit, target, check in TARGETS:
        value = _usable(s, path)
        rows.append({"measure": name, "value": value, "unit": unit, "target": target,
                     "met": None if value is None else check(value)})
    rows.append({"measure": "`import convert` loads no format or archive library",
                 "value": ", ".join(imports) if imports else "none", "unit": "",
                 "target": "none", "met": None if imports is None else not imports})
    return rows


# --- writing -------------------------------------------------------------------------------

def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(c) if not isinstance(c, str) else c for c in row) + " |"
              for row in rows]
    return [*lines, ""]


def _status(section: dict[str, Any] | None) -> str | None:
    """The "n/a (...)" text of a section that could not be measured, else None."""
    if not section:
        return "n/a (not measured)"
    status = str(section.get("status", "ok"))
    return status if status.startswith("n/a") else None


def _cell(section: dict[str, Any] | None) -> str | None:
    """`_status` cut to its first words for a table cell: "n/a (not available)"."""
    na = _status(section)
    return re.sub(r"^(n/a \([^:)]*).*$", r"\1)", na, flags=re.S) if na else None


def _notes(sections: dict[str, Any]) -> list[str]:
    """The full reasons behind the "n/a" cells of a table, one bullet each."""
    notes = [f"- {label}: {_status(sec)[:300]}" for label, sec in sections.items()
             if _status(sec)]
    return [*notes, ""] if notes else []


def _ms(section: dict[str, Any] | None, key: str = "ms_each", digits: int = 2) -> str:
    return _cell(section) or _fmt(section.get(key) if section else None, digits)


def _env_lines(r: dict[str, Any]) -> list[str]:
    e = r["environment"]
    versions = ", ".join(f"{k} {v}" for k, v in e["packages"].items() if v)
    load = r["load_average"]
    return [
        f"Run {e['date']} ({r['mode']} mode, {r['elapsed_s']:.0f} s) on {e['cpu_count']} CPUs "
        f"({e['cpu_model'] or 'unknown model'}), {e['platform']}, {e['python']}; inputs and "
        f"outputs in {e.get('work_folder', 'a temporary folder')}.",
        "",
        f"Versions: {versions}; libxml2 {e['libxml2']}; {e['pandoc'] or 'pandoc: not found'} "
        f"({e['pandoc_from']}); {e['libreoffice'] or 'LibreOffice: not found'}.",
        "",
        f"Load: 1-minute load average {load['start']:.2f} at the start, {load['max']:.2f} at "
        f"most, {load['end']:.2f} at the end (a shared machine: other work ran alongside). "
        "Cores the whole machine kept busy during each section (the benchmark itself keeps "
        "about one busy, up to two in the archive runs): " + ", ".join(
            f"{k} {v['machine_busy_cores']:.1f}" for k, v in r["machine_busy"].items()) + ". "
        + _reference_line(r["machine_busy"]) +
        "Ratios are measured in the same run, so they are steadier than absolute times; "
        "CPU times are steadier than wall-clock times.",
        "",
    ]


def _reference_line(busy: dict[str, dict[str, float]]) -> str:
    """How fast the machine ran Python as each section began (see `measure.reference_ms`)."""
    ms = {k: v["reference_ms"] for k, v in busy.items() if "reference_ms" in v}
    if not ms:
        return ""
    return ("A fixed pure-Python workload (the same in every run and version, none of our code) "
            "took, as each section began: " + ", ".join(f"{k} {v:.1f} ms" for k, v in ms.items())
            + " (a slower host shows here: every in-process figure of that section moves with "
            "it). ")


def _parse_rows(p: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for label, part, key, unit in (
        ("corpus, parse + validate", "corpus", "parse_validate", "file"),
        ("generated, parse + validate", "generated", "parse_validate", "file"),
        ("generated, parse only", "generated", "parse_only", "file"),
        ("validate only", "generated", "validate_only_per_document", "document"),
        ("serialize (model.dump)", "generated", "dump_per_document", "document"),
    ):
        t = p[part][key]
        rows.append([label, f"{t['count']:,} {unit}s", _fmt(t["ms_each"], 3),
                     _fmt(t["per_s"], 0), _fmt(t["cpu_ms_each"], 3)])
    return rows


def _writer_rows(w: dict[str, Any]) -> list[list[Any]]:
    rows = []
    for name in ("tei", "epub", "docx", "pdf", "html", "tei+epub", "all"):
        sec = w.get(name)
        label = "all four" if name == "all" else name.upper().replace("+", " + ")
        if _status(sec):
            rows.append([label, _cell(sec), "", "", ""])
        else:
            rows.append([label, _ms(sec), _ms(sec, "cpu_ms_each"),
                         _fmt(sec.get("first_call_ms"), 1), _fmt(sec.get("avg_kb"), 1)])
    return rows


def _startup_lines(st: dict[str, Any]) -> list[str]:
    rows = []
    for label, key in (("`bulletin --version`", "version"),
                       ("`bulletin convert FILE --to tei`", "convert_tei"),
                       ("`bulletin convert FILE --to docx`", "convert_docx"),
                       ("`bulletin convert FILE --to all`", "convert_all")):
        sec = st.get(key, {})
        na = _cell(sec)
        rows.append([label, na or _fmt(sec["median_ms"]),
                     "" if na else f"{_fmt(sec['min_ms'])}–{_fmt(sec['max_ms'])}",
                     "" if na else _fmt(sec["cpu_median_ms"]), "" if na else sec["runs"]])
    imp = st["imports"]

    def top(rows: list[dict[str, Any]]) -> str:
        return ", ".join(f"{t['module']} {t['cumulative_ms']:.1f} ms" for t in rows)

    heavy = ", ".join(imp["heavy_after_import_convert"]) or "none of " + ", ".join(HEAVY)
    cli_heavy = ", ".join(imp["heavy_after_import_cli"]) or "no heavy library"
    return [
        "Whole processes, each on a different bulletin, after warm-up runs (the package "
        "and its dependencies byte-compiled first, as `make install` does).", "",
        *_table(["command (whole process)", "median ms", "min–max ms", "CPU ms", "runs"], rows),
        *_notes({"`bulletin --version`": st.get("version"),
                 **{f"`convert --to {k.split('_')[1]}`": st.get(k) for k in
                    ("convert_tei", "convert_docx", "convert_all")}}),
        f"`import convert`: {imp['import_convert_ms']:.1f} ms, "
        f"{imp['modules_after_import_convert']} modules loaded, {heavy} among them; "
        f"`import convert.cli`: {imp['import_cli_ms']:.1f} ms ({cli_heavy}; third-party "
        f"packages loaded: {', '.join(imp['third_party_after_import_cli']) or 'none'}). "
        f"Costliest imports of `bulletin convert FILE --to tei` as it runs (`-X importtime`, "
        f"cumulative, two levels deep; one run, so noisy): "
        f"{top(imp['top_imports_of_convert_tei'])}. What each writer module adds when "
        "`convert --to all` loads it: " + (", ".join(
            f"{m.rsplit('.', 1)[1]} {ms:.0f} ms" for m, ms in imp["writer_imports_ms"].items())
            or "n/a") + ".",
        "",
    ]


def _archive_lines(a: dict[str, Any]) -> list[str]:
    rows = [[r["bulletins"], r["jobs"], _fmt(r["wall_s"], 1), _fmt(r["per_s"]),
             _fmt(r["tree_cpu_s"], 1), _fmt(r["driver_cpu_s"], 1), _fmt(r["cpu_busy"], 2),
             _fmt(r["waiting_for_cpu_s"], 1), r["processes"],
             _fmt(r["peak_tree_pss_mb"]), _fmt(r["max_process_rss_mb"]),
             _fmt(r["file_creation_us"], 1), r["exit_code"]]
            for r in a["runs"]]
    return [f"Renditions: {', '.join(a['formats'])}; options: {' '.join(a['options']) or 'none'}. "
            "Runs in the order shown, each into a package of its own (none is deleted before "
            "the last run ends). CPU is summed over every process of the run (sampled from "
            "/proc every 250 ms); driver CPU is the `bulletin archive` process itself (it writes "
            "the package while the workers convert); cores busy = CPU / wall time: 2 processes "
            "that keep 2 cores busy show 2.0; waiting for a CPU = time the processes were ready "
            "to run while other work held the cores (from /proc/PID/schedstat). File creation = "
            "CPU µs to create one empty file in the work folder just before the run: on an ext4 "
            "file system without a journal it is 10-30× its usual cost for minutes after many "
            "files were deleted.",
            "",
            *_table(["bulletins", "jobs", "seconds", "bulletins/s", "CPU s", "driver CPU s",
                     "cores busy", "waiting for a CPU s",
                     "processes", "peak memory, all processes (PSS MB)",
                     "largest process (RSS MB)", "file creation µs", "exit"], rows),
            *_speedup_lines(a)]


def _speedup_lines(a: dict[str, Any]) -> list[str]:
    if "speedup_2_over_1" not in a:
        return []
    ones, twos = a["speedup_runs"]
    pairs = ", ".join(f"{r:.2f}×" for r in a.get("speedup_pairs", []))
    lines = [f"Speed-up at {a['speedup_at']:,} bulletins: the mean rate of the {twos} runs with "
             f"2 processes over the mean rate of the {ones} with 1 = "
             f"{a['speedup_2_over_1']:.2f}× (the n-th 2-process run over the n-th 1-process "
             f"run: {pairs})."]
    if par := a.get("parallel"):
        rates = ", ".join(f"{r['jobs']}: {r['per_s']:.1f}/s" for r in par["runs"])
        lines[0] += (f" The same worker function alone (parse, validate, every rendition, "
                     f"PREMIS, hashes; no driver, no files), timed in 1 and 2 processes of "
                     f"{par['runs'][0]['items']} inputs each ({rates}): "
                     f"{par['speedup_2_over_1']:.2f}×, what this machine's two cores allow "
                     "work that shares nothing.")
    return [*lines, ""]


def _scaling_lines(sc: dict[str, Any]) -> list[str]:
    factors = sc["factors"]
    stages = list(next(iter(factors.values()))["stages"])
    header = ["length", "words", *(f"{s} ms (µs/1k words)" for s in stages)]
    def cell(figures: dict[str, Any]) -> str:
        return _cell(figures) or f"{figures['ms_each']:.2f} ({figures['us_per_1000_words']:.0f})"

    rows = [[f, _fmt(row["words_each"]), *(cell(row["stages"][s]) for s in stages)]
            for f, row in factors.items()]
    growth = ", ".join(f"{k} {v:.2f}×" for k, v in sc["per_word_cost_growth"].items())
    return [*_table(header, rows),
            f"Cost per word at the longest length over the shortest: {growth} (1.0 would be "
            "exactly linear; below 1, a fixed cost per document is being spread over more "
            "words; above 1, cost grows faster than length).", ""]


def _long_lines(lg: dict[str, Any]) -> list[str]:
    stages = ("parse", "validate", "tei", "epub", "docx", "pdf")
    rows = []
    for row in lg["rows"]:
        whole, st = row["whole"], row["stages"]
        rows.append([_fmt(row["input_kb"]),
                     _cell(whole) or _fmt(whole["s"], 2), "" if _cell(whole) else
                     _fmt(whole["s_per_mb"], 2), "" if _cell(whole) else _fmt(whole["peak_mb"]),
                     "" if _cell(whole) else f"{whole['peak_over_input']:.1f}×",
                     *((_cell(st),) * len(stages) if _cell(st) else
                       (f"{st[s]['s_per_mb']:.2f} ({st[s]['peak_rss_mb']:.0f})" for s in stages))])
    lines = ["One generated bulletin per size, each in fresh processes: `bulletin convert FILE "
             "--to all -o OUT` timed from outside (peak memory: the larger of the summed PSS of "
             "its processes, sampled every 250 ms, and its largest process's RSS), then parse, "
             "validate and each writer one after another in a process of their own (the writers "
             "imported and warmed first; the peak RSS after each stage includes that process's "
             "imports).", "",
             *_table(["input KB", "whole s", "whole s/MB", "peak MB", "peak / input",
                      *(f"{s} s/MB (peak MB)" for s in stages)], rows),
             *_notes({f"{row['input_kb']} KB": row["whole"] for row in lg["rows"]}
                     | {f"{row['input_kb']} KB, stages": row["stages"] for row in lg["rows"]})]
    if "cost_per_mb_growth" in lg:
        base, last = lg["growth_sizes_kb"]
        lines += [f"Whole command, cost per MB at {last:,} KB over {base:,} KB: "
                  f"{lg['cost_per_mb_growth']:.2f}× (start-up weighs on the small input); peak "
                  f"memory at {last:,} KB: {lg['peak_over_input']:.1f}× the input.", ""]
    return lines


def _split_line(v: dict[str, Any]) -> str:
    if _status(v):
        return f"Validation split: {_status(v)}."
    rest = max(0.0, v["validate"] - v["xsd"] - v["schematron"])  # passes timed apart: noise
    return (f"One validation ({v['documents']:,} documents, timed apart, no profiler): "
            f"{v['validate']:.1f} µs = XSD {v['xsd']:.1f} µs + Schematron XSLT "
            f"{v['schematron']:.1f} µs + the rest of `validate` {rest:.1f} µs.")


def _profile_lines(pr: dict[str, Any]) -> list[str]:
    rows = [[f"`{e['function']}`", e["calls"], _fmt(e["self_ms"]), _fmt(e["self_us_each"]),
             f"{e['self_pct']:.1f} %", _fmt(e["cum_us_each"])] for e in pr["by_self_time"]]
    ours = [[f"`{e['function']}`", e["calls"], _fmt(e["cum_us_each"]), _fmt(e["self_us_each"])]
            for e in pr["ours_by_cumulative_time"]]
    return [
        f"cProfile of parse + validate over {pr['bulletins']:,} generated bulletins: "
        f"{pr['profiled_us_each']:.0f} µs per bulletin under the profiler (which inflates "
        "many small calls: read the shares, not the absolute times).",
        "",
        _split_line(pr["validation_us_each"]),
        "",
        *_table(["function (by own time)", "calls", "own ms", "own µs/bulletin", "share",
                 "with callees µs/bulletin"], rows),
        *_table(["our function (by time with callees)", "calls", "µs/bulletin", "own µs/bulletin"],
                ours),
    ]


def _parse_lines(p: dict[str, Any]) -> list[str]:
    return _table(["input", "count", "ms each", "per second", "CPU ms each"], _parse_rows(p))


def _writer_lines(w: dict[str, Any]) -> list[str]:
    return [*_table(["writer", "ms", "CPU ms", "first call ms", "size KB"], _writer_rows(w)),
            *_notes({n.upper(): w.get(n) for n in ("tei", "epub", "docx", "pdf", "html")})]


_PEERS = {"pandoc": "pandoc, a shell loop: one process per bulletin and format",
          "libreoffice": "LibreOffice, one call: our DOCX → PDF"}


def _span(summary: dict[str, Any]) -> str:
    if len(summary.get("walls_s", [])) < 2:
        return "(1 run)"
    return (f"{summary['min_s']:.2f}–{summary['max_s']:.2f} ({summary['runs']} runs, "
            f"spread {summary['spread_pct']:.0f} %)")


def _whole_lines(w: dict[str, Any], r: dict[str, Any]) -> list[str]:
    rows = []
    for row in w["rows"]:
        ours, theirs = row["ours"], row["theirs"]
        rows.append([f"{row['bulletins']:,} ({row['documents']:,} documents)",
                     f"`--to {row['to']}`",
                     _cell(ours) or _fmt(ours["median_s"], 2), "" if _cell(ours) else _span(ours),
                     _PEERS[row["peer"]], _cell(theirs) or _fmt(theirs["median_s"], 2),
                     "" if _cell(theirs) else _span(theirs),
                     f"**{_fmt(row.get('ratio'), 1)}×**" if row.get("ratio") else "n/a",
                     f"{_fmt(row.get('cpu_ratio'), 1)}×" if row.get("cpu_ratio") else "n/a",
                     _fmt(row.get("file_creation_us"), 0)])
    lines = [
        "Each command is a process timed from outside, from its start to its exit, as a user "
        "waits for it: `bulletin convert FOLDER --to ... -o OUT` (every core; parse and "
        "validation included) against pandoc converting the Markdown of the same documents in "
        "a shell loop, and LibreOffice converting the DOCX files our writer made of them to "
        "PDF in one call. A warm-up run of each first where shown; then our runs and theirs "
        "take turns; every run writes into a new folder. Seconds are the median; ratio = their "
        "median over ours; CPU ratio = the same with CPU time (user + system of every "
        "process), steadier on a shared machine; file creation = CPU µs to create one empty "
        "file in the work folder just before each of our runs (the median): we create one "
        "file per rendition, and on this VM that cost moves from 30 µs to over 1 ms.", "",
        *_table(["bulletins", "conversion", "ours s", "ours min–max s", "peer",
                 "peer s", "peer min–max s", "ratio", "CPU ratio", "file creation µs"], rows),
        *_notes({f"{row['to']} at {row['bulletins']}": row["theirs"] for row in w["rows"]})]
    if (jobs := w.get("jobs")) and "speedup_2_over_1" in jobs:
        one, two = jobs["jobs_1"], jobs["jobs_2"]
        pairs = ", ".join(f"{p:.2f}×" for p in jobs["pairs"])
        lines += [f"`bulletin convert` of {jobs['bulletins']:,} bulletins `--to all`, runs in the "
                  f"order {', '.join(map(str, jobs['order']))} processes: 1 process "
                  f"{one['median_s']:.1f} s (median of {one['runs']}), 2 processes "
                  f"{two['median_s']:.1f} s; speed-up **{jobs['speedup_2_over_1']:.2f}×** (the "
                  f"mean of the pairs: {pairs}); CPU of 1 process over 2: "
                  f"{jobs['cpu_1_over_2']:.2f} (what the workers and their driver cost beyond "
                  "the work)."]
        if ceiling := jobs.get("ceiling"):
            rates = ", ".join(f"{c['jobs']}: {c['per_s']:.1f}/s" for c in ceiling["runs"])
            lines[-1] += (f" Right after, the conversions alone (no driver, no files) in 1 and 2 "
                          f"processes of {ceiling['runs'][0]['items']} inputs each ({rates}): "
                          f"**{ceiling['speedup_2_over_1']:.2f}×**, what the machine gave two "
                          "processes then (other work on it may hold a core).")
        lines.append("")
    return [*lines, *_where_the_time_goes(w, r["sections"])]


def _where_the_time_goes(w: dict[str, Any], s: dict[str, Any]) -> list[str]:
    """Ours at the small size, against the in-process figures of the tables below."""
    parse = _get(s, "parse.generated.parse_validate.ms_each")
    start = _get(s, "startup.convert_tei.median_ms")
    rows = [r for r in w["rows"] if r["to"] != "pdf" and not _cell(r["ours"])]
    if not rows or parse is None or start is None:
        return []
    small = min(r["bulletins"] for r in rows)
    parts = []
    for row in (r for r in rows if r["bulletins"] == small):
        writing = [_get(s, f"writers.{name}.ms_each") for name in row["to"].split(",")]
        if None in writing:
            continue
        work = row["bulletins"] * parse + row["documents"] * sum(writing)
        files = row["documents"] * len(writing)
        creating = (f", and creating its {files} files about {files * created / 1000:,.0f} ms "
                    f"of CPU ({created:,.0f} µs a file)"
                    if (created := row.get("file_creation_us")) is not None else "")
        parts.append(f"`--to {row['to']}`: {1000 * row['ours']['median_s']:,.0f} ms in all, of "
                     f"which the work (parse + validate, then the writers, in one process: "
                     f"{row['bulletins']} × {parse:.2f} ms + {row['documents']} × "
                     f"{sum(writing):.2f} ms) is {work:,.0f} ms on one core{creating}")
    return [f"Where the time goes, at {small} bulletins: " + "; ".join(parts) + f". A one-file "
            f"`--to tei` takes {start:.0f} ms (start-up: the interpreter and the imports, see "
            "below); the rest is writing the files, renaming them into place, syncing them once, "
            "and starting the workers.", ""] if parts else []


#: The sections of the report, in order: (heading, key in "sections", renderer).
SECTIONS: tuple[tuple[str, str, Callable[[dict[str, Any]], list[str]]], ...] = (
    ("Start-up", "startup", _startup_lines),
    ("Parse: text → validated canonical tree (one core, in-process)", "parse", _parse_lines),
    ("Writers (one core, in-process, ms per bulletin)", "writers", _writer_lines),
    ("Archive (`bulletin archive`)", "archive", _archive_lines),
    ("Scaling with bulletin length", "scaling", _scaling_lines),
    ("Long inputs: one bulletin, 10 KB to 20 MB", "long", _long_lines),
    ("Parser profile", "profile", _profile_lines),
)


def markdown(r: dict[str, Any]) -> str:
    """The whole report as Markdown."""
    s = r["sections"]
    target_rows = [[t["measure"],
                    _fmt(t["value"], 2 if t["unit"] == "×" else 1)  # a ratio near its target
                    + (f" {t['unit']}" if t["unit"] and t["value"] is not None else ""),
                    t["target"], {True: "yes", False: "**no**", None: "n/a"}[t["met"]]]
                   for t in r["targets"]]
    lines = ["# bulletin-convert benchmark", "", *_env_lines(r), "## Targets", "",
             *_table(["measure", "measured", "target", "met"], target_rows)]
    if r["mode"] == "quick":
        lines += ["Quick mode: the counts are too small for the targets to mean anything (fixed "
                  "costs dominate); it only shows that every stage still runs.", ""]
    lines += ["## Whole commands, as users run them", ""]
    na = _status(s.get("whole"))
    lines += [na[:300], ""] if na else _whole_lines(s["whole"], r)
    for heading, key, render in SECTIONS:
        lines += [f"## {heading}", ""]
        na = _status(s.get(key))
        lines += [na[:300], ""] if na else render(s[key])
    return "\n".join(lines).rstrip() + "\n"


def write(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    js, md = out / "latest.json", out / "latest.md"
    js.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md.write_text(markdown(report), encoding="utf-8")
    return js, md
