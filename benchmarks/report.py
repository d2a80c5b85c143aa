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


def ratios(s: dict[str, Any], key: str = "ms_each") -> dict[str, float | None]:
    """ours / theirs speed ratios (their ms per bulletin over ours), None when not measured.

    `key` is "ms_each" (wall clock, what a user waits for) or "cpu_ms_each" (CPU time, less
    disturbed by other work on a shared machine).
    """

    def ratio(theirs: float | None, ours: float | None) -> float | None:
        return round(theirs / ours, 1) if theirs and ours else None

    def pandoc(fmt: str, how: str = "per_file") -> float | None:
        return _get(s, f"pandoc.{fmt}.{how}.{key}")

    def ours(name: str) -> float | None:
        w = _get(s, f"writers.{name}")
        return w[key] if w and w.get("status") == "ok" else None

    pandoc_pair = (pandoc("tei") or 0) + (pandoc("epub") or 0) or None
    pandoc_pair_one = (pandoc("tei", "one_file") or 0) + (pandoc("epub", "one_file") or 0) or None
    lo = _get(s, f"libreoffice.{key}") if _get(s, "libreoffice.status") == "ok" else None
    return {
        "tei": ratio(pandoc("tei"), ours("tei")), "epub": ratio(pandoc("epub"), ours("epub")),
        "tei+epub": ratio(pandoc_pair, ours("tei+epub")),
        "docx": ratio(pandoc("docx"), ours("docx")),
        "tei_one_file": ratio(pandoc("tei", "one_file"), ours("tei")),
        "epub_one_file": ratio(pandoc("epub", "one_file"), ours("epub")),
        "tei+epub_one_file": ratio(pandoc_pair_one, ours("tei+epub")),
        "docx_one_file": ratio(pandoc("docx", "one_file"), ours("docx")),
        "pdf_vs_libreoffice": ratio(lo, ours("pdf")),
    }


Check = Callable[[float], bool]

#: (name, where the figure is in the report, unit, target in words, test).
TARGETS: tuple[tuple[str, str, str, str, Check], ...] = (
    ("parse + validate, one core", "parse.generated.parse_validate.per_s", "bulletins/s",
     "≥ 2,000/s", lambda v: v >= 2000),
    ("TEI + EPUB vs pandoc (per file)", "ratios.tei+epub", "×", "≥ 20×", lambda v: v >= 20),
    ("DOCX vs pandoc (per file)", "ratios.docx", "×", "≥ 10×", lambda v: v >= 10),
    ("all four renditions, one core", "writers.all.ms_each", "ms/bulletin", "< 40 ms",
     lambda v: v < 40),
    ("`bulletin --version`", "startup.version.median_ms", "ms", "< 150 ms", lambda v: v < 150),
    ("one-file `bulletin convert --to all`", "startup.convert_all.median_ms", "ms", "< 1,000 ms",
     lambda v: v < 1000),
    ("archive, 2 processes", "archive.rate_2_jobs", "bulletins/s", "≥ 40/s", lambda v: v >= 40),
    ("archive, 2 processes / 1 process", "archive.speedup_2_over_1", "×", "≥ 1.8×",
     lambda v: v >= 1.8),
    ("archive peak memory, large / small collection", "archive.memory_growth", "×",
     "flat (≤ 1.2×)", lambda v: v <= 1.2),
    ("parse cost per word, 16× / 1× length", "scaling.per_word_cost_growth.parse_validate", "×",
     "linear (≤ 1.3×)", lambda v: v <= 1.3),
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
        "Ratios are measured in the same run, so they are steadier than absolute times; "
        "CPU times are steadier than wall-clock times.",
        "",
    ]


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


def _peer_rows(r: dict[str, Any]) -> list[list[Any]]:
    s, ratio = r["sections"], r["ratios"]
    pd = s.get("pandoc", {})
    w = s.get("writers", {})
    rows = []
    for fmt in ("tei", "epub", "docx"):
        ours = _ms(w.get(fmt))
        if _status(pd):
            rows.append([fmt.upper(), ours, _cell(pd), "", "", ""])
            continue
        rows.append([fmt.upper(), ours, _ms(pd[fmt]["per_file"]), _fmt(ratio[fmt]),
                     _fmt(pd[fmt]["one_file"]["ms_each"], 2), _fmt(ratio[f"{fmt}_one_file"])])
    if not _status(pd):
        pair = pd["tei"]["per_file"]["ms_each"] + pd["epub"]["per_file"]["ms_each"]
        pair_one = pd["tei"]["one_file"]["ms_each"] + pd["epub"]["one_file"]["ms_each"]
        rows.append(["TEI + EPUB", _ms(w.get("tei+epub")), _fmt(pair, 2), _fmt(ratio["tei+epub"]),
                     _fmt(pair_one, 2), _fmt(ratio["tei+epub_one_file"])])
    lo = s.get("libreoffice")
    lo_ms = _cell(lo) or _fmt(lo["ms_each"], 2)
    rows.append(["PDF (LibreOffice: DOCX → PDF, one call)", _ms(w.get("pdf")), lo_ms,
                 _fmt(ratio["pdf_vs_libreoffice"]), "", ""])
    return rows


