"""Shared test fixtures: the project's own corpus (tests/corpus), an optional extra corpus named
by BULLETIN_EXTRA_CORPUS, and the project's own examples. Nothing outside the repository is
read unless that variable names it."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TESTS = ROOT / "tests"
CORPUS = TESTS / "corpus"
BULLETINS = sorted((CORPUS / "bulletins").glob("*.txt"))
BAD = CORPUS / "bad"
EXAMPLES = ROOT / "examples"
FIXTURES = TESTS / "fixtures"

#: An extra corpus laid out like ours (bulletins/*.txt + expected/*.json), for the facts tests.
EXTRA_CORPUS_VARIABLE = "BULLETIN_EXTRA_CORPUS"


def bulletin(stem: str) -> Path:
    """A bulletin of the corpus by name, for a test that needs its particular property."""
    path = CORPUS / "bulletins" / f"{stem}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no bulletin {path}: tests/corpus/README.md lists them")
    return path


# Bulletins that tests pick for one property each (the comment gives it).
ORDINARY = bulletin("blind1-01-lock-keepers-tender")  # header, one-line title, full dateline
YEAR_LESS = bulletin("blind1-26-northern-airports-yearless-multiquote")  # "Jan. 27 (EIRNS)—"
MALFORMED_DATE = bulletin("check-07-malformed-date-space-before-comma")  # warned on line 3
NO_TITLE = bulletin("blind1-27-no-title-coastal-railway")  # starts with the dateline
DIGEST = bulletin("blind1-18-digest-europe-v11i48")  # a digest page of three items
CYRILLIC = (bulletin("blind1-19-ruse-bridge-cyrillic"),  # Bulgarian
            bulletin("blind3-07-belgrade-icebreakers-cyrillic"),  # Serbian: Ј ћ
            bulletin("check-21-kazakh-cyrillic-guillemets"))  # Kazakh: Қ Ә Ұ Ү Ө Ң Ғ
GREEK = bulletin("blind1-20-thessaloniki-freight-greek")


def expected(path: Path) -> dict:
    """The expected facts of a corpus bulletin: ../expected/STEM.json beside its folder."""
    return json.loads((path.parent.parent / "expected" / f"{path.stem}.json").read_text(
        encoding="utf-8"))


def documents_expected(path: Path) -> int:
    """How many documents a bulletin gives: one, or one per digest item."""
    return len(expected(path).get("items", [None]))


def extra_corpus_bulletins() -> list:
    """pytest params for the extra corpus: its bulletins, or one skipped param without it."""
    folder = os.environ.get(EXTRA_CORPUS_VARIABLE)
    if not folder:
        reason = f"{EXTRA_CORPUS_VARIABLE} is not set: no extra corpus to check"
        return [pytest.param(None, id="extra-corpus", marks=pytest.mark.skip(reason=reason))]
    files = sorted((Path(folder) / "bulletins").glob("*.txt"))
    if not files:
        raise pytest.UsageError(f"{EXTRA_CORPUS_VARIABLE}={folder}: no bulletins/*.txt there")
    return [pytest.param(p, id=f"extra/{p.stem}") for p in files]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite the golden canonical XML files from the current parser output",
    )


@pytest.fixture(scope="session")
def corpus_bulletins() -> list[Path]:
    if not BULLETINS:
        pytest.fail(f"the test corpus is missing: expected bulletins in {CORPUS / 'bulletins'}")
    return BULLETINS


@pytest.fixture(scope="session")
def everything_xml() -> bytes:
    """A hand-written canonical document that uses every element of the vocabulary."""
    return (FIXTURES / "everything.xml").read_bytes()


@pytest.fixture(scope="session")
def corpus_documents(corpus_bulletins: list[Path]) -> dict[str, list]:
    """Every corpus bulletin parsed once: file stem -> its canonical documents."""
    from convert import parse_file

    return {p.stem: parse_file(p).documents for p in corpus_bulletins}


@dataclass(frozen=True)
class HugeLine:
    """A bulletin whose third line is one paragraph of about 2 MB (made at test time)."""

    path: Path
    title: str
    line_sha256: str
    line_chars: int


def write_huge_line(folder: Path) -> HugeLine:
    """Write the 2 MB bulletin into `folder`: a title, a blank line and one long line."""
    title = "Lock Keepers Publish a Year of Gate Readings in Full"
    parts = ["March 2, 2021 (EIRNS)—Gate log of the Weirmoor flight of locks, in the order "
             "the keepers wrote it."]
    n = size = 0
    while size < 2_000_000:
        n += 1
        parts.append(f" Reading {n:06d}: gate {n % 17 + 1} of lock {n % 9 + 1} opened at a "
                     f"head of {n % 40 / 10 + 1:.1f} m, keeper’s note “no fault”.")
        size += len(parts[-1])
    parts.append(" End of the year’s readings.")
    line = "".join(parts)
    path = folder / "huge-line.txt"
    path.write_bytes(f"{title}\n\n{line}\n".encode())
    return HugeLine(path, title, hashlib.sha256(line.encode()).hexdigest(), len(line))


@pytest.fixture(scope="session")
def huge_line(tmp_path_factory: pytest.TempPathFactory) -> HugeLine:
    return write_huge_line(tmp_path_factory.mktemp("huge"))


def shown_words(text: str) -> list[str]:
    """The words of `text` as a laid-out page shows them: a soft hyphen (U+00AD) only marks
    where a word may break, so it does not split the word (blind3-22 has some)."""
    from convert import model

    return model.words(text.replace("\u00ad", ""))


def features(doc) -> set[str]:
    """What a document is made of, as an accessibility checker sees it: each element kind with
    its kind-giving attributes, and which head fields it has."""
    from convert import model

    found = set()
    for el in doc.iter(model.q("*")):
        attrs = ",".join(f"{k}={el.get(k)}" for k in ("type", "kind", "open", "close")
                         if el.get(k) is not None)
        found.add(f"{model.local(el)}[{attrs}]")
    h = model.head(doc)
    found.update(f"no-{name}" for name in ("title", "byline", "place", "agency")
                 if getattr(h, name) is None)
    found.add(f"lang={h.lang}")
    return found


@pytest.fixture(scope="session")
def browser_documents(rendition_documents: dict) -> dict:
    """The documents the browser-driven checkers (DAISY Ace, axe-core) open: each costs about
    a second of Chromium, and they judge structure, not words. So: the fixtures and examples,
    the bad inputs, and corpus documents chosen greedily until every feature of every corpus
    document (see `features`) is in one of them."""
    chosen = {n: d for n, d in rendition_documents.items()
              if n.startswith(("everything", "variant-", "example-", "bad-"))}
    covered = set().union(*(features(d) for d in chosen.values()))
    rest = {n: features(d) for n, d in rendition_documents.items() if n not in chosen}
    while True:
        name, gain = max(((n, len(f - covered)) for n, f in rest.items()),
                         key=lambda item: (item[1], item[0]), default=("", 0))
        if gain == 0:
            return chosen
        chosen[name] = rendition_documents[name]
        covered |= rest.pop(name)


def node_tool(script: str, files: list[Path], work: Path) -> None:
    """Run tests/a11y/SCRIPT (DAISY Ace, axe-core) with Node over `files`, in Debian's Chromium.

    The tools come from the project's node_modules (`make npm-tools`); whatever Chromium and
    Ace keep in a home folder goes to `work`. Each file gets a JSON report beside it; a tool
    that fails outright fails the test."""
    import os
    import shutil
    import subprocess

    node, chromium = shutil.which("node"), shutil.which("chromium")
    if node is None or chromium is None or not (ROOT / "node_modules").is_dir():
        pytest.fail("the accessibility checks need node, Debian's chromium and the project's "
                    "node_modules: run `make npm-tools` (or `make test`)")
    home = {f"XDG_{k}_HOME": str(work) for k in ("CONFIG", "CACHE", "DATA", "STATE")}
    # Ace gives Chromium 5 s to start: too little on a busy 2-core machine.
    env = {**os.environ, **home, "PUPPETEER_EXECUTABLE_PATH": chromium,
           "ACE_TIMEOUT_INITIAL": "60000"}
    done = subprocess.run([node, str(ROOT / "tests" / "a11y" / script), *map(str, files)],
                          env=env, capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, done.stderr[-3000:]


def render(fmt: str, doc, **options: str) -> bytes:
    """The rendition of `doc` in format `fmt`; the writer must have nothing to report."""
    import io

    from convert.writers import WriteOptions, get

    out = io.BytesIO()
    assert get(fmt).write(doc, out, WriteOptions(**options)) == []
    return out.getvalue()


def write_renditions(jobs: dict, fmt: str, folder: Path, extension: str) -> dict:
    """Render name -> (doc, options) into folder/NAME.EXTENSION: name -> (doc, path)."""
    out = {}
    for name, (doc, options) in jobs.items():
        path = folder / f"{name}.{extension}"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(render(fmt, doc, **options))
        out[name] = (doc, path)
    return out


@pytest.fixture(scope="session")
def everything(everything_xml: bytes):
    from convert import model

    return model.load(everything_xml)


def lists_variant(everything):
    """The fixture with the lists the corpus lacks: numbered from 3 ("3."), numbered "7)",
    marked with dashes, and plain."""
    import copy

    from convert import model

    doc = copy.deepcopy(everything)
    body = model.find(doc, "body")
    numbered = next(el for el in body.iter(model.q("list")) if el.get("type") == "number")
    numbered.set("marker", "3.")
    for kind, marker, texts in (("number", "7)", ("the harbor master;", "the council.")),
                                ("bullet", "-", ("ice charts;", "tide tables.")),
                                ("plain", None, ("Riga", "Jūrmala"))):
        lst = model.sub(body, "list", type=kind, marker=marker)
        for text in texts:
            model.sub(lst, "item", text)
    return doc


@pytest.fixture(scope="session")
def rendition_documents(corpus_documents: dict[str, list], everything,
                        huge_line: HugeLine) -> dict:
    """What every rendition is checked on, by output stem: the fixture and its lists variant,
    each example (examples/canonical), each corpus document (digest items as STEM-N), each
    input of corpus/bad/ that parses (with a warning) and the 2 MB line."""
    from convert import model, parse_file
    from convert.messages import InputError

    docs = {"everything": everything, "variant-lists": lists_variant(everything)}
    for path in sorted((EXAMPLES / "canonical").glob("*.xml")):
        docs[f"example-{path.stem}"] = model.load(path.read_bytes())
    for stem, documents in corpus_documents.items():
        for n, doc in enumerate(documents, start=1):
            docs[stem if len(documents) == 1 else f"{stem}-{n}"] = doc
    for path in [*sorted(BAD.glob("*.txt")), huge_line.path]:
        try:
            parsed = parse_file(path)
        except InputError:
            continue
        for n, doc in enumerate(parsed.documents, start=1):
            docs[f"bad-{path.stem}-{n}"] = doc
    return docs


def on_terminal(*args: str | Path, timeout: float = 120) -> tuple[int, bytes]:
    """Run `bulletin ARGS` with its standard error on a pseudo-terminal, as a person at a
    terminal sees it: its exit code and every byte it wrote there (progress bars included)."""
    import pty

    master, slave = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "convert", *map(str, args)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=slave)
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal closes when the process ends
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=timeout)
    os.close(master)
    return process.returncode, seen
