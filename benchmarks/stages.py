"""Our own stages, measured in this process on one core: parse, writers, scaling, profile.

Each function returns a plain dict for the JSON report. A stage whose module does not import
yet (a writer still being written) is reported as "n/a (not available: why)" instead of
stopping the run.
"""

from __future__ import annotations

import cProfile
import hashlib
import io
import pstats
import statistics
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from convert import model

from .measure import NA, median_pass, time_pass

Inputs = list[tuple[bytes, str]]


def read_inputs(paths: Sequence[Path]) -> Inputs:
    """File bytes and names, read before any timing (the stages time conversion, not I/O)."""
    return [(p.read_bytes(), p.name) for p in paths]


def _parse_validate(item: tuple[bytes, str]) -> None:
    from convert import parse
    from convert.schema import validate

    data, name = item
    for doc in parse(data, name=name).documents:
        validate(doc)


def parsed(inputs: Inputs) -> tuple[list[model.Element], int]:
    """All documents of the inputs, and how many of them fail validation."""
    from convert import parse
    from convert.schema import validate

    docs = [doc for data, name in inputs for doc in parse(data, name=name).documents]
    return docs, sum(1 for d in docs if validate(d))


def parse_stage(corpus: Inputs, generated: Inputs, repeats: int) -> dict[str, Any]:
    """Text -> validated canonical tree, plus the parse, validate and dump steps alone."""
    from convert import parse
    from convert.schema import validate

    corpus_docs, corpus_invalid = parsed(corpus)
    docs, invalid = parsed(generated)
    return {
        "corpus": {"files": len(corpus), "documents": len(corpus_docs), "invalid": corpus_invalid,
                   "parse_validate": median_pass(_parse_validate, corpus, repeats).as_dict()},
        "generated": {
            "files": len(generated), "documents": len(docs), "invalid": invalid,
            "parse_validate": median_pass(_parse_validate, generated, repeats).as_dict(),
            "parse_only": median_pass(lambda i: parse(i[0], name=i[1]), generated,
                                      repeats).as_dict(),
            "validate_only_per_document": median_pass(validate, docs, repeats).as_dict(),
            "dump_per_document": median_pass(model.dump, docs, repeats).as_dict(),
        },
    }


# --- writers -------------------------------------------------------------------------------

def load_writers() -> tuple[dict[str, Any], dict[str, str]]:
    """The built-in rendition writers that import now, and why the others do not."""
    from convert.writers import ALL, get

    found: dict[str, Any] = {}
    missing: dict[str, str] = {}
    for name in (*ALL, "html"):
        try:
            found[name] = get(name)
        except Exception as exc:  # a writer being written may fail in any way on import
            missing[name] = f"{type(exc).__name__}: {exc}"
    return found, missing


def _writing(writers: Sequence[Any], sizes: list[int]) -> Callable[[model.Element], None]:
    """A function that writes one document with each of `writers`, noting the output sizes."""
    from convert.writers import WriteOptions

    options = WriteOptions()

    def write(doc: model.Element) -> None:
        for w in writers:
            buf = io.BytesIO()
            w.write(doc, buf, options)
            sizes.append(buf.tell())

    return write


def time_writers(writers: Sequence[Any], docs: Sequence[model.Element]) -> dict[str, Any]:
    """One pass writing every document with all of `writers`; errors become the result."""
    sizes: list[int] = []
    try:
        timing = time_pass(_writing(writers, sizes), docs)
    except Exception as exc:  # report the failure and go on measuring the other stages
        return {"status": f"{NA} (failed: {type(exc).__name__}: {exc})"}
    return {"status": "ok", **timing.as_dict(), "avg_kb": round(sum(sizes) / len(docs) / 1024, 1)}


