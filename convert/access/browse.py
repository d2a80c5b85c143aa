"""The pages to browse by: the index, years, months (by day), agencies, places, languages.

Each list is read from catalog.sqlite in the site's order and cut into pages of PAGE_SIZE
bulletins, so no page grows with the collection and memory stays flat.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .. import model, transforms
from ..archiving.catalog import Totals
from . import pages
from .catalog import Catalog
from .pages import Crumb, Frame, Listed, long_date

PAGE_SIZE = 500
LISTED = ("page, title, date, date_as_written, coverage, publisher, language")
HOME = Crumb("Collection", "index.html")

#: make(path, key, render): make the site file `path` hold `render()`, unless the previous
#: build made it from the same `key` (None: made every time).
Make = Callable[[str, str | None, Callable[[], bytes]], None]


def _listed(row: tuple[str, ...]) -> Listed:
    return Listed(*row)


def numbered(base: str, n: int) -> str:
    """The path of page n (from 0) of a list whose first page is `base`.html."""
    return f"{base}.html" if n == 0 else f"{base}-{n + 1}.html"


@dataclass(frozen=True)
class Group:
    """A value bulletins share (an agency, a place, a language) and its page."""

    key: str
    label: str
    count: int
    base: str  # path of its first page, without .html


def groups(db: Catalog, column: str, key_column: str, folder: str) -> list[Group]:
    """The values of a column, grouped by their folded key and named by their most frequent
    spelling, with a page name each (a slug; a second value with the same slug gets -2)."""
    found: list[Group] = []
    used: set[str] = set()
    current: str | None = None
    for key, spelling, count in db.query(
            f"SELECT {key_column}, {column}, count(*) AS n FROM bulletins WHERE {key_column} "
            f"IS NOT NULL GROUP BY {key_column}, {column} ORDER BY {key_column}, n DESC, "
            f"{column}"):
        if key == current:
            last = found[-1]
            found[-1] = Group(last.key, last.label, last.count + count, last.base)
            continue
        current = key
        slug = transforms.slug(key)[:60].strip("-") or "x"
        name, n = slug, 2
        while name in used:
            name, n = f"{slug}-{n}", n + 1
        used.add(name)
        found.append(Group(key, spelling, count, f"browse/{folder}/{name}"))
    return found


def list_pages(db: Catalog, make: Make, site_title: str, base: str, heading: str,
               crumbs: list[Crumb], where: str, params: tuple[str, ...], intro: str,
               *, by_day: bool = False) -> None:
    """The pages of one list of bulletins (in the site's order). A page is made again only
    when what it shows changed: its key is everything it is made from, its rows included."""
    total = db.one(f"SELECT count(*) FROM bulletins WHERE {where}", params)[0]
    count = max(1, -(-total // PAGE_SIZE))
    paths = [numbered(base, n) for n in range(count)]
    rows: Iterator[tuple[str, ...]] = db.query(
        f"SELECT {LISTED} FROM bulletins WHERE {where} ORDER BY position", params)
    days_before: frozenset[str] = frozenset()  # days begun on an earlier page
    for n, path in enumerate(paths):
        listed = [_listed(row) for row in itertools.islice(rows, PAGE_SIZE)]
        title = heading if count == 1 else f"{heading}, page {n + 1} of {count}"
        key = pages.key(pages.GENERATOR, site_title, paths, n, title, crumbs, intro, by_day,
                        sorted(days_before), listed)
        make(path, key, functools.partial(_list_page, site_title, paths, n, title,
                                          [*crumbs, Crumb(heading, None)], intro, listed,
                                          by_day, days_before))
        days_before |= {_day_anchor(b) for b in listed}


def _day_anchor(b: Listed) -> str:
    return f"d{(b.date or '')[8:10]}"


def _list_page(site_title: str, paths: list[str], n: int, title: str, crumbs: list[Crumb],
               intro: str, listed: list[Listed], by_day: bool, days_before: frozenset[str]
               ) -> bytes:
    frame = Frame(paths[n], title, site_title, crumbs)
    model.child(frame.main, "h1", title)
    model.child(frame.main, "p", intro)
    pages.pager(frame, paths, n)
    parent = None
    day = None
    for b in listed:
        if by_day and (parent is None or b.date != day):
            day = b.date
            anchor = _day_anchor(b)
            continued = anchor in days_before
            h2 = model.child(frame.main, "h2", long_date(b.date) + (
                " (continued)" if continued else ""), id=None if continued else anchor)
            parent = model.child(frame.main, "ol", class_="bulletins")
            h2.tail = None
        elif parent is None:
            parent = model.child(frame.main, "ol", class_="bulletins")
        pages.list_item(frame, parent, b)
    if parent is None:
        model.child(frame.main, "p", "No bulletins.")
    pages.pager(frame, paths, n)
    return frame.bytes()


def dates(db: Catalog, make: Make, site_title: str) -> list[tuple[str, int]]:
    """The year and month pages (and the undated list); returns (year, count) for the index."""
    years = [(y, c) for y, c in db.query(
        "SELECT substr(date, 1, 4) AS y, count(*) FROM bulletins WHERE date IS NOT NULL "
        "GROUP BY y ORDER BY y")]
    for year, count in years:
        frame = Frame(f"browse/{year}.html", year, site_title, [HOME, Crumb(year, None)])
        model.child(frame.main, "h1", f"{year}: {count:,} bulletin{'s' * (count != 1)}")
        days = list(db.query(
            "SELECT substr(date, 6, 2) AS m, substr(date, 9, 2) AS d, count(*) FROM bulletins "
            "WHERE date >= ? AND date < ? GROUP BY m, d ORDER BY m, d",
            (f"{year}-", f"{year}.")))
        months: dict[str, list[tuple[str, int]]] = {}
        for m, d, c in days:
            months.setdefault(m, []).append((d, c))
        for m, ds in months.items():
            name = f"{pages.MONTHS[int(m) - 1]} {year}"
            base = f"browse/{year}-{m}"
            section = model.child(frame.main, "section", aria_labelledby=f"m{m}")
            h2 = model.child(section, "h2", id=f"m{m}")
            frame.a(h2, name, f"{base}.html")
            h2[0].tail = f" ({sum(c for _, c in ds):,})"
            ul = model.child(section, "ul", class_="days")
            before = 0
            for d, c in ds:
                li = model.child(ul, "li")
                page = numbered(base, before // PAGE_SIZE)
                frame.a(li, str(int(d)), f"{page}#d{d}",
                        aria_label=f"{int(d)} {pages.MONTHS[int(m) - 1]}: {c} bulletin"
                                   f"{'s' * (c != 1)}")
                before += c
            list_pages(db, make, site_title, base, name, [HOME, Crumb(year, f"browse/{year}.html")],
                       "date >= ? AND date < ?", (f"{year}-{m}-", f"{year}-{m}."),
                       f"{sum(c for _, c in ds):,} bulletins, by day.", by_day=True)
        make(frame.path, None, frame.bytes)
    undated = db.one("SELECT count(*) FROM bulletins WHERE date IS NULL")[0]
    if undated:
        list_pages(db, make, site_title, "browse/undated", "Undated bulletins", [HOME],
                   "date IS NULL", (), "Bulletins whose dateline gives no year (or no date), "
                   "in the order of their packages.")
    return years


def grouped(db: Catalog, make: Make, site_title: str, kind: str, column: str, key_column: str,
            plural: str) -> list[Group]:
    """A page listing every value of `column` (agencies, places, languages) with a page of
    bulletins for each."""
    found = groups(db, column, key_column, kind)
    all_path = f"browse/{kind}.html"
    frame = Frame(all_path, plural.capitalize(), site_title, [HOME, Crumb(plural.capitalize(),
                                                                          None)])
    model.child(frame.main, "h1", f"{plural.capitalize()} ({len(found):,})")
    pages.counted_list(frame, frame.main,
                       ((g.label, f"{g.base}.html", g.count) for g in
                        sorted(found, key=lambda g: (-g.count, g.key))))
    make(all_path, None, frame.bytes)
    for g in found:
        list_pages(db, make, site_title, g.base, g.label,
                   [HOME, Crumb(plural.capitalize(), all_path)], f"{key_column} = ?", (g.key,),
                   f"{g.count:,} bulletin{'s' * (g.count != 1)}, by date.")
    return found


def index(db: Catalog, make: Make, site_title: str, years: list[tuple[str, int]],
          agencies: list[Group], places: list[Group], languages: list[Group],
          packages: list[tuple[str, str, int, str | None, Totals]]) -> None:
    """SITE/index.html: the collection at a glance, the search box, the ways to browse."""
    total, first, last, undated = db.one(
        "SELECT count(*), min(date), max(date), sum(date IS NULL) FROM bulletins")
    frame = Frame("index.html", site_title, site_title,
                  description=f"{total:,} news bulletins: browse and search")
    main = frame.main
    model.child(main, "h1", site_title)
    span = (f" from {long_date(first)} to {long_date(last)}" if first else "")
    model.child(main, "p", f"{total:,} bulletin{'s' * (total != 1)}{span}"
                + (f" ({undated:,} undated)" if undated else "")
                + f", from {len(agencies):,} agenc{'ies' if len(agencies) != 1 else 'y'} "
                f"in {len(languages):,} language{'s' * (len(languages) != 1)}.", class_="lead")

    search = model.child(main, "section", aria_labelledby="search-heading", class_="search")
    model.child(search, "h2", "Search", id="search-heading")
    form = model.child(search, "form", role="search", id="search-form", action="index.html")
    model.child(form, "label", "Words to find", for_="q")
    row = model.child(form, "div", class_="search-row")
    model.child(row, "input", type="search", id="q", name="q", disabled="disabled",
                autocomplete="off", aria_describedby="search-help")
    model.child(row, "button", "Search", type="submit", disabled="disabled")
    model.child(search, "p", "Finds bulletins holding every word, in any language of the "
                "collection, accents and case aside; end a word with * to find every word "
                "that begins so.", id="search-help", class_="help")
    noscript = model.child(search, "noscript")
    model.child(noscript, "p", "Search needs JavaScript, which is off in this browser. "
                "Everything else works without it: browse by date, agency, place or language "
                "below. catalog.sqlite, beside this page, can be searched with sqlite3 or "
                "Datasette.", class_="note")
    model.child(search, "p", id="search-status", role="status", aria_live="polite")
    model.child(search, "ol", id="results", class_="results")
    model.child(search, "button", "More results", type="button", id="more", hidden="hidden")

    glance = model.child(main, "section", aria_labelledby="glance")
    model.child(glance, "h2", "At a glance", id="glance")
    dl = model.child(glance, "dl", class_="glance")
    model.child(dl, "dt", "Bulletins")
    model.child(dl, "dd", f"{total:,}")
    if first:
        model.child(dl, "dt", "Dates")
        dd = model.child(dl, "dd")
        model.child(dd, "time", long_date(first), datetime=first).tail = " to "
        model.child(dd, "time", long_date(last), datetime=last)
    if undated:
        model.child(dl, "dt", "Undated")
        frame.a(model.child(dl, "dd"), f"{undated:,}", "browse/undated.html")
    for term, found, path in (("Agencies", agencies, "browse/agency.html"),
                              ("Languages", languages, "browse/language.html")):
        model.child(dl, "dt", term)
        dd = model.child(dl, "dd")
        top = sorted(found, key=lambda g: (-g.count, g.key))[:8]
        for i, g in enumerate(top):
            a = frame.a(dd, g.label, f"{g.base}.html")
            more = i < len(top) - 1 or len(found) > len(top)
            a.tail = f" ({g.count:,})" + (", " if more else "")
        if len(found) > len(top):
            frame.a(dd, f"all {len(found):,}", path)
    model.child(dl, "dt", "Packages")
    dd = model.child(dl, "dd")
    ul = model.child(dd, "ul", class_="packages")
    for name, path, count, organization, totals in packages:
        li = model.child(ul, "li", f"{name}: {count:,} bulletin{'s' * (count != 1)}"
                         + (f" from {organization}" if organization else "") + "; ")
        last = frame.a(li, "catalog.csv", f"{path}/catalog.csv", type="text/csv")
        # what could not be archived, and where the collection ends, are part of its story
        q = totals.quarantined
        for number, listing, label, why in (
                (q, "quarantine.csv", f"{q:,} input{'s' * (q != 1)} quarantined",
                 " (could not be archived)"),
                (totals.left_out, "left-out.csv", f"{totals.left_out:,} left out",
                 " of the sources (files and folders not taken)")):
            if number:
                last.tail = (last.tail or "") + "; "
                last = frame.a(li, label, f"{path}/{listing}", type="text/csv")
                last.tail = why

    browse = model.child(main, "section", aria_labelledby="by-date")
    model.child(browse, "h2", "Browse by date", id="by-date")
    items = [(y, f"browse/{y}.html", c) for y, c in years]
    if undated:
        items.append(("undated", "browse/undated.html", undated))
    pages.counted_list(frame, browse, items, cls="counted years")
    for heading, anchor, found, path, shown in (
            ("Browse by agency", "by-agency", agencies, "browse/agency.html", 30),
            ("Browse by place", "by-place", places, "browse/place.html", 60)):
        section = model.child(main, "section", aria_labelledby=anchor)
        model.child(section, "h2", heading, id=anchor)
        top = sorted(found, key=lambda g: (-g.count, g.key))[:shown]
        pages.counted_list(frame, section, ((g.label, f"{g.base}.html", g.count)
                                            for g in sorted(top, key=lambda g: g.key)))
        p = model.child(section, "p")
        frame.a(p, f"All {len(found):,}, by number of bulletins", path)
    model.child(frame.body, "script", src=frame.link("assets/search.js"))
    model.child(frame.body, "script", src=frame.link("search/manifest.js"))
    make("index.html", None, frame.bytes)
