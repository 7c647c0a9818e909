"""The sources-file validator: no [[source]], unknown keys and kinds are named, with a hint."""

from __future__ import annotations

import tomllib

import pytest

from jobs_ingest.sources import kinds
from jobs_ingest.sources.config import HTML_KEYS, MAPPING_KEYS, check_source, check_sources, describe

KINDS = [*kinds(), "html"]  # the html kind's keys are checked whether or not it is registered yet


def problems(text: str, known: list[str] | None = None) -> list[str]:
    return describe(check_sources(tomllib.loads(text), known or KINDS, _schedule)).splitlines()


def _schedule(text: str) -> None:
    if not text.startswith(("interval:", "cron:")):
        raise ValueError(f"bad schedule {text!r}")


def test_a_plural_table_is_named_with_what_was_meant() -> None:
    assert problems('[[sources]]\nname = "a"\nkind = "feed"\nurl = "http://x/"\n') == [
        'unknown key "sources" at top level — did you mean [[source]]?',
        "no [[source]] entries: nothing to run",
    ]


@pytest.mark.parametrize("text", ["", "title = 'jobs'\n", "source = []\n"])
def test_a_file_without_sources_is_refused(text: str) -> None:
    found = check_sources(tomllib.loads(text), KINDS)
    assert found and all(p.field == "source" for p in found)


def test_a_good_file_has_no_problems() -> None:
    text = """
[[source]]
name = "county-api"
kind = "api"
url = "https://jobs.example.gov.cn/api"
trust = "bureau"
schedule = "interval:6h"
max_pages = 20
options = { retries = 2, close_after_missed_runs = 5 }
public_name = "榕江县人社局"
reply_days = 3
[source.mapping]
items = "data.list"
title = "jobName"

[[source]]
name = "rongjiang-rsj"
kind = "html"
url = "http://rsj.example.gov.cn/zpxx/index.html"
[source.html]
links = "ul.list li a"
next = "a.next"
pay = "td.pay"
"""
    assert problems(text) == []


def test_unknown_keys_are_named_where_they_are_with_the_nearest_known_key() -> None:
    text = """
[[source]]
name = "a"
kind = "api"
url = "http://x/"
shedule = "interval:6h"
options = { max_page = 3 }
[source.mapping]
titel = "name"

[[source]]
name = "b"
kind = "html"
url = "http://y/"
[source.html]
links = "a"
salary = "td.pay"
"""
    assert problems(text) == [
        'source #1 ("a"): unknown key "shedule" — did you mean "schedule"?',
        'source #1 ("a"): unknown key "max_page" in [source.options] — did you mean "max_pages"?',
        'source #1 ("a"): unknown key "titel" in [source.mapping] — did you mean "title"?',
        'source #2 ("b"): unknown key "salary" in [source.html]',
    ]


def test_a_table_the_kind_does_not_read_is_an_unknown_key() -> None:
    found = check_source({"name": "s", "kind": "sheet", "url": "http://x/a.csv", "mapping": {"title": "x"}},
                         KINDS)
    assert [(p.field, p.code, p.params["key"]) for p in found] == [("options", "unknown_key", "mapping")]


def test_unknown_kind_missing_keys_bad_values_and_repeated_names() -> None:
    text = """
[[source]]
name = "a"
kind = "rss"
[[source]]
kind = "feed"
[[source]]
name = "a"
kind = "feed"
trust = "government"
schedule = "daily"
reply_days = 99
[[source]]
name = "h"
kind = "html"
[source.html]
next = "a.next"
title = 3
"""
    assert problems(text, kinds()) == [
        f'source #1 ("a"): unknown kind "rss"; known: {", ".join(kinds())}',
        "source #2 lacks name",
        'source #3 ("a"): trust must be bureau, employer or aggregator',
        'source #3 ("a"): reply_days must be a whole number from 1 to 60',
        "source #3 (\"a\"): bad schedule 'daily'",
        'source #3 ("a"): the name "a" is used twice',
        'source #4 ("h"): html.title must be text',
        'source #4 ("h"): [source.html] lacks links',
    ]


def test_every_documented_key_is_accepted() -> None:
    mapping = {key: "x" for key in MAPPING_KEYS}
    html = {key: "x" for key in HTML_KEYS}
    html.update(pages="index_{n}.html", max_pages=5, max_items=5, same_host=False)
    assert check_source({"name": "a", "kind": "api", "url": "http://x/", "mapping": mapping}, KINDS) == []
    assert check_source({"name": "h", "kind": "html", "url": "http://x/", "html": html}, KINDS) == []
    fetch_limits = {"connect_timeout": 1, "read_timeout": 1, "total_timeout": 1, "max_bytes": 1,
                    "max_redirects": 1, "retries": 1, "backoff": 1, "max_wait": 1}
    assert check_source({"name": "f", "kind": "feed", "url": "http://x/", **fetch_limits}, KINDS) == []


def test_the_documented_examples_pass() -> None:
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    example = tomllib.loads((root / "docs" / "sources.example.toml").read_text(encoding="utf-8"))
    assert check_sources(example, kinds(), _schedule) == []
    readme = (root / "README.md").read_text(encoding="utf-8")
    block = readme.split("### Sources file\n\n```toml\n", 1)[1].split("```", 1)[0]
    assert check_sources(tomllib.loads(block), kinds(), _schedule) == []


def test_html_numbers_are_numbers_and_are_checked_before_a_run() -> None:
    """``max_items = 5`` under [source.html] is what the README says to write; a quoted number, a
    selector that does not parse or a ``pages`` without {n} is refused before anything runs."""
    base = {"name": "h", "kind": "html", "url": "http://x/"}
    assert check_source({**base, "html": {"links": "ul a", "max_items": 5, "max_pages": 3}}, KINDS) == []
    for bad in ({"max_items": "5"}, {"max_pages": 0}, {"same_host": "no"}, {"pages": "index.html"},
                {"title": "h2[["}):
        found = check_source({**base, "html": {"links": "ul a", **bad}}, KINDS)
        assert [p.code for p in found] == ["bad_value"], bad
        assert str(next(iter(bad))) in found[0].text
