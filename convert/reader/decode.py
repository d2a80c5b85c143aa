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

#: Bytes that are not UTF-8 (at the end of a text), as surrogateescape decoding keeps them.
_STRAY = re.compile("[\udc80-\udcff]")
_STRAY_END = re.compile("[\udc80-\udcff]+\\Z")
#: UTF-8 characters that show a file is UTF-8: Latin letters beyond ASCII, punctuation and
#: currency signs, or two letters in a row of another script (a word, not a chance pair).
#: A run of them counts only between ASCII characters: next to a byte that is not UTF-8 or
#: to an odd character, it is a chance pair of legacy bytes (cp1251 "Д»" reads as "Ļ").
_PLAUSIBLE = ("\u00a0-\u024f\u0370-\u03ff\u0400-\u052f\u0590-\u06ff\u0e00-\u0e7f"
              "\u2000-\u206f\u20a0-\u20cf\u2100-\u214f\u3000-\u30ff\u4e00-\u9fff"
              "\uac00-\ud7af\uff00-\uffef")
#: Latin letters touching an ASCII letter count even beside a stray byte: a legacy page puts
#: "Ã" before such a byte only in mojibake ("\\xe9ça" is a cp1252 "é" before a UTF-8 "ça").
#: So do three or more in a row: chance pairs of legacy bytes do not line up so.
#: A pattern string that `re` compiles (and caches) on first use: only a
#: file that is not all UTF-8 needs it, and its classes take ~12 ms to compile, a tenth of
#: the start-up of a one-file `bulletin convert`.
_BELIEVED_UTF8 = (f"(?<![^\\x00-\\x7f{_PLAUSIBLE}])[{_PLAUSIBLE}]++"
                  f"(?![^\\x00-\\x7f{_PLAUSIBLE}])|[{_PLAUSIBLE}]{{3,}}+"
                  "|[\u00c0-\u024f]+(?=[A-Za-z])|(?<=[A-Za-z])[\u00c0-\u024f]+")

#: Control characters that are never content (tab, newline are handled separately).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b\ufeff]")
#: Any character one of the repairs below looks for (a mojibake lead, a reference's "&", a
#: control, a character XML cannot carry): most texts hold none, and a scan that finds none
#: spares the four scans of those repairs.
_SUSPECT = re.compile("[\u00c2\u00c3\u00c5\u00e2&\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                      "\u200b\ufeff\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
                      "\U0001fffe-\U0010ffff]")
#: What XML 1.0 cannot carry or Unicode reserves as never a character: surrogates left by a
#: broken decoder, U+FFFE/U+FFFF and the other noncharacters. Replaced by U+FFFD, visibly.
#: The class takes every astral character from U+1FFFE on (one range scans ten times faster
#: than the 32 astral noncharacters listed one by one); `_not_xml` keeps the real characters.
_NOT_XML = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U0001fffe-\U0010ffff]")
#: The low bits of an astral noncharacter: U+1FFFE, U+1FFFF, ... U+10FFFE, U+10FFFF.
_ASTRAL_NONCHARACTER = 0xFFFE


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
                if encoding == "utf-8" and (mixed := _partly_utf8(data[len(bom):], source)):
                    mixed.repairs.insert(0, ("bom", "removed the utf-8 byte order mark"))
                    return mixed
                raise _not_text(source, f"byte order mark says {encoding} but byte "
                                f"{exc.start + len(bom)} is not valid {encoding}") from exc
            repairs = [("bom", f"removed the {encoding} byte order mark")]
            messages = [] if encoding == "utf-8" else [
                info(f"decoded as {encoding} (byte order mark)", source)]
            return Decoded(text, encoding, repairs, messages)
    if fallback is not None and 0 in data and fallback.lower().replace("_", "-").startswith(
            ("utf-16", "utf-32", "utf16", "utf32")):  # ASCII in UTF-16 is "valid UTF-8"
        return _decode_as(data, fallback, source)
    utf16 = _looks_like_utf16(data)  # before UTF-8: ASCII text in UTF-16 is valid UTF-8 too
    if utf16:
        try:
            return Decoded(data.decode(utf16), utf16, [],
                           [warning(f"no byte order mark; decoded as {utf16}", source)])
        except UnicodeDecodeError:
            pass
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    if fallback is not None:
        return _decode_as(data, fallback, source)
    offset = _first_invalid_utf8(data)
    line = data.count(b"\n", 0, offset) + 1
    nul = data.find(0)
    if nul >= 0:
        raise _not_text(source, f"it contains NUL bytes (first at byte {nul}) and byte "
                        f"{offset} (0x{data[offset]:02x}, line {line}) is not valid UTF-8")
    if (mixed := _partly_utf8(data, source)) is not None:
        return mixed
    best = _detect(data)
    if best is not None and (stray := _cp1252_but_undefined(data, best, source)) is not None:
        return stray
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


