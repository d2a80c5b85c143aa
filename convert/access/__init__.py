"""Access: the copy of a collection people use (OAIS's dissemination package), made from the
packages `bulletin archive` made, which it reads and never writes into.

`build_site(packages, dest)` makes a static site that opens from disk with no server and no
network: an index of the collection with a search box, a page per bulletin (the HTML writer's
page, with its metadata, files, fixity and provenance), lists by date, agency, place and
language, a full-text index in small script files loaded on demand (`search.py`), and
catalog.sqlite with an FTS5 index for server-side search (`catalog.py`). Modules:
`packages.py` reads packages, `site.py` builds, `pages.py` and `browse.py` make the HTML.
"""

from __future__ import annotations

from .packages import PackageError
from .site import SiteError, SiteReport, build

build_site = build

__all__ = ["PackageError", "SiteError", "SiteReport", "build_site"]