def writers_stage(docs: Sequence[model.Element], warm: model.Element) -> dict[str, Any]:
    """Each writer alone, TEI + EPUB together, and the four renditions together, per bulletin."""
    writers, missing = load_writers()
    result: dict[str, Any] = {}
    for name in ("tei", "epub", "docx", "pdf", "html"):
        if name in missing:
            result[name] = {"status": f"{NA} (not available: {missing[name]})"}
            continue
        # The first document pays for one-off set-up (fonts, templates): shown, not counted.
        first = time_pass(_writing([writers[name]], []), [warm])
        result[name] = {**time_writers([writers[name]], docs), "first_call_ms": first.ms_each}
    for combo, names in (("tei+epub", ("tei", "epub")), ("all", ("tei", "epub", "docx", "pdf"))):
        absent = [n for n in names if n not in writers]
        if absent:
            result[combo] = {"status": f"{NA} (not available: {', '.join(absent)})"}
        else:
            result[combo] = time_writers([writers[n] for n in names], docs)
    return result


# --- the machine's own parallel speed-up ---------------------------------------------------

def _convert_share(items: Sequence[Any], job: Any, ready: Any, results: Any) -> None:
    """One process of `parallel_stage`: warm up, wait for the others, time its share."""
    from convert.archiving.worker import convert_item

    for item in items[:2]:
        convert_item(item, job)
    ready.wait()
    start = time.perf_counter()
    for item in items:
        convert_item(item, job)
    results.put((len(items), time.perf_counter() - start))


def parallel_stage(inputs: Inputs, formats: Sequence[str], per_process: int,
                   plan: Sequence[int] = (1, 2, 2, 1)) -> dict[str, Any]:
    """The archive's worker function alone (no driver, no files) in 1 and in 2 processes.

    What the machine's cores allow the conversions themselves, measured beside the archive
    runs: two processes on two cores share caches, memory bandwidth and, in a virtual
    machine, a host, so even work without a single shared byte rarely runs twice as fast.
    """
    import multiprocessing

    from convert.archiving.worker import Job, WorkItem

    job = Job(tuple(formats), 600.0, (("benchmark", "0"), ("benchmark", "0")))
    items = [WorkItem(i, hashlib.sha256(data).hexdigest(), name, data, "", "")
             for i, (data, name) in enumerate(inputs)]
    ctx = multiprocessing.get_context("fork")  # the writers are imported already
    runs = []
    for jobs in plan:
        ready, results = ctx.Barrier(jobs), ctx.Queue()
        processes = [ctx.Process(target=_convert_share, args=(
            items[k * per_process:(k + 1) * per_process], job, ready, results))
            for k in range(jobs)]
        for process in processes:
            process.start()
        shares = [results.get() for _ in processes]
        for process in processes:
            process.join()
        done = sum(count for count, _ in shares)
        wall = max(seconds for _, seconds in shares)
        runs.append({"jobs": jobs, "items": done, "wall_s": round(wall, 2),
                     "per_s": round(done / wall, 1)})
    rate = {j: statistics.fmean(r["per_s"] for r in runs if r["jobs"] == j) for j in set(plan)}
    return {"runs": runs, "speedup_2_over_1": round(rate[2] / rate[1], 2)}


# --- scaling -------------------------------------------------------------------------------