#: The five bytes Windows-1252 leaves undefined. Browsers read them as the C1 controls of
#: the same number (the WHATWG Encoding Standard): a stray one in a Windows-1252 text (a
#: corrupted download, a byte of another page) is not a reason to read the whole file in
#: another page, and `decode` then removes the control character as a recorded repair.
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


def _cp1252_but_undefined(data: bytes, best: str, source: str | None) -> Decoded | None:
    """`data` read as Windows-1252 with its undefined bytes as C1 controls, when that is the
    only way Windows-1252 fails and its letters fit a language at least as well as the
    reading `best` that was detected (a stray 0x81 made a French text KOI8-R: "CafИ")."""
    if not _CP1252_UNDEFINED.intersection(data):
        return None
    text = data.decode("latin-1").translate(_CP1252_TABLE)
    if _alphabet_fit(text) < _alphabet_fit(data.decode(best)):
        return None
    stray = sorted({f"0x{b:02x}" for b in data if b in _CP1252_UNDEFINED})
    where = next(i for i, b in enumerate(data) if b in _CP1252_UNDEFINED)
    line = data.count(b"\n", 0, where) + 1
    return Decoded(text, "cp1252", [(
        "encoding", f"decoded as cp1252: not UTF-8, with byte(s) {', '.join(stray)} that "
        f"cp1252 leaves undefined (first on line {line}), read as control characters")],
        [warning(f"not UTF-8; decoded as cp1252, a guess, though it leaves byte(s) "
                 f"{', '.join(stray)} undefined (first on line {line}): check the result, or "
                 "give the encoding with --encoding", source, line)])


#: Windows-1252 over Latin-1: the bytes 0x80-0x9F it defines, mapped to its characters.
_CP1252_TABLE = {b: bytes([b]).decode("cp1252") for b in range(0x80, 0xA0)
                 if b not in _CP1252_UNDEFINED}


def _decode_as(data: bytes, encoding: str, source: str | None) -> Decoded:
    """Decode with the encoding the user named (for inputs that are not UTF-8)."""
    try:
        name = text_encoding(encoding)
        text = data.decode(name)
    except LookupError as exc:
        raise InputError(f"{exc}; --encoding takes a text encoding such as cp1252",
                         source) from exc
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(f"byte {exc.start} (0x{data[exc.start]:02x}) is not valid "
                         f"{encoding} either; check --encoding", source, line) from exc
    return Decoded(text, name, [("encoding", f"decoded as {name} (--encoding): not UTF-8")],
                   [info(f"not UTF-8; decoded as {name} as --encoding says", source)])


def text_encoding(name: str) -> str:
    """The canonical name of a text encoding; LookupError for others (base64, rot13)."""
    codec = codecs.lookup(name)
    try:
        "".encode(codec.name)  # a bytes-to-bytes codec refuses str; "undefined" refuses all
    except (UnicodeError, TypeError) as exc:
        raise LookupError(f"{name!r} is not a text encoding") from exc
    return codec.name


