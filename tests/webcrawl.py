"""WARC files for the tests, written with warcio from the pages in fixtures/web/.

Everything in them is fixed (record ids, dates), so every run writes the same bytes. `crawl`
writes the standard test crawl: a warcinfo record, then for each page a request and its
response, plus what a real crawl holds besides pages: an image, a script, a metadata record, a
redirect, a 404, a revisit of a page whose payload did not change, the same payload captured
again under another URL, and a page captured twice with different content.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from conftest import FIXTURES
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

WEB = FIXTURES / "web"
SITE = "https://news.example.org"


def record_id(n: int) -> str:
    return f"<urn:uuid:{uuid.UUID(int=n)}>"


@dataclass(frozen=True)
class Capture:
    url: str
    date: str  # WARC-Date
    payload: bytes
    content_type: str = "text/html; charset=utf-8"
    status: str = "200 OK"
    kind: str = "response"  # or "revisit", "metadata", "request"
    refers_to: int | None = None  # for a revisit: the capture (index) it repeats


def page(name: str) -> bytes:
    return (WEB / name).read_bytes()


def write_warc(path: Path, captures: Iterable[Capture], *, gzip: bool = True) -> Path:
    """Write `captures` (with a request before each response) into the WARC file `path`."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzip, warc_version="1.1")
    info = writer.create_warcinfo_record(path.name, {"software": "test-crawler/1.0",
                                                     "format": "WARC File Format 1.1"})
    info.rec_headers.replace_header("WARC-Record-ID", record_id(1))
    info.rec_headers.replace_header("WARC-Date", "2024-03-05T09:00:00Z")
    writer.write_record(info)
    digests: dict[int, str] = {}
    for n, c in enumerate(captures):
        headers = {"WARC-Record-ID": record_id(100 + 2 * n), "WARC-Date": c.date}
        if c.kind == "revisit":
            assert c.refers_to is not None
            http = StatusAndHeaders(c.status, [("Content-Type", c.content_type)],
                                    protocol="HTTP/1.1")
            record = writer.create_revisit_record(
                c.url, digest=digests[c.refers_to], refers_to_uri=c.url,
                refers_to_date="2024-03-05T09:00:00Z", http_headers=http)
            for key, value in headers.items():
                record.rec_headers.replace_header(key, value)
            writer.write_record(record)
            continue
        if c.kind == "metadata":
            record = writer.create_warc_record(c.url, "metadata", payload=io.BytesIO(c.payload),
                                               warc_content_type="application/warc-fields",
                                               warc_headers_dict=headers)
            writer.write_record(record)
            continue
        request = writer.create_warc_record(
            c.url, "request", payload=io.BytesIO(b""),
            http_headers=StatusAndHeaders(f"GET {c.url.removeprefix(SITE) or '/'} HTTP/1.1",
                                          [("Host", "news.example.org")], is_http_request=True),
            warc_headers_dict={"WARC-Record-ID": record_id(101 + 2 * n), "WARC-Date": c.date})
        writer.write_record(request)
        http = StatusAndHeaders(c.status, [("Content-Type", c.content_type)],
                                protocol="HTTP/1.1")
        record = writer.create_warc_record(c.url, "response", payload=io.BytesIO(c.payload),
                                           http_headers=http, warc_headers_dict=headers)
        digests[n] = record.rec_headers.get_header("WARC-Payload-Digest")
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())
    return path


#: The standard test crawl; the comment after each says what it is for.
CRAWL = [
    Capture(f"{SITE}/news/ferry-timetable", "2024-03-05T09:01:00Z",
            page("article-en.html")),  # 0: a page
    Capture(f"{SITE}/de/faehre", "2024-03-05T09:02:00Z", page("article-de.html")),  # 1
    Capture(f"{SITE}/fr/saint-malo", "2024-03-05T09:03:00Z", page("article-fr.html"),
            content_type="text/html; charset=windows-1252"),  # 2: the charset from HTTP
    Capture(f"{SITE}/img/ferry.jpg", "2024-03-05T09:04:00Z", b"\xff\xd8\xff\xe0JFIF",
            content_type="image/jpeg"),  # 3: an image, skipped
    Capture(f"{SITE}/app.js", "2024-03-05T09:05:00Z", b"console.log(1);",
            content_type="application/javascript"),  # 4: a script, skipped
    Capture(f"{SITE}/old", "2024-03-05T09:06:00Z", b"", status="301 Moved Permanently"),  # 5
    Capture(f"{SITE}/missing", "2024-03-05T09:07:00Z", b"<html><body>Not found</body></html>",
            status="404 Not Found"),  # 6: an error page, skipped
    Capture(f"{SITE}/news/ferry-timetable", "2024-03-06T09:01:00Z", b"",
            kind="revisit", refers_to=0),  # 7: a revisit of 0
    Capture(f"{SITE}/news/ferry-timetable?utm=feed", "2024-03-06T09:02:00Z",
            page("article-en.html")),  # 8: the same payload as 0 under another URL
    Capture(f"{SITE}/es/tranvia", "2024-03-06T09:03:00Z", page("article-es.html")),  # 9
    Capture(f"{SITE}/es/tranvia", "2024-03-07T09:03:00Z", page("article-es.html").replace(
        b"siete paradas", b"ocho paradas")),  # 10: the same page changed: a second version
    Capture(f"{SITE}/crawl-log", "2024-03-07T09:04:00Z", b"outlinks: 12\n",
            kind="metadata"),  # 11: metadata, skipped
    Capture(f"{SITE}/eir/cranes", "2024-03-07T09:05:00Z", page("bulletin-cranes.html")),  # 12
]


def crawl(folder: Path, name: str = "crawl.warc.gz", *, gzip: bool = True) -> Path:
    return write_warc(folder / name, CRAWL, gzip=gzip)
