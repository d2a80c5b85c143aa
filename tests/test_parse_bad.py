"""Bad input: a clear typed error or a valid document with a warning, never a traceback."""

from __future__ import annotations

import codecs
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BAD, HugeLine
from corpus_facts import facts
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from convert import model, parse, parse_file
from convert.messages import InputError, Level, ReaderError
from convert.reader.decode import decode
from convert.schema import validate


def parsed(name: str):
    result = parse_file(BAD / name)
    for doc in result.documents:
        assert validate(doc) == []
    return result


@pytest.mark.parametrize("name, reason", [
    ("empty.txt", "empty input"),
    ("whitespace-only.txt", "no text"),
    ("binary.bin", "not a text file"),
    ("title-only.txt", "no dateline and no body"),
])
def test_unusable_inputs_raise_a_clear_error(name: str, reason: str) -> None:
    with pytest.raises(InputError) as info:
        parse_file(BAD / name)
    message = str(info.value)
    assert reason in message
    assert str(BAD / name) in message


def test_binary_error_gives_the_offset() -> None:
    with pytest.raises(InputError, match=r"byte \d+"):
        parse_file(BAD / "binary.bin")


def test_title_only_error_shows_the_title_not_the_chrome() -> None:
    with pytest.raises(InputError) as info:
        parse_file(BAD / "title-only.txt")
    assert "Footbridge Reopens Over the Old Harbor of Split" in str(info.value)
    assert info.value.line == 5


def test_no_dateline_warns_and_keeps_every_paragraph() -> None:
    result = parsed("no-dateline.txt")
    got = facts(result.documents[0])
    assert got["title"] == "Lake Ferry Crews Count the Cost of a Dry Summer"
    assert (got["date"], got["agency"], got["place"]) == (None, None, None)
    assert got["blocks"] == ["p", "p", "p"]
    assert any("no dateline" in m.text and m.level is Level.WARNING for m in result.messages)


def test_windows_1252_is_decoded_with_a_warning() -> None:
    result = parsed("cp1252.txt")
    doc = result.documents[0]
    got = facts(doc)
    assert got["title"] == ("Nîmes Café Owners Back the Tram Extension: “Finish It Before the "
                            "Next Election”")
    assert (got["date"], got["agency"]) == ("2015-10-14", "EIRNS")
    assert got["boilerplate"] == ["Subscribe to EIR Online", "Back to top"]
    assert got["blocks"] == ["p", "p", "p"]
    text = model.content_text(doc)
    for ch in "îéô“”’—…€":
        assert ch in text, ch
    assert "\ufffd" not in text
    assert any("cp1252" in m.text for m in result.messages if m.level is Level.WARNING)
    source = model.find(doc, "head/source")
    assert source is not None and source.get("encoding") == "cp1252"
    assert model.find(doc, "head/repairs/repair").get("kind") == "encoding"


def test_mojibake_is_repaired_and_recorded() -> None:
    result = parsed("mojibake.txt")
    doc = result.documents[0]
    got = facts(doc)
    assert got["title"] == "Seville’s Riverside Tram Opens—With a Lane for Bicycles"
    assert got["date"] == "2021-03-12"
    assert got["boilerplate"] == ["Executive Intelligence Review", "Subscribe to EIR"]
    assert got["blocks"] == ["p", "p"]
    text = model.content_text(doc)
    assert "â€" not in text and "\x9d" not in text and "Ã" not in text
    assert "”" in text
    assert model.find(doc, "head/repairs/repair").get("kind") == "mojibake"
    assert any("double-encoded" in m.text for m in result.messages)


def test_utf16_with_bom() -> None:
    doc = parsed("utf16-bom.txt").documents[0]
    got = facts(doc)
    assert got["title"] == "Łódź Opens a Tram Tunnel Under the Rebuilt Fabryczna Station"
    assert got["date"] == "2017-11-27"
    assert got["boilerplate"] == ["Subscribe to EIR Online", "Back to top"]
    assert got["blocks"] == ["p", "p"]


def test_crlf_parses_like_lf_without_warning() -> None:
    result = parsed("crlf.txt")
    lf = parse((BAD / "crlf.txt").read_bytes().replace(b"\r\n", b"\n"))
    got, want = facts(result.documents[0]), facts(lf.documents[0])
    assert got == want
    assert got["title"] == "Antwerp Fits Its Barge Quays With Charging Points"
    assert got["blocks"] == ["p", "p", "p"]
    assert b"\r" not in model.dump(result.documents[0])
    assert not [m for m in result.messages if m.level is not Level.INFO]


