"""`python -m benchmarks.web [--pages N] [--work DIR]`: saved pages and a crawl as inputs.

Makes N distinct news pages from generated bulletins (benchmarks/corpus.py), each wrapped in
what a news site puts around an article (navigation, a related-links aside, a cookie notice, a
footer), and a gzipped WARC file holding them as responses (with warcio). Then measures, on one
core:
- the HTML reader (`convert.parse` of each page): pages per second, and the share of that time
  spent in trafilatura's extraction;
- trafilatura on its own over the same pages, as its users call it (`trafilatura.extract`) and
  with our settings (`bare_extraction(**EXTRACTION)`);
- the WARC reader (`convert.parse_file` of the crawl): records per second, and warcio alone
  reading every record's payload;
- `bulletin parse CRAWL -o OUT` as a whole process.
Prints one JSON object. Needs the `web` extra. Not part of `python -m benchmarks`.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .commands import find_bulletin
from .corpus import Generator
from .measure import run_process, work_folder

SITE = "https://harbour-news.example.org"


def page(text: str, n: int) -> bytes:
    """A news site's page around the bulletin `text` (title first, then paragraphs)."""
    title, _, rest = text.strip().partition("\n")
    paragraphs = [" ".join(p.split()) for p in rest.split("\n\n") if p.strip()]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    links = "".join(f'<li><a href="{SITE}/news/{k}">Earlier story {k}</a></li>'
                    for k in range(n, n + 6))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | Harbour News</title>
<link rel="canonical" href="{SITE}/news/{n}">
<meta property="og:site_name" content="Harbour News">
</head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/ports">Ports</a></li>
<li><a href="/rivers">Rivers</a></li><li><a href="/subscribe">Subscribe</a></li></ul></nav></header>
<div class="cookies">We use cookies to remember your settings. <button>Accept</button></div>
<main><article><h1>{html.escape(title)}</h1>
{body}
</article></main>
<aside><h2>Related stories</h2><ul>{links}</ul></aside>
<footer><p>Harbour News, Quay Street 4. All rights reserved.</p></footer>
</body></html>
""".encode()


def write_crawl(pages: list[bytes], path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for n, payload in enumerate(pages):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                                                  ("Content-Length", str(len(payload)))],
                                       protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(
                f"{SITE}/news/{n}", "response", payload=io.BytesIO(payload),
                http_headers=headers))


@contextmanager
def timed_extraction() -> Iterator[list[float]]:
    """Seconds spent in trafilatura.bare_extraction while the block runs, one per call."""
    import trafilatura

    spent: list[float] = []
    original = trafilatura.bare_extraction

    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent.append(time.perf_counter() - started)

    trafilatura.bare_extraction = timed
    try:
        yield spent
    finally:
        trafilatura.bare_extraction = original


def rate(count: int, work: Callable[[], object]) -> dict[str, float]:
    started = time.perf_counter()
    work()
    wall = time.perf_counter() - started
    return {"seconds": round(wall, 2), "per_s": round(count / wall, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.web", description=__doc__)
    ap.add_argument("--pages", type=int, default=2000)
    ap.add_argument("--work", type=Path, help="a folder for the pages and the crawl (default: "
                    "a temporary one, removed at the end)")
    args = ap.parse_args(argv)
    try:
        import trafilatura
        import warcio  # noqa: F401
    except ImportError:
        print("the web extra is not installed: pip install 'bulletin-convert[web]'",
              file=sys.stderr)
        return 2
    import convert
    from convert.reader.html import EXTRACTION

    with work_folder(args.work, "bench-web-") as work:
        texts = Generator().write(work / "bulletins", args.pages, None)
        pages = [page(p.read_text(encoding="utf-8"), n) for n, p in enumerate(texts)]
        crawl = work / "crawl.warc.gz"
        write_crawl(pages, crawl)
        convert.parse(pages[0], name="warm.html")  # imports and caches, as a long run has them

        def ours() -> None:
            for n, data in enumerate(pages):
                convert.parse(data, name=f"{n}.html")

        with timed_extraction() as spent:
            html_rate = rate(len(pages), ours)
        html_rate["extractor_share"] = round(sum(spent) / html_rate["seconds"], 2)
        report: dict[str, Any] = {
            "pages": len(pages), "page_kb": round(sum(map(len, pages)) / len(pages) / 1024, 1),
            "html_reader": html_rate,
            "trafilatura_extract": rate(len(pages), lambda: [trafilatura.extract(p)
                                                              for p in pages]),
            "trafilatura_our_settings": rate(len(pages), lambda: [
                trafilatura.bare_extraction(p, **EXTRACTION) for p in pages]),
        }

        def warcio_alone() -> None:
            from warcio.archiveiterator import ArchiveIterator

            with open(crawl, "rb") as f:
                for record in ArchiveIterator(f):
                    record.content_stream().read()

        found: list[int] = []
        with timed_extraction() as spent:
            warc_rate = rate(len(pages), lambda: found.append(
                len(convert.parse_file(crawl).documents)))
        warc_rate["documents"] = found[0]
        warc_rate["extractor_share"] = round(sum(spent) / warc_rate["seconds"], 2)
        report["warc_reader"] = warc_rate
        report["warcio_alone"] = rate(len(pages), warcio_alone)
        bulletin = find_bulletin()
        if bulletin is not None:
            run = run_process([bulletin, "parse", crawl, "-o", work / "masters", "--quiet"],
                              timeout=3600)
            report["bulletin_parse_crawl"] = {
                "wall_s": round(run.wall_s, 2), "per_s": round(len(pages) / run.wall_s, 1),
                "max_rss_mb": round(run.max_rss_mb, 1), "exit": run.returncode}
        print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
