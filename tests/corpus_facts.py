"""The facts of a canonical document in the shape of the corpus's expected/*.json files."""

from __future__ import annotations

from convert import model


def block_kind(el: model.Element) -> str:
    name = model.local(el)
    if name in ("p", "heading"):
        return name
    if name == "qa":
        return f"qa({len(el)})"
    return f"{name}({len(el)})"


def facts(doc: model.Element) -> dict[str, object]:
    h = model.head(doc)
    date = h.date
    if date and h.year_from:
        date = "--" + date[5:]
    return {
        "title": h.title,
        "date": date,
        "agency": h.agency,
        "place": h.place,
        "byline": h.author or h.byline,
        "boilerplate": [text for _, text in h.removed],
        "blocks": [block_kind(b) for b in model.body(doc)],
    }


def speakers(doc: model.Element) -> list[str]:
    return [model.text(s) or "" for s in doc.iter(model.q("speaker"))]