def _startup_lines(st: dict[str, Any]) -> list[str]:
    rows = []
    for label, key in (("`bulletin --version`", "version"),
                       ("`bulletin convert FILE --to all`", "convert_all")):
        sec = st.get(key, {})
        na = _cell(sec)
        rows.append([label, na or _fmt(sec["median_ms"]), "" if na else _fmt(sec["min_ms"]),
                     "" if na else _fmt(sec["cpu_median_ms"]), "" if na else sec["runs"]])
    imp = st["imports"]
    top = ", ".join(f"{t['module']} {t['cumulative_ms']:.1f} ms" for t in imp["top_imports_of_cli"])
    heavy = ", ".join(imp["heavy_after_import_convert"]) or "none of " + ", ".join(HEAVY)
    cli_heavy = ", ".join(imp["heavy_after_import_cli"]) or "no heavy library"
    return [
        *_table(["command (whole process)", "median ms", "min ms", "CPU ms", "runs"], rows),
        *_notes({"`bulletin --version`": st.get("version"),
                 "`bulletin convert --to all`": st.get("convert_all")}),
        f"`import convert`: {imp['import_convert_ms']:.1f} ms, "
        f"{imp['modules_after_import_convert']} modules loaded, {heavy} among them; "
        f"`import convert.cli`: {imp['import_cli_ms']:.1f} ms ({cli_heavy}; third-party "
        f"packages loaded: {', '.join(imp['third_party_after_import_cli']) or 'none'}). "
        f"Costliest imports at start-up (`-X importtime`): {top}. What each writer module "
        "adds when `convert --to all` loads it: " + (", ".join(
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


def _peer_lines(r: dict[str, Any]) -> list[str]:
    files = r["sections"]["pandoc"].get("files", 0)
    lo = r["sections"]["libreoffice"]
    lo_text = (f"LibreOffice converts {lo['files']:,} DOCX files (made by {lo['docx_from']}) to "
               f"PDF in one call, after a first call that builds its profile "
               f"({lo['first_call_s']:.1f} s, not counted)" if "files" in lo else
               "LibreOffice: " + str(lo.get("status")))
    return [f"pandoc reads the Markdown of the same canonical documents ({files:,} of them), "
            "one process per file as a shell loop would, and once from one concatenated file "
            "(its best case); TEI with `-s`. Ratio = their ms per bulletin / ours. "
            f"{lo_text}; our PDF writer starts from the canonical document.", "",
            *_table(["conversion", "ours ms", "pandoc ms (per file)", "ratio",
                     "pandoc ms (one big file)", "ratio"], _peer_rows(r)),
            _cpu_ratio_line(r["ratios_cpu"]),
            "",
            *_notes({"pandoc": r["sections"].get("pandoc"),
                     "LibreOffice": r["sections"].get("libreoffice")})]


def _cpu_ratio_line(cpu: dict[str, float | None]) -> str:
    shown = {"TEI + EPUB": cpu["tei+epub"], "DOCX": cpu["docx"],
             "TEI + EPUB against pandoc's one big file": cpu["tei+epub_one_file"],
             "PDF against LibreOffice": cpu["pdf_vs_libreoffice"]}
    return ("The same ratios in CPU time (steadier under load): "
            + ", ".join(f"{k} {_fmt(v)}×" if v else f"{k} n/a" for k, v in shown.items()) + ".")


#: The sections of the report, in order: (heading, key in "sections", renderer).
SECTIONS: tuple[tuple[str, str, Callable[[dict[str, Any]], list[str]]], ...] = (
    ("Parse: text → validated canonical tree (one core)", "parse", _parse_lines),
    ("Writers (one core, ms per bulletin)", "writers", _writer_lines),
    ("Start-up", "startup", _startup_lines),
    ("Archive (`bulletin archive`)", "archive", _archive_lines),
    ("Scaling with bulletin length", "scaling", _scaling_lines),
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
    for heading, key, render in SECTIONS:
        lines += [f"## {heading}", ""]
        na = _status(s.get(key))
        lines += [na[:300], ""] if na else render(s[key])
        if key == "writers":  # the peers come right after our writers
            lines += ["## Side by side: pandoc and LibreOffice", "", *_peer_lines(r)]
    return "\n".join(lines).rstrip() + "\n"


def write(report: dict[str, Any], out: Path) -> tuple[Path, Path]:
    out.mkdir(parents=True, exist_ok=True)
    js, md = out / "latest.json", out / "latest.md"
    js.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md.write_text(markdown(report), encoding="utf-8")
    return js, md