def _partly_utf8(data: bytes, source: str | None) -> Decoded | None:
    """Text that is UTF-8 in places and a legacy code page elsewhere, or UTF-8 cut short.

    Guessing one code page for the whole file would garble every good UTF-8 character to
    explain the others. A UTF-8 sequence is believed when it gives what news text holds
    (Latin letters, punctuation, currency signs, words of another script); two legacy bytes
    that happen to form one (cp1252 "ß“") give an odd lone character and stay legacy bytes.
    Without such characters the file is taken as legacy text (None). Otherwise the legacy
    bytes are read in the code page detected from them, an incomplete character that ends the
    file is dropped (the file was cut short; the original keeps its bytes), and both are
    recorded as repairs, with the lines.
    """
    text = data.decode("utf-8", "surrogateescape")
    stray_end = _STRAY_END.search(text)
    cut = data[len(data) - len(stray_end.group()):] if stray_end else b""
    alone = len(_STRAY.findall(text)) == len(cut)  # no other byte in the file is stray
    if not (cut and _incomplete_utf8(cut) and (len(cut) > 1 or alone)):
        cut = b""  # one lead byte after other stray bytes: a legacy "à" more likely
    text = text[:len(text) - len(cut)]
    believed = [m.span() for m in re.finditer(_BELIEVED_UTF8, text)
                if not _mixed_script(text, m)]
    if not believed:
        return None
    parts: list[str | bytes] = []  # believed UTF-8 (str), and the bytes between (bytes)
    pos = 0
    for begin, end in believed:
        parts += [text[pos:begin].encode("utf-8", "surrogateescape"), text[begin:end]]
        pos = end
    parts.append(text[pos:].encode("utf-8", "surrogateescape"))
    legacy = b" ".join(part for part in parts if isinstance(part, bytes))
    encoding = _detect(legacy) if any(b >= 0x80 for b in legacy) else "cp1252"
    if encoding is None:
        return None
    out: list[str] = []
    stray_lines: list[int] = []
    line = 1
    for part in parts:
        if isinstance(part, bytes):
            stray_lines += [line + part.count(b"\n", 0, m.start())
                            for m in re.finditer(rb"[\x80-\xff]+", part)]
            out.append(part.decode(encoding, "replace"))
            line += part.count(b"\n")
        else:
            out.append(part)
            line += part.count("\n")
    found: list[tuple[str, int]] = []  # (repair, line)
    if stray_lines:
        shown = ", ".join(f"line {n}" for n in sorted(set(stray_lines))[:5])
        found.append((f"read the bytes that are not UTF-8 as {encoding} ({shown}); the rest "
                      "of the file is UTF-8", stray_lines[0]))
    if cut:
        found.append((f"removed the incomplete UTF-8 character that ends the file (bytes "
                      f"{cut.hex(' ').upper()}): the file was cut short", line))
    return Decoded("".join(out), "utf-8", [("encoding", r) for r, _ in found],
                   [warning(f"{r}; check the result", source, n) for r, n in found])


def _mixed_script(text: str, m: re.Match[str]) -> bool:
    """Whether a match holds a letter of another script and touches an ASCII letter: no word
    is written so, but cp1250 "ÓŁ" is the valid UTF-8 of a Cyrillic "ӣ" ("WSPӣPRACA")."""
    begin, end = m.span()
    edges = text[begin - 1:begin] + text[end:end + 1]
    return bool(re.search(_OTHER_SCRIPT, m.group())) and any(c.isascii() and c.isalpha()
                                                         for c in edges)


def _incomplete_utf8(tail: bytes) -> bool:
    """Whether `tail` is the start of a UTF-8 character whose last byte(s) are missing."""
    first = tail[0]
    need = (2 if 0xC2 <= first < 0xE0 else 3 if 0xE0 <= first < 0xF0
            else 4 if 0xF0 <= first < 0xF5 else 0)
    return len(tail) < need and all(0x80 <= b < 0xC0 for b in tail[1:])


#: Legacy code pages a bulletin may come in, the likeliest first (ties go to the earlier).
_CODE_PAGES = ("cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "iso8859_2",
               "iso8859_15", "iso8859_5", "iso8859_7", "koi8_r", "gb18030", "big5",
               "shift_jis", "euc_kr")
#: A symbol inside a word ("og³osi³" for "ogłosił"), or an odd one at its edge ("¶rodę" for
#: "środę"): a Latin reading of the wrong page. (Not "¿Qué", "«Le", "25°C", "km²".)
_SYMBOL_IN_WORD = re.compile(
    r"[^\W\d_][\u00a1-\u00a9\u00ab-\u00b4\u00b6-\u00b9\u00bb-\u00bf\u00d7\u00f7][^\W\d_]"
    r"|[\u00a2-\u00a8\u00ac\u00af\u00b1\u00b3\u00b4\u00b6\u00b8\u00b9\u00bc-\u00be]"
    r"(?=[^\W\d_])|(?<=[^\W\d_])[\u00a2-\u00a8\u00ac\u00af\u00b1\u00b3\u00b4\u00b6\u00b8"
    r"\u00b9\u00bc-\u00be]")