def scaling_stage(sets: dict[int, Inputs], repeats: int) -> dict[str, Any]:
    """Parse + validate and each writer at 1x, 4x, 16x the bulletin length: cost per word."""
    writers, _ = load_writers()
    rows: dict[str, Any] = {}
    for factor, inputs in sets.items():
        docs, _ = parsed(inputs)
        words = sum(len(model.words(model.content_text(d))) for d in docs) / len(docs)
        passes: dict[str, tuple[Callable[[Any], Any], Sequence[Any]]] = {
            "parse_validate": (_parse_validate, inputs),
            **{name: (_writing([w], []), docs) for name, w in writers.items()}}
        figures: dict[str, Any] = {}
        for stage, (fn, items) in passes.items():
            try:
                t = median_pass(fn, items, repeats)
            except Exception as exc:  # a writer failing on long input: say so, go on
                figures[stage] = {"status": f"{NA} (failed: {type(exc).__name__}: {exc})"}
                continue
            figures[stage] = {"ms_each": round(t.ms_each, 3),
                              "us_per_1000_words": round(1000 * t.ms_each / words * 1000, 1)}
        rows[f"{factor}x"] = {"bulletins": len(inputs), "words_each": round(words),
                              "stages": figures}
    first, last = rows[f"{min(sets)}x"]["stages"], rows[f"{max(sets)}x"]["stages"]
    growth = {stage: round(last[stage]["us_per_1000_words"] / first[stage]["us_per_1000_words"], 2)
              for stage in first
              if "us_per_1000_words" in first[stage] and "us_per_1000_words" in last[stage]}
    return {"factors": rows, "per_word_cost_growth": growth}


# --- profile -------------------------------------------------------------------------------

def _where(filename: str, line: int, func: str) -> str:
    """A short, readable location for a profiled function."""
    if filename == "~":
        return func  # a built-in: cProfile already names it "<method 'x' of 'y' objects>"
    parts = Path(filename).parts
    if "site-packages" in parts:
        parts = parts[parts.index("site-packages") + 1:]
    elif "convert" in parts:
        parts = parts[len(parts) - 1 - parts[::-1].index("convert"):]
    else:
        parts = parts[-1:]
    return f"{'/'.join(parts)}:{line}({func})"


def validation_split(docs: Sequence[model.Element], repeats: int) -> dict[str, Any]:
    """What one validation costs: the XSD, the Schematron XSLT, and the rest of `validate`.

    lxml's compiled validators are invisible to cProfile (they count as `validate`'s own
    time), so they are timed here by themselves, through the schema module's compiled pair.
    """
    from convert import schema

    compiled = getattr(schema, "_validators", None)
    if compiled is None:
        return {"status": f"{NA} (convert.schema has no _validators())"}
    v = compiled()
    parts = {"validate": median_pass(schema.validate, docs, repeats),
             "xsd": median_pass(v.xsd.validate, docs, repeats),
             "schematron": median_pass(v.schematron, docs, repeats)}
    return {"status": "ok", "documents": len(docs),
            **{k: round(1000 * t.ms_each, 1) for k, t in parts.items()}, "unit": "µs"}


def profile_stage(inputs: Inputs, repeats: int, top: int = 15) -> dict[str, Any]:
    """cProfile of parse + validate over the inputs: the functions that cost the most."""
    profiler = cProfile.Profile()
    profiler.enable()
    for item in inputs:
        _parse_validate(item)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = stats.total_tt  # type: ignore[attr-defined]
    n = len(inputs)

    def row(key: tuple[str, int, str], value: tuple[Any, ...]) -> dict[str, Any]:
        _, ncalls, tottime, cumtime, _ = value
        return {"function": _where(*key), "calls": ncalls, "self_ms": round(1000 * tottime, 1),
                "cum_ms": round(1000 * cumtime, 1), "self_us_each": round(1e6 * tottime / n, 1),
                "cum_us_each": round(1e6 * cumtime / n, 1),
                "self_pct": round(100 * tottime / total, 1)}

    entries = stats.stats.items()  # type: ignore[attr-defined]
    by_self = sorted(entries, key=lambda kv: kv[1][2], reverse=True)[:top]
    ours = [kv for kv in entries if "/convert/" in kv[0][0]]
    by_cum = sorted(ours, key=lambda kv: kv[1][3], reverse=True)[:top]
    return {"bulletins": n, "profiled_total_ms": round(1000 * total, 1),
            "validation_us_each": validation_split(parsed(inputs)[0], repeats),
            "profiled_us_each": round(1e6 * total / n, 1),
            "by_self_time": [row(k, v) for k, v in by_self],
            "ours_by_cumulative_time": [row(k, v) for k, v in by_cum]}
