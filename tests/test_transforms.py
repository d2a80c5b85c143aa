"""Dates and ids: the parts of the canonical document other tools rely on."""

from __future__ import annotations

import pytest

from convert import parse
from convert.transforms import SLUG_MAX, iso_date, make_id, month_number, slug


@pytest.mark.parametrize("token, number", [
    ("Jan.", 1), ("Feb.", 2), ("March", 3), ("Sept.", 9), ("Sep.", 9), ("Oct.", 10),
    ("December", 12), ("June", 6), ("Jun", 6),
])
def test_month_names(token: str, number: int) -> None:
    assert month_number(token) == number


def test_iso_dates_are_real_calendar_days() -> None:
    assert iso_date(2017, 6, 23) == "2017-06-23"
    assert iso_date(None, 2, 16) == "--02-16"
    assert iso_date(None, 2, 29) == "--02-29"
    assert iso_date(2017, 2, 29) is None
    assert iso_date(2016, 2, 29) == "2016-02-29"
    assert iso_date(2017, 4, 31) is None


def test_ids_are_safe_and_stable() -> None:
    assert make_id("2017-06-23", "EIRNS", "Ferry Crews Deliver a Message") == (
        "2017-06-23-eirns-ferry-crews-deliver-a-message")
    assert make_id("--02-16", "LPAC", "A Title").startswith("xxxx-02-16-lpac-a-title")
    assert make_id(None, None, "Café Owners’ Plan").startswith("undated-cafe-owners-plan")
    assert len(slug("word " * 100)) <= SLUG_MAX
    assert slug("★ ✦") == slug("★ ✦") and slug("★ ✦").startswith("t")  # nothing to spell


def test_ids_of_other_scripts_are_readable() -> None:
    assert slug("ТАСС сообщает") == "tass-soobshchaet"
    assert slug("Πειραιάς λιμάνι") == "peiraias-limani"
    assert make_id("2018-06-05", "EIRNS", "Софийски трамвай") == (
        "2018-06-05-eirns-sofiyski-tramvay")


def test_titles_that_differ_only_at_the_end_get_different_ids() -> None:
    stem = "Port Authority Delays the Dredging Plan for the Outer Harbour Until "
    ids = {make_id("2021-05-04", "EIRNS", stem + month) for month in
           ("March", "April", "May", "June", "the Autumn Storms Are Over")}
    assert len(ids) == 5
    assert all(len(i) <= len("2021-05-04-eirns-") + SLUG_MAX for i in ids)
    assert all(i.startswith("2021-05-04-eirns-port-authority-delays-the-dredging") for i in ids)
    short = make_id("2021-05-04", "EIRNS", "Port Delays Dredging")
    assert short == "2021-05-04-eirns-port-delays-dredging"  # no digest when nothing was cut


def test_same_story_from_two_hosts_gets_the_same_id() -> None:
    a = b"PRESS RELEASE\nFerry Link Studied\nMay 7, 2019 (EIRNS)\xe2\x80\x94Text one.\n"
    b = (b"Subscribe to EIR Online\n\n\nFerry Link Studied\n\n"
         b"May 7, 2019 (EIRNS)\xe2\x80\x94Other.\n")
    assert parse(a).documents[0].get("id") == parse(b).documents[0].get("id")


@pytest.mark.parametrize("name, url, when, origin", [
    ("2016-archive/story.txt", None, "2016-02-16", "file-name"),
    ("story.txt", "https://example.org/news/2015/story", "2015-02-16", "source-url"),
    ("story.txt", None, "--02-16", None),
])
def test_year_for_yearless_datelines(name: str, url: str | None, when: str,
                                     origin: str | None) -> None:
    text = b"Title Here\n\nFeb. 16 (EIRNS)\xe2\x80\x94Body text.\n"
    doc = parse(text, name=name, source_url=url).documents[0]
    date = doc.find(".//{*}date")
    assert date is not None
    assert date.get("when") == when
    assert date.get("year-from") == origin


@pytest.mark.parametrize("dateline, when, place, agency", [
    ("Sept 12, 2018 (EIRNS)—", "2018-09-12", None, "EIRNS"),
    ("June 23rd, 2017 (EIRNS)—", "2017-06-23", None, "EIRNS"),
    ("BUENOS AIRES, Oct. 4, 2016 (EIRNS)—", "2016-10-04", "BUENOS AIRES", "EIRNS"),
    ("WASHINGTON, D.C., May 2, 2019 (LPAC)—", "2019-05-02", "WASHINGTON, D.C.", "LPAC"),
    ("Berlin, March 3, 2015 (EIRNS) — ", "2015-03-03", "Berlin", "EIRNS"),
    ("Dec. 13, 2017 – ", "2017-12-13", None, None),
    ("Aug. 21—(EIRNS)—", "--08-21", None, "EIRNS"),
])
def test_dateline_shapes(dateline: str, when: str, place: str | None,
                         agency: str | None) -> None:
    doc = parse(f"A Title\n\n{dateline}The text of the bulletin.\n".encode()).documents[0]
    date = doc.find(".//{*}dateline/{*}date")
    assert date is not None and date.get("when") == when
    assert doc.findtext(".//{*}dateline/{*}place") == place
    assert doc.findtext(".//{*}dateline/{*}agency") == agency
    assert doc.findtext(".//{*}body/{*}p") == "The text of the bulletin."
