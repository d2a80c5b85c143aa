"""Where every file goes inside the bag, and how names from outside are made safe.

Nothing that comes from the user's collection (file names, ids inside canonical XML input,
extensions of third-party writers) is ever used as a path without passing through this module:
bag paths are built only from characters we choose, so no input can place a file outside DEST.
"""

from __future__ import annotations

import os
import re

#: A canonical id as the vocabulary defines it; anything else is replaced.
SAFE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
SAFE_EXTENSION = re.compile(r"[a-z0-9]{1,16}(\.[a-z0-9]{1,16}){0,2}")
YEAR = re.compile(r"(\d{4})-\d{2}-\d{2}")
UNDATED = "undated"
QUARANTINE = "quarantine"  # a folder beside the year folders (a year has 4 digits)
#: File stems used by the item folder itself; a document id equal to one of them is suffixed.
RESERVED_STEMS = frozenset({"original", "premis"})
PREMIS_NAME = "premis.xml"
#: What to do when a path given for a package is not one.
GIVE_PACKAGE = "give the folder `bulletin archive -o` made"

#: Extension of the stored original, by the media type the parser detected.
_ORIGINAL_EXTENSIONS = {
    "text/plain": "txt",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/html": "html",
    "application/warc": "warc",
}


def safe_id(doc_id: str | None, sha256: str) -> str:
    """The document id when it is a valid canonical id, else one derived from the input hash."""
    if doc_id and SAFE_ID.fullmatch(doc_id):
        return doc_id
    return f"item-{sha256[:16]}"


def year_of(date: str | None) -> str:
    """The year folder of a document: its dateline year, or `undated` (year-less dates too)."""
    m = YEAR.fullmatch(date or "")
    return m.group(1) if m else UNDATED


def folder_candidates(year: str, doc_id: str, sha256: str) -> list[str]:
    """Bag folders an input may take, in order of preference.

    The bare id first; when another input already holds it, the id with a longer and longer
    prefix of this input's sha256, which always ends in a name nobody else can hold.
    """
    base = f"data/{year}/{doc_id}"
    return [base] + [f"{base}-{sha256[:n]}" for n in (8, 16, 64)]


def quarantine_folder(sha256: str) -> str:
    """Where an input that could not be converted is kept (no year: nothing was read)."""
    return f"data/{QUARANTINE}/{sha256}"


def quarantined_name(source: str, extension: str | None = None) -> str:
    """The kept original's name: `original` with the input's extension when it is plain (or
    `extension`: what a WARC record's payload is, "html", or "warc" for a damaged tail)."""
    if extension is not None:
        return f"original.{safe_extension(extension, 'bin')}"
    return f"original.{safe_extension(os.path.splitext(source)[1], 'bin')}"


def original_name(media_type: str | None) -> str:
    return f"original.{_ORIGINAL_EXTENSIONS.get(media_type or '', 'bin')}"


def safe_extension(extension: str, fallback: str) -> str:
    """A writer's extension if it is a plain one (`pdf`, `tei.xml`), else the fallback."""
    ext = extension.lower().lstrip(".")
    return ext if SAFE_EXTENSION.fullmatch(ext) else fallback


def unique_stems(doc_ids: list[str]) -> list[str]:
    """File stems for the documents of one input: their ids, made unique within the folder."""
    used = set(RESERVED_STEMS)
    stems = []
    for doc_id in doc_ids:
        stem, n = doc_id, 2
        while stem in used:
            stem, n = f"{doc_id}-{n}", n + 1
        used.add(stem)
        stems.append(stem)
    return stems
