"""The canonical XML master itself, as a format `bulletin convert --to xml` can ask for."""

from __future__ import annotations

from typing import BinaryIO

from .. import model
from ..messages import Message
from . import WriteOptions


class CanonicalWriter:
    name = "xml"
    extension = "xml"
    media_type = "application/xml"

    def write(self, doc: model.Element, stream: BinaryIO, options: WriteOptions) -> list[Message]:
        stream.write(model.dump(doc))
        return []