#: The letters beyond ASCII of the languages written in Latin legacy code pages (lower case).
_ALPHABETS = (
    "àâæçéèêëîïôœùûüÿ",  # French
    "äöüß",  # German
    "áéíñóúü",  # Spanish
    "áâãàçéêíóôõú",  # Portuguese
    "àèéìíîòóùú",  # Italian
    "áäéëíïóöúü",  # Dutch
    "åäæöøéü",  # Danish, Norwegian, Swedish, Finnish
    "ąćęłńóśźż",  # Polish
    "áčďéěíňóřšťúůýž",  # Czech
    "áäčďéíĺľňóôŕšťúýž",  # Slovak
    "áéíóöőúüű",  # Hungarian
    "ăâîșțşţ",  # Romanian
    "čćđšž",  # Croatian, Slovene
    "çğıöşü",  # Turkish
    "ąčęėįšųūž",  # Lithuanian
    "āčēģīķļņšūž",  # Latvian
    "áðéíóúýþæö",  # Icelandic
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяґєіїђјљњћџ",  # Cyrillic
    "αβγδεζηθικλμνξοπρστυφχψωάέήίόύώϊϋΐΰς",  # Greek
)
_ALPHABET_SETS = tuple(frozenset(alphabet) for alphabet in _ALPHABETS)
#: What an ISO page makes of the bytes 0x80-0x9F, which the Windows pages use for text ("—",
#: "ś"): no text holds these control characters, so such a reading is the wrong page.
_C1_CONTROL = re.compile("[\x80-\x9f]")
#: Letters of the scripts the alphabets cover; others (Han, kana, Hangul) are not weighed.
_WEIGHED = re.compile("[\u00c0-\u024f\u0370-\u03ff\u0400-\u052f]")
#: Letters of scripts other than Latin (compiled on first use, see _BELIEVED_UTF8: ~8 ms).
_OTHER_SCRIPT = ("[\u0370-\u052f\u0590-\u06ff\u0e00-\u0e7f\u3040-\u30ff"
                 "\u4e00-\u9fff\uac00-\ud7af]")
#: A Greek or Cyrillic letter touching an ASCII letter.
_MIXED_SCRIPT = re.compile("(?<=[A-Za-z])[\u0370-\u052f]|[\u0370-\u052f](?=[A-Za-z])")


_WORD = re.compile(r"[^\W\d_]+")


def _alphabet_fit(text: str) -> tuple[float, float]:
    """How well languages' alphabets hold the text's letters beyond ASCII: the share of its
    words with such letters that one alphabet holds each ("Guðrún" Icelandic, "Battistò"
    Italian: a bulletin names people of many countries), then the largest share of all those
    letters one alphabet holds (a text of one language). 1.0 and 1.0 for a right reading;
    the wrong page mixes letters of several in a word ("Guđrún") or across the text
    ("zahranièí" Italian, "støedu" Danish)."""
    lowered = text.lower()
    letters = [c for c in _WEIGHED.findall(lowered) if c.isalpha()]
    if not letters:
        return 1.0, 1.0
    mixed = len(_MIXED_SCRIPT.findall(text))  # "GrцГџere": no language writes words so
    words = [set(found) for w in _WORD.findall(lowered) if (found := _WEIGHED.findall(w))]
    held = sum(any(word <= alphabet for alphabet in _ALPHABET_SETS) for word in words)
    return (round((held - mixed) / len(words), 2),
            round((max(sum(c in alphabet for c in letters) for alphabet in _ALPHABETS) - mixed)
                  / len(letters), 2))


