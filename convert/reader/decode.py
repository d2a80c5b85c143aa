"""Bytes to clean text: encoding detection and repair, at the front of the parse stage.

Scraped bulletins arrive as UTF-8 (with or without a BOM), UTF-16, Windows-1252 or Latin-1,
with CRLF line ends and, now and then, text that was decoded wrongly once already (mojibake).
Detection is left to charset-normalizer and mojibake repair to ftfy; this module decides when
to call them (they are slow next to the parser, so only when the cheap checks say so) and
records every repair, so that nothing changes without a trace in the canonical document.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

from ..messages import InputError, Message, info, warning

#: Larger inputs are refused: no bulletin is this long, and the parser holds the text in memory.
MAX_BYTES = 64 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: A UTF-8 lead byte read as Windows-1252 (Â Ã â) followed by what a continuation byte becomes:
#: the signature of double-encoded text. Only texts that show it are handed to ftfy.
_MOJIBAKE_HINT = re.compile(
    "[\u00c2\u00c3\u00c5\u00e2][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e"
    "\u0192\u02c6\u02dc\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a"
    "\u20ac\u2122]"
)

#: HTML character references left by a careless scrape: &quot; &mdash; &#8217; &#x2014;
_HTML_REFERENCE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]{1,31}|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")

#: A byte that is not UTF-8, as surrogateescape decoding keeps it.
_STRAY = re.compile("[\udc80-\udcff]")
_STRAY_END = re.compile("[\udc80-\udcff]+\\Z")

#: Control characters that are never content (tab, newline are handled separately).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")


@dataclass
class Decoded:
    """Text ready for the bulletin grammar, and what it took to get there."""

    text: str
    encoding: str
    repairs: list[tuple[str, str]] = field(default_factory=list)  # (kind, description)
    messages: list[Message] = field(default_factory=list)


def _first_invalid_utf8(data: bytes) -> int:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    raise AssertionError("called on valid UTF-8")


def _looks_like_utf16(data: bytes) -> str | None:
    """UTF-16 without a BOM: most of the zero bytes sit on one side of each code unit."""
    sample = data[:4096]
    if len(sample) < 4 or sample.count(0) < len(sample) // 4:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd > 3 * max(even, 1):
        return "utf-16-le"
    if even > 3 * max(odd, 1):
        return "utf-16-be"
    return None


def _not_text(source: str | None, reason: str) -> InputError:
    return InputError(
        f"not a text file: {reason}; if it is text in an unusual encoding, convert it to UTF-8 "
        "first (e.g. with iconv)",
        source,
    )


def _decode_bytes(data: bytes, source: str | None, fallback: str | None) -> Decoded:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                text = data[len(bom):].decode(encoding)
            except UnicodeDecodeError as exc:
                raise _not_text(source, f"byte order mark says {encoding} but byte "
                                f"{exc.start + len(bom)} is not valid {encoding}") from exc
            repairs = [("bom", f"removed the {encoding} byte order mark")]
            messages = [] if encoding == "utf-8" else [
                info(f"decoded as {encoding} (byte order mark)", source)]
            return Decoded(text, encoding, repairs, messages)
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    utf16 = _looks_like_utf16(data)
    if utf16:
        try:
            return Decoded(data.decode(utf16), utf16, [],
                           [warning(f"no byte order mark; decoded as {utf16}", source)])
        except UnicodeDecodeError:
            pass
    offset = _first_invalid_utf8(data)
    line = data.count(b"\n", 0, offset) + 1
    nul = data.find(0)
    if nul >= 0:
        raise _not_text(source, f"it contains NUL bytes (first at byte {nul}) and byte "
                        f"{offset} (0x{data[offset]:02x}, line {line}) is not valid UTF-8")
    if fallback is not None:
        return _decode_as(data, fallback, source)
    if (mostly := _mostly_utf8(data, source)) is not None:
        return mostly
    best = _detect(data)
    if best is None:
        raise _not_text(source, f"byte {offset} (0x{data[offset]:02x}, line {line}) is not "
                        "valid UTF-8 and no other text encoding fits")
    return Decoded(
        data.decode(best), best,
        [("encoding", f"decoded as {best}: byte {offset} (line {line}) is not valid UTF-8")],
        [warning(f"not UTF-8 (byte {offset} on line {line} is 0x{data[offset]:02x}); decoded "
                 f"as {best}, a guess; check the result, or give the encoding with --encoding",
                 source, line)],
    )


def _decode_as(data: bytes, encoding: str, source: str | None) -> Decoded:
    """Decode with the encoding the user named (for inputs that are not UTF-8)."""
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"byte {exc.start} (0x{data[exc.start]:02x}) is not valid "
                         f"{encoding} either; check --encoding", source, line) from exc
    name = codecs.lookup(encoding).name
    return Decoded(text, name, [("encoding", f"decoded as {name} (--encoding): not UTF-8")],
                   [info(f"not UTF-8; decoded as {name} as --encoding says", source)])


def _mostly_utf8(data: bytes, source: str | None) -> Decoded | None:
    """UTF-8 with a few stray bytes, or cut short in the middle of a character.

    Guessing a legacy encoding for the whole file would garble every correct character to
    explain a few wrong ones. A file cut short loses its incomplete last character (the
    original keeps the bytes); elsewhere, when the file holds good UTF-8 characters and not
    many more stray bytes (a legacy text rarely forms a valid UTF-8 sequence by chance), each
    stray byte is read as Windows-1252, the usual source of such bytes. Both are recorded as
    repairs, with the lines.
    """
    text = data.decode("utf-8", "surrogateescape")
    strays = [m.start() for m in _STRAY.finditer(text)]
    tail = len(end.group()) if (end := _STRAY_END.search(text)) else 0
    cut = tail > 0 and tail == len(strays) and _incomplete_utf8(data[len(data) - tail:])
    good = sum(1 for c in text if "\x80" <= c < "\udc80" or c > "\udcff")
    if not cut and not (good and len(strays) <= 2 * good + 2):
        return None
    lines = []
    if cut:
        repair = (f"removed the incomplete UTF-8 character that ends the file (bytes "
                  f"{data[len(data) - tail:].hex(' ').upper()}): the file was cut short")
        text = text[:len(text) - tail]
        lines.append(text.count("\n") + 1)
    else:
        for position in strays:
            lines.append(text.count("\n", 0, position) + 1)
        text = _STRAY.sub(lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace"),
                          text)
        shown = ", ".join(f"line {n}" for n in sorted(set(lines))[:5])
        repair = (f"read {len(strays)} byte(s) that are not UTF-8 as Windows-1252 ({shown}); "
                  "the rest of the file is UTF-8")
    return Decoded(text, "utf-8", [("encoding", repair)],
                   [warning(f"{repair}; check the result", source, lines[0])])


def _incomplete_utf8(tail: bytes) -> bool:
    """Whether `tail` is the start of a UTF-8 character whose last byte(s) are missing."""
    first = tail[0]
    need = (2 if 0xC2 <= first < 0xE0 else 3 if 0xE0 <= first < 0xF0
            else 4 if 0xF0 <= first < 0xF5 else 0)
    return len(tail) < need and all(0x80 <= b < 0xC0 for b in tail[1:])


def _western(text: str) -> bool:
    """Whether text reads like a Latin-script language: its accented letters sit in words of
    ASCII letters ("dépôt"), not in words made of them alone, as Cyrillic or Greek bytes read
    in the wrong code page give ("Ïðèâåò")."""
    words = [w for w in re.findall(r"[^\W\d_]+", text) if not w.isascii()]
    shares = [sum(not c.isascii() for c in w) / len(w) for w in words]
    return bool(shares) and sum(shares) / len(shares) < 0.5


def _detect(data: bytes) -> str | None:
    """The most likely legacy encoding, named as Python names it.

    Bulletins in a legacy encoding are mostly Windows-1252: when it reads as Latin-script
    words, it is taken (charset-normalizer, on a few accented words, may name Baltic DOS or
    Big5); otherwise charset-normalizer decides (a Cyrillic or Greek code page).
    """
    from charset_normalizer import from_bytes

    try:
        if _western(data.decode("cp1252")):
            return "cp1252"
    except UnicodeDecodeError:
        pass
    match = from_bytes(data).best()
    return None if match is None else codecs.lookup(match.encoding).name


def _repair_mojibake(d: Decoded, source: str | None) -> None:
    import ftfy

    config = ftfy.TextFixerConfig(
        unescape_html=False, remove_terminal_escapes=False, fix_latin_ligatures=False,
        fix_character_width=False, uncurl_quotes=False, fix_line_breaks=False,
        remove_control_chars=False, normalization=None, decode_inconsistent_utf8=False,
        explain=True,
    )
    fixed = ftfy.fix_and_explain(d.text, config=config)
    if fixed.text != d.text:
        steps = ", ".join(f"{step} {arg}" for step, arg in (fixed.explanation or []))
        d.repairs.append(("mojibake", f"repaired double-encoded text ({steps})"))
        d.messages.append(warning(
            "text looked double-encoded (mojibake such as 'â€”' for '—'); repaired with ftfy: "
            f"{steps}", source))
        d.text = fixed.text


def decode(data: bytes, source: str | None = None, encoding: str | None = None) -> Decoded:
    """Decode and clean `data`; raises InputError when it is not usable text.

    `encoding` is the user's word for inputs that are not UTF-8 (a BOM or valid UTF-8 still
    wins): it replaces the guess.
    """
    if not data:
        raise InputError("empty input: the file has no bytes", source)
    if len(data) > MAX_BYTES:
        raise InputError(f"input too large: {len(data)} bytes (limit {MAX_BYTES}); a bulletin "
                         "is a few kilobytes, so this is probably not one", source)
    d = _decode_bytes(data, source, encoding)
    if _MOJIBAKE_HINT.search(d.text):
        _repair_mojibake(d, source)
    if references := _HTML_REFERENCE.findall(d.text):
        import html

        d.text = html.unescape(d.text)
        shown = ", ".join(sorted(set(references))[:5])
        d.repairs.append(("html-entities", f"decoded {len(references)} HTML character "
                          f"reference(s) such as {shown}"))
        d.messages.append(warning(f"the text holds HTML character references ({shown}); "
                                  "decoded them", source))
    if "\r" in d.text:
        d.text = d.text.replace("\r\n", "\n").replace("\r", "\n")
        d.repairs.append(("newlines", "converted CRLF/CR line ends to LF"))
    controls = _CONTROLS.findall(d.text)
    if len(controls) > max(8, len(d.text) // 200):
        raise _not_text(source, f"read as {d.encoding} it holds {len(controls)} control "
                        "characters")
    if controls:
        d.text = _CONTROLS.sub("", d.text)
        names = sorted({f"U+{ord(c):04X}" for c in controls})
        d.repairs.append(("control-characters",
                          f"removed {len(controls)} control character(s): {', '.join(names)}"))
        d.messages.append(warning(f"removed {len(controls)} control character(s) "
                                  f"({', '.join(names)})", source))
    if not d.text.isascii() and not unicodedata.is_normalized("NFC", d.text):
        d.text = unicodedata.normalize("NFC", d.text)
    if "\t" in d.text:
        d.text = d.text.replace("\t", " ")
    return d
