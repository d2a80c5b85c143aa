"""Canonical bulletin -> pandoc Markdown, so pandoc converts the same content as our writers.

The comparison is fair only if pandoc gets the same words and structure: metadata in a YAML
block (title, author, date, language), the byline and dateline as paragraphs, then every body
block in its nearest Markdown form. Every ASCII punctuation mark pandoc could read as markup
is escaped, so the text comes out as written.
"""

from __future__ import annotations

import json
import re

from convert import model

#: Punctuation pandoc's Markdown gives a meaning to (emphasis, links, lists, math, citations...).
_MARKUP = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~^$@&:=])")


def escape(text: str) -> str:
    return _MARKUP.sub(r"\\\1", text)


def _metadata(h: model.Head) -> str:
    """A YAML block; values are JSON strings, which YAML reads as they are (pandoc then reads
    title and author as Markdown, hence escaped)."""
    fields = {"title": escape(h.title or h.id), "author": h.author and escape(h.author),
              "lang": h.lang, "date": h.date if h.date and not h.date.startswith("--") else None}
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in fields.items() if v]
    return "\n".join(["---", *lines, "---"])


def _block(el: model.Element) -> list[str]:
    """The Markdown paragraphs of one body block."""
    kind = model.local(el)
    if kind == "p":
        return [escape(model.text(el) or "")]
    if kind == "heading":
        return ["## " + escape(model.text(el) or "")]
    if kind == "quote":
        return ["\n>\n".join("> " + escape(model.text(p) or "") for p in el)]
    if kind == "list":
        numbered = el.get("type") == "number"
        return ["\n".join((f"{n}. " if numbered else "- ") + escape(model.text(item) or "")
                          for n, item in enumerate(el, start=1))]
    if kind == "resolution":
        return [escape(model.text(c) or "") for c in el]
    if kind == "qa":
        out: list[str] = []
        for speech in el:
            speaker, *paras = list(speech)
            label = f"**{escape(model.text(speaker) or '')}:**"
            texts = [escape(model.text(p) or "") for p in paras]
            out.append(f"{label} {texts[0]}" if texts else label)
            out.extend(texts[1:])
        return out
    return [escape(model.text(el) or "")]


def to_markdown(doc: model.Element) -> str:
    """One bulletin as Markdown, with its own YAML block."""
    h = model.head(doc)
    paras = [_metadata(h)]
    paras.extend(escape(t) for t in (h.byline, h.dateline) if t)
    for block in model.body(doc):
        paras.extend(_block(block))
    return "\n\n".join(paras) + "\n"