def _detect(data: bytes) -> str | None:
    """The most likely legacy code page of `data`, named as Python names it.

    charset-normalizer measures each reading's mess (chaos) and how well it fits a language
    (coherence); on its own it often names exotic pages for a few accented words (cp775, Mac
    Central European, Big5), and its coherence is noise on a sentence (it reads "£1.45" as
    Polish "Ł1.45"). Here it only weighs the pages bulletins come in: first by how well
    languages' alphabets hold the reading's letters, word by word and over the whole text,
    then Windows-1252 before the others, then by coherence minus chaos; a reading with a
    symbol inside a word, or a C1 control character, is passed over.
    """
    from charset_normalizer import from_bytes

    # A reading that turns ASCII letters into something else ("\xe9p" as one GB18030
    # character) loses words of the bulletin: never taken.
    letters = sum(1 for b in data if 0x41 <= b <= 0x5A or 0x61 <= b <= 0x7A)
    ranked = sorted((m for m in from_bytes(data, cp_isolation=list(_CODE_PAGES), threshold=1.0)
                     if sum(1 for c in str(m) if c.isascii() and c.isalpha()) == letters),
                    key=lambda m: (tuple(-fit for fit in _alphabet_fit(str(m))),
                                   "cp1252" not in m.could_be_from_charset,
                                   -round(m.coherence - m.chaos, 2),
                                   _CODE_PAGES.index(m.encoding)))
    best = next((m for m in ranked if not _SYMBOL_IN_WORD.search(text := str(m))
                 and not _C1_CONTROL.search(text)), ranked[0] if ranked else None)
    if best is None:
        return None
    try:
        if data.decode("cp1252") == str(best):  # the same text: name the usual page
            return "cp1252"
    except UnicodeDecodeError:
        pass
    return codecs.lookup(best.encoding).name


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


def _not_xml(c: str) -> bool:
    """Whether a character `_NOT_XML` found is one XML cannot hold (a BMP one always is)."""
    return ord(c) <= 0xFFFF or ord(c) & _ASTRAL_NONCHARACTER == _ASTRAL_NONCHARACTER


def decode(data: bytes | str, source: str | None = None,
           encoding: str | None = None) -> Decoded:
    """Decode and clean `data` (bytes, or text a caller already decoded); raises InputError
    when it is not usable text.

    `encoding` is the user's word for inputs that are not UTF-8 (a BOM or valid UTF-8 still
    wins): it replaces the guess.
    """
    if not data:
        raise InputError("empty input: the file has no bytes", source)
    if len(data) > MAX_BYTES:
        raise InputError(f"input too large: {len(data)} bytes (limit {MAX_BYTES}); a bulletin "
                         "is a few kilobytes, so this is probably not one", source)
    d = Decoded(data, "utf-8") if isinstance(data, str) else _decode_bytes(data, source,
                                                                             encoding)
    suspect = _SUSPECT.search(d.text) is not None
    if suspect and _MOJIBAKE_HINT.search(d.text):
        _repair_mojibake(d, source)
    if suspect and (references := _HTML_REFERENCE.findall(d.text)):
        import html

        # Only whole references: html.unescape on the text would also read "&sect" in a
        # URL's "&section=" as "§".
        d.text = _HTML_REFERENCE.sub(lambda m: html.unescape(m.group()), d.text)
        shown = ", ".join(sorted(set(references))[:5])
        d.repairs.append(("html-entities", f"decoded {len(references)} HTML character "
                          f"reference(s) such as {shown}"))
        d.messages.append(warning(f"the text holds HTML character references ({shown}); "
                                  "decoded them", source))
    if "\r" in d.text:
        d.text = d.text.replace("\r\n", "\n").replace("\r", "\n")
        d.repairs.append(("newlines", "converted CRLF/CR line ends to LF"))
    controls = _CONTROLS.findall(d.text) if suspect else []
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
    if suspect and not d.text.isascii() and (
            bad := [c for c in _NOT_XML.findall(d.text) if _not_xml(c)]):
        d.text = _NOT_XML.sub(lambda m: "\ufffd" if _not_xml(m.group()) else m.group(), d.text)
        shown = ", ".join(sorted({f"U+{ord(c):04X}" for c in bad})[:5])
        d.repairs.append(("xml-characters", f"replaced {len(bad)} character(s) that XML "
                          f"cannot hold ({shown}) by U+FFFD"))
        d.messages.append(warning(f"replaced {len(bad)} character(s) that XML cannot hold "
                                  f"({shown}) by U+FFFD", source))
    if not d.text.isascii() and not unicodedata.is_normalized("NFC", d.text):
        d.text = unicodedata.normalize("NFC", d.text)
    if "\t" in d.text:
        d.text = d.text.replace("\t", " ")
    return d