def test_huge_line_is_kept_whole(huge_line: HugeLine) -> None:
    assert huge_line.line_chars >= 2_000_000
    result = parse_file(huge_line.path)
    doc = result.documents[0]
    assert validate(doc) == []
    assert facts(doc)["title"] == huge_line.title
    assert facts(doc)["date"] == "2021-03-02"
    assert facts(doc)["blocks"] == ["p"]
    line = (model.head(doc).dateline or "") + (next(model.body(doc)).text or "")
    assert hashlib.sha256(line.encode()).hexdigest() == huge_line.line_sha256


HOSTILE = {
    "billion-laughs": b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<bulletin xmlns="urn:bulletin-convert:canonical:1">&lol3;</bulletin>""",
    "external-entity": b"""<?xml version="1.0"?>
<!DOCTYPE b [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<bulletin xmlns="urn:bulletin-convert:canonical:1"><head><title>&x;</title></head></bulletin>""",
    "network-dtd": b"""<?xml version="1.0"?>
<!DOCTYPE bulletin SYSTEM "http://127.0.0.1:9/evil.dtd">
<bulletin xmlns="urn:bulletin-convert:canonical:1"/>""",
    "malformed": (b"<?xml version='1.0'?>\n"
                  b"<bulletin xmlns='urn:bulletin-convert:canonical:1'>\n<head>"),
    "foreign-root": b"<?xml version='1.0'?>\n<html><body/></html>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused(name: str) -> None:
    with pytest.raises(InputError) as info:
        parse(HOSTILE[name], name=f"{name}.xml")
    text = str(info.value)
    assert "root:" not in text  # /etc/passwd was never read
    assert "lol" * 8 not in text
    assert info.value.line is not None


def test_canonical_xml_input_round_trips(everything_xml: bytes) -> None:
    doc = parse(everything_xml, name="everything.xml").documents[0]
    assert model.dump(doc) == everything_xml


def test_cli_never_prints_a_traceback(tmp_path) -> None:
    inputs = [str(BAD / n) for n in ("empty.txt", "binary.bin", "title-only.txt", "cp1252.txt")]
    proc = subprocess.run([sys.executable, "-m", "convert", "parse", *inputs, "-o", str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    assert (tmp_path / "cp1252.xml").exists()
    errors = [line for line in proc.stderr.splitlines() if ": error: " in line]
    assert len(errors) == 3
    assert any(line.startswith(f"{BAD / 'title-only.txt'}:5: error:") for line in errors)


# --- encodings beyond the corpus ------------------------------------------------------------

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "harbor-cranes.txt"


def words_of(result) -> list[str]:
    return [w for doc in result.documents for w in model.words(model.content_text(doc))]


def encoding_of(result) -> str | None:
    return model.find(result.documents[0], "head/source").get("encoding")


def repairs_of(result) -> list[tuple[str, str]]:
    return [(r.get("kind"), r.text) for doc in result.documents
            for r in doc.iter(model.q("repair"))]


def test_a_stray_byte_in_utf8_is_read_as_cp1252_not_the_whole_file() -> None:
    clean = EXAMPLE.read_bytes()
    assert "—".encode() in clean  # the file's own UTF-8 must survive the stray byte
    lines = clean.split(b"\n")
    number = next(i for i, line in enumerate(lines) if b"chairwoman" in line)
    lines[number] = lines[number].replace(b"chairwoman,", b"chairwoman (caf\xe9 owner),")
    result = parse(b"\n".join(lines), name="stray.txt")
    expected = parse(b"\n".join(lines).replace(b"\xe9", "é".encode()), name="stray.txt")
    assert words_of(result) == words_of(expected)
    [message] = [m for m in result.messages if m.level is Level.WARNING]
    assert message.line == number + 1 and "as cp1252" in message.text
    assert encoding_of(result) == "utf-8"
    assert any(kind == "encoding" and f"line {number + 1}" in text
               for kind, text in repairs_of(result))


def test_utf8_cut_short_loses_only_its_incomplete_last_character() -> None:
    clean = EXAMPLE.read_bytes().rstrip(b"\n")
    result = parse(clean + "—".encode()[:2], name="cut.txt")
    assert words_of(result) == words_of(parse(clean, name="cut.txt"))
    [message] = [m for m in result.messages if m.level is Level.WARNING]
    assert "cut short" in message.text and "E2 80" in message.text
    assert message.line == clean.count(b"\n") + 1


#: Texts in the legacy code pages bulletins come in, each with traps for a guesser: a few
#: accented words, one-letter accented words (à, où), capitals next to quotes or no-break
#: spaces, byte pairs that happen to be valid UTF-8 (cp1252 "ß“", cp1251 "Д»").
LEGACY = {
    "French, a few accents": ("Il est allé à Paris où il a été reçu à l'Élysée.", "cp1252"),
    "French in Latin-1": ("Le ministre est à Paris, où il a dû répondre à la presse. " * 3,
                          "latin-1"),
    "French capitals": ("ÉTÉ\xa0: LA RÉFORME DES RETRAITES\nLe ministre a parlé.", "cp1252"),
    "Portuguese": ("A decisão é do ministro e já está à espera do presidente.", "cp1252"),
    "German quotes": ("Er wohnt in der Hauptstraße. „Der Fluß“ war groß.", "cp1252"),
    "Spanish capitals": ("ESPAÑA”, dijo el señor Núñez. ¿Será suficiente?", "cp1252"),
    "one word": ("The old tram dépôt of the town reopened today as a museum.", "cp1252"),
    "pounds": ("Petrol now costs £1.45 a litre, up 2p on the week.", "cp1252"),
    "one name": ("The company said that Zoë Smith was appointed chief executive.", "cp1252"),
    "micro": ("The particles were 10 µm wide.", "cp1252"),
    "French elisions": ("Ça a été déjà évoqué à Orléans.", "cp1252"),
    "Portuguese capitals": ("A DECISÃO NÃO AGRADOU À POPULAÇÃO EM SÃO PAULO", "cp1252"),
    "Icelandic": ("Forsætisráðherra tilkynnti á miðvikudag.", "cp1252"),
    "Slovak": ("Je to neúspech, povedala poslankyňa z Ľubietovej.", "cp1250"),
    "quotes only": ("HEADLINE\n\n“Yes.” “No.” “Maybe…”\n", "cp1252"),
    "last letter": ("Meeting held at the Town Hall Café", "cp1252"),
    "Polish": ("Minister spraw zagranicznych oświadczył w środę, że Polska będzie "
               "współpracować z sąsiadami. Łódź i Gdańsk przygotowują się.", "cp1250"),
    "Polish in ISO 8859-2": ("Źródła podają, że żaden z kandydatów nie zgłosił sprzeciwu, a "
                             "minister oświadczył w środę, że Łódź jest gotowa.", "iso8859-2"),
    "Russian in KOI8-R": ("Министр иностранных дел заявил в среду, что правительство "
                          "подготовит новый закон о транспорте.", "koi8-r"),
    "Hungarian": ("A miniszterelnök szerdán bejelentette, hogy a kormány új törvényt készít "
                  "elő. Győr és Pécs városában tüntetések voltak.", "cp1250"),
    "Polish capitals": ("WSPÓŁPRACA Z SĄSIADAMI\nMinister ogłosił plan.", "cp1250"),
    "Czech": ("Ministr zahraničí České republiky řekl ve středu, že vláda připraví nový "
              "zákon o ochraně přírody.", "cp1250"),
    "Turkish": ("Dışişleri Bakanı çarşamba günü hükümetin yeni bir yasa hazırlayacağını "
                "söyledi. İstanbul ve Ankara'da gösteriler yapıldı.", "cp1254"),
    "Russian": ("Министр иностранных дел заявил в среду, что правительство подготовит "
                "новый закон. «Это важный шаг», — сказал он.", "cp1251"),
    "Russian abbreviations": ("Сообщает агентство «ТАСС». Министерство «МВД» заявило.",
                              "cp1251"),
    "Greek": ("Ο υπουργός Εξωτερικών δήλωσε την Τετάρτη ότι η κυβέρνηση θα ετοιμάσει νέο "
              "νόμο. «Είναι ένα σημαντικό βήμα», είπε.", "cp1253"),
    # names of several languages in one text: no one alphabet holds all their letters
    "names of many countries": ("Guðrún Sigurðardóttir met Luca Battistò, Søren Ørsted and "
                                "José Núñez at the quay in Ålesund.", "cp1252"),
    # ISO 8859-2 reads the dash and "ś" (0x97, 0x9C) as control characters
    "Polish and Czech names, Windows dash": (
        "KRAKOW, May 4 (EIRNS)—Mayors Łukasz Król and Jiří Dvořák met Tomasz Wiśniewski. "
        "“The line is ready,” said Król.", "cp1250"),
    "French in ISO 8859-15": ("Le cœur de l'œuvre coûte 5 € ; Œdipe et Žižek en ont "
                              "parlé à Šibenik.", "iso8859-15"),
    "Greek in ISO 8859-7": ("Ο υπουργός δήλωσε ότι η Άνοιξη θα έρθει νωρίς. Ή όχι; Ένας "
                            "βουλευτής διαφώνησε.", "iso8859-7"),
    "Russian in ISO 8859-5": ("Министр иностранных дел заявил в среду, что правительство "
                              "подготовит новый закон о транспорте.", "iso8859-5"),
}


@pytest.mark.parametrize("text, encoding", LEGACY.values(), ids=LEGACY.keys())
def test_legacy_code_pages_are_read_right(text: str, encoding: str) -> None:
    decoded = decode(text.encode(encoding))
    assert decoded.text == text, decoded.encoding


@pytest.mark.parametrize("label", ["French capitals", "German quotes", "Polish", "Russian"])
def test_a_file_partly_utf8_reads_each_part_in_its_own_encoding(label: str) -> None:
    text, encoding = LEGACY[label]
    head = "Résumé — 5 € "
    decoded = decode(head.encode() + text.encode(encoding))
    assert decoded.text == head + text
    assert decoded.encoding == "utf-8" and f"as {codecs.lookup(encoding).name}" in \
        decoded.repairs[0][1]


@pytest.mark.parametrize("data, text", [
    ("Он живёт в Москве – сказал он.".encode().replace("–".encode(), b"\x96"),
     "Он живёт в Москве – сказал он."),  # one-letter words of another script stay UTF-8
    ("Путин прибыл в Пекин и встретился с Си".encode()[:-1],
     "Путин прибыл в Пекин и встретился с С"),
    ("总理周三宣布了改革。议员说。".encode() + b"\x96", "总理周三宣布了改革。议员说。–"),
    ("Президент России в среду объявил о реформе.\n".encode()
     + "© Agence France-Presse".encode("cp1252"),
     "Президент России в среду объявил о реформе.\n© Agence France-Presse"),
    (b"Gr\xf6\xc3\x9fere St\xc3\xa4dte", "Größere Städte"),  # a stray byte beside UTF-8
    (b"Ba\xc5\x9fbakan \xe9\xc3\xa7ar\xc5\x9famba", "Başbakan éçarşamba"),
    (b"\xef\xbb\xbf" + "Grève à Besançon".encode()[:-1], "Grève à Besanço"),
])
def test_partly_utf8_files_keep_their_utf8(data: bytes, text: str) -> None:
    assert decode(data).text == text


def test_html_references_are_decoded_but_urls_kept() -> None:
    data = b"Title\n\nMay 4, 2019 (EIRNS)--Marks &amp; Spencer: https://x.org/?id=5&section=uk\n"
    assert "Marks & Spencer: https://x.org/?id=5&section=uk" in decode(data).text


def test_one_trailing_lead_byte_is_a_cut_alone_and_a_legacy_letter_among_others() -> None:
    assert decode("Voilà — voil".encode() + b"\xe0").text == "Voilà — voil"
    assert decode("Voilà — d".encode() + b"\xe9j\xe0").text == "Voilà — déjà"


def test_a_byte_windows_1252_leaves_undefined_does_not_make_it_another_page() -> None:
    """One stray 0x81 (undefined in Windows-1252: a corrupted download) made the guesser read
    a French bulletin as KOI8-R ("CafИ", the dateline's dash "≈", so no dateline). Read as
    browsers do, the byte is a control character, removed as a recorded repair."""
    text = ("Café Owners Meet the Mayor\n\nLYON, June 23, 2017 (EIRNS)—The café owners of "
            "the old town “met” the mayor today. They asked for longer terrace hours.\n")
    data = text.encode("cp1252").replace("“".encode("cp1252"), b"\x81", 1)
    result = parse(data, name="stray.txt")
    doc = result.documents[0]
    assert encoding_of(result) == "cp1252"
    assert model.head(doc).title == "Café Owners Meet the Mayor"
    date = model.find(doc, "head/dateline/date")
    assert date is not None and date.get("when") == "2017-06-23"
    assert "The café owners of the old town met” the mayor" in model.content_text(doc)
    shown = [str(m) for m in result.messages]
    assert any("stray.txt:3: warning: not UTF-8; decoded as cp1252" in t and "0x81" in t
               for t in shown), shown
    assert any("removed 1 control character(s) (U+0081)" in t for t in shown), shown


def test_encoding_option_replaces_the_guess() -> None:
    text = ("Rail Chiefs Sign Plan\n\nMay 4, 2019 (EIRNS) - The plan, titled "
            "Каспийский коридор, was signed in Астрахань today.\n")
    data = text.encode("koi8-r")
    result = parse(data, name="koi8.txt", encoding="koi8-r")
    assert "каспийский коридор" in " ".join(words_of(result))
    assert not [m for m in result.messages if m.level is Level.WARNING]
    assert encoding_of(result) == "koi8-r"
    # Valid UTF-8 is UTF-8 whatever the option says; bytes the named encoding lacks are an error.
    utf8 = parse(text.encode(), name="u.txt", encoding="koi8-r")
    assert "каспийский коридор" in " ".join(words_of(utf8))
    # UTF-16 without a byte order mark is valid UTF-8 when its text is ASCII: the option wins.
    utf16 = parse(text.encode("utf-16-le"), name="u16.txt", encoding="utf-16-le")
    assert words_of(utf16) == words_of(utf8)
    with pytest.raises(InputError) as info:
        parse(b"Title\n\nMay 4, 2019 (EIRNS)\xe2\x80\x94x \x81\n", name="b.txt",
              encoding="cp1252")
    assert info.value.line == 3 and "not valid cp1252" in info.value.text


def test_a_file_name_that_is_not_utf8_is_recorded_escaped(tmp_path) -> None:
    path = Path(os.fsdecode(bytes(tmp_path) + b"/caf\xe9.txt"))
    path.write_bytes(EXAMPLE.read_bytes())
    result = parse_file(path)
    assert validate(result.documents[0]) == []
    assert model.find(result.documents[0], "head/source").get("name") == "caf\\xe9.txt"
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "convert", "convert", str(tmp_path), "--to",
                           "tei", "-o", str(out)], capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert os.listdir(out) == [os.fsdecode(b"caf\xe9.tei.xml")]


# --- properties --------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from([
    "Subscribe to EIR Online", "Executive Intelligence Review", "PRESS RELEASE", "Back to top",
    "March 4, 2021 (EIRNS)—", "Oct. 2 (LPAC)—", "CAIRO, Nov. 5, 2020 (EIRNS)—", "Oct. 9—",
    "Feb. 30, 2017 (EIRNS)—", "Oct. 2, 2019 – ", '"', "“", "”", "'", "• ", "- ", "  1. ",
    "2. ", "CHAIRWOMAN: ", "VILJOEN (Contractor):", "Whereas, ", "NOW, THEREFORE, BE IT RESOLVED ",
    "Section 1. ", "From Volume 11, Issue 48 of EIR Online, Published December 6, 2012",
    "In this issue:", "by Claire Rousset", "3. ", "•  ", "The council met today.", "clear", "\n",
    "\n\n", " ",
    "\t", "\r\n", "Ω", "Ж", "é", "\x00", "\x9d", "â€”", "<", "&", "]]>", "__",
])


def check_outcome(data: bytes) -> None:
    try:
        result = parse(data, name="fuzz.txt")
    except (InputError, ReaderError) as exc:  # ReaderError: bytes that open like a WARC file
        # where the web extra (warcio) is not installed, as in `make test-lowest`
        assert exc.messages and exc.messages[0].level is Level.ERROR
        return
    assert result.documents
    for doc in result.documents:
        assert validate(doc) == [], model.dump(doc).decode(errors="replace")
        assert model.dump(model.load(model.dump(doc))) == model.dump(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(FRAGMENTS, max_size=40).map("".join))
@example("<\n")  # "<" and no element name: once an IndexError in the HTML sniffer
def test_any_bulletin_like_text_gives_a_valid_document_or_a_typed_error(text: str) -> None:
    check_outcome(text.encode("utf-8", errors="surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
@example(b"WARC/0.")  # sniffed as a WARC file that holds no record: a typed error
def test_any_bytes_give_a_valid_document_or_a_typed_error(data: bytes) -> None:
    check_outcome(data)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=500))
def test_any_text_gives_a_valid_document_or_a_typed_error(text: str) -> None:
    check_outcome(text.encode("utf-8", errors="surrogatepass"))
