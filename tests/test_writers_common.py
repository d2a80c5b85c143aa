"""What every writer must do, whatever its format: checked the same way for each of them."""

from __future__ import annotations

import copy
import io
import subprocess
import zipfile

import docx
import pytest
from lxml import etree

from convert import model
from convert.messages import Level
from convert.writers import ALL, WriteOptions, get


def visible_text(fmt: str, data: bytes) -> str:
    """The text a reader of the rendition sees, extracted with the format's own tools."""
    if fmt == "tei":
        return " ".join(etree.fromstring(data).itertext())
    if fmt == "epub":
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return " ".join(etree.fromstring(z.read("EPUB/bulletin.xhtml")).itertext())
    if fmt == "docx":
        return " ".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
    assert fmt == "pdf"
    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True).stdout.decode()


@pytest.mark.parametrize("fmt", ALL)
def test_what_cannot_be_rendered_is_reported_not_dropped(fmt: str,
                                                         everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    model.sub(model.find(doc, "body"), "sidebar", "Ice thickness table follows")
    out = io.BytesIO()
    messages = get(fmt).write(doc, out, WriteOptions())
    assert [m.level for m in messages] == [Level.WARNING]
    assert "<sidebar>" in messages[0].text
    assert "Ice thickness table follows" in " ".join(visible_text(fmt, out.getvalue()).split())


@pytest.mark.parametrize("fmt", ALL)
def test_a_writer_never_changes_the_tree(fmt: str, everything: model.Element) -> None:
    doc = copy.deepcopy(everything)
    before = model.dump(doc)
    get(fmt).write(doc, io.BytesIO(), WriteOptions())
    assert model.dump(doc) == before
