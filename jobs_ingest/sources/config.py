"""Check a sources file (or one source typed into the admin form) before anything runs.

A sources file is ``[[source]]`` entries and nothing else. A misspelt key is not ignored: it
would run a source other than the one meant (``[[sources]]`` ran nothing and said nothing), so
every key must be one this module knows, at the top level, in a source, in its ``options``
table, in ``[source.mapping]`` (kind ``api``) and in ``[source.html]`` (kind ``html``). Each
problem names the key and, where one is close, what was probably meant.

Pure: no Flask, no database. ``check_schedule`` is passed in (the scheduler's own parser lives
in ``web``), so the CLI and the admin form refuse exactly the same things.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, fields
from dataclasses import field as default
from typing import Any

from jobs_ingest.fetch import FetchPolicy
from jobs_ingest.sources import html

# Keys of a source entry itself (web/services/ingest.upsert_source reads them).
SOURCE_KEYS = ("name", "kind", "url", "path", "trust", "schedule", "options", "allow_private_network",
               "public_name", "contact_phone", "reply_days")
TRUSTS = ("bureau", "employer", "aggregator")
# Options every kind takes: when a posting counts as gone, and the fetcher's limits.
COMMON_OPTIONS = ("close_after_missed_runs",
                  *(f.name for f in fields(FetchPolicy) if f.name != "user_agent"))
# Options per kind (jobs_ingest/sources/<kind>.py reads them). A kind that adds an option adds it
# here; a registered kind missing from this table has its options left unchecked.
KIND_OPTIONS: dict[str, tuple[str, ...]] = {
    "demo": ("today", "seed"),
    "jsonld": ("max_depth", "max_pages", "follow", "sitemap", "sitemap_pattern"),
    "feed": (),
    "api": ("mapping", "max_pages", "same_host"),
    "sheet": (),
    "html": ("html", "max_pages", "max_items"),
    "manual": ("county",),
}
# [source.mapping] of kind api: dotted paths for the listing and each item's fields.
MAPPING_KEYS = ("items", "next", "id", "title", "description", "place", "pay", "updated", "url",
                "employer", "posted", "valid_through", "benefits", "type", "headcount", "lat", "lon")
# [source.html] of kind html: the list page's links, its next page, and per-field selectors.
HTML_KEYS = (*html.FIELD_KEYS, *sorted(html.OTHER_KEYS))  # the html kind's own lists
NAME_LIMIT = 100
LOCATION_LIMIT = 1000


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a sources file: where (``source``: its position, from 1; 0 for the
    top level), which key (``field``: the entry's key, or ``mapping``/``html``/``options`` for a
    key inside those tables), a code and its parameters (for a page to word in its language)
    and ``text``, the whole problem in plain English for the command line."""

    source: int
    field: str
    code: str
    text: str
    params: dict[str, str] = default(default_factory=dict)


def check_sources(data: Mapping[str, Any], kinds: Collection[str],
                  check_schedule: Callable[[str], object] | None = None) -> list[Problem]:
    """Every problem with a parsed sources file (``{"source": [...]}``); an empty list means it
    may run. ``kinds`` are the registered source kinds."""
    problems = [_unknown(0, "top level", key, "", ("source",)) for key in data if key != "source"]
    entries = data.get("source")
    if not isinstance(entries, list) or not entries:
        if entries is None:
            problems.append(Problem(0, "source", "no_sources", "no [[source]] entries: nothing to run"))
        else:
            problems.append(Problem(0, "source", "not_a_list", "\"source\" must be [[source]] entries"))
        return problems
    seen: set[str] = set()
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, Mapping):
            problems.append(Problem(number, "source", "not_a_table", f"source #{number} is not a table"))
            continue
        found = check_source(entry, kinds, check_schedule, number)
        name = entry.get("name")
        if isinstance(name, str) and name in seen:
            text = f"{_where(number, entry)}: the name \"{name}\" is used twice"
            found.append(Problem(number, "name", "duplicate_name", text, {"name": name}))
        seen.add(str(name))
        problems.extend(found)
    return problems


def check_source(entry: Mapping[str, Any], kinds: Collection[str],
                 check_schedule: Callable[[str], object] | None = None, number: int = 1) -> list[Problem]:
    """Every problem with one source entry (a ``[[source]]`` table, or what the admin form built)."""
    where = _where(number, entry)
    problems = _check_required(entry, kinds, number, where)
    kind = str(entry.get("kind") or "")
    options = KIND_OPTIONS.get(kind)
    allowed = None if options is None else (*COMMON_OPTIONS, *options)
    for key in entry:
        if key not in SOURCE_KEYS and allowed is not None and key not in allowed:
            problems.append(_unknown(number, where, key, "", (*SOURCE_KEYS, *allowed)))
    given = entry.get("options", {})
    if not isinstance(given, Mapping):
        problems.append(Problem(number, "options", "not_a_table", f"{where}: \"options\" must be a table"))
        given = {}
    for key in given:
        if allowed is not None and key not in allowed:
            problems.append(_unknown(number, where, key, "options", allowed, field_name="options"))
    merged = {**given, **entry}
    for table, known in (("mapping", MAPPING_KEYS), ("html", HTML_KEYS)):
        if allowed is None or table in allowed:  # else already named as an unknown key
            problems += _check_table(merged, table, known, number, where)
    problems += _check_values(entry, number, where, check_schedule)
    return problems


def describe(problems: list[Problem]) -> str:
    """The problems as lines of plain English (what the command line prints)."""
    return "\n".join(p.text for p in problems)


def _where(number: int, entry: Mapping[str, Any]) -> str:
    name = entry.get("name")
    return f"source #{number} (\"{name}\")" if isinstance(name, str) and name else f"source #{number}"


def _unknown(number: int, where: str, key: str, table: str, known: Collection[str],
             field_name: str | None = None) -> Problem:
    """An unknown key, with the nearest known one when there is a close one."""
    inside = f" in [source.{table}]" if table else ""
    text = f"unknown key \"{key}\" at top level" if number == 0 else f"{where}: unknown key \"{key}\"{inside}"
    close = difflib.get_close_matches(str(key), list(known), n=1, cutoff=0.6)
    params = {"key": str(key)}
    if number == 0 and close == ["source"]:
        text += " — did you mean [[source]]?"
        params["hint"] = "[[source]]"
    elif close:
        text += f" — did you mean \"{close[0]}\"?"
        params["hint"] = close[0]
    field_name = field_name or (table or ("source" if number == 0 else "options"))
    return Problem(number, field_name, "unknown_key", text, params)


def _check_required(entry: Mapping[str, Any], kinds: Collection[str], number: int,
                    where: str) -> list[Problem]:
    problems = []
    for key in ("name", "kind"):
        value = entry.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(number, key, "missing", f"{where} lacks {key}", {"key": key}))
    name, kind = entry.get("name"), entry.get("kind")
    if isinstance(name, str) and len(name) > NAME_LIMIT:
        problems.append(Problem(number, "name", "too_long",
                                f"{where}: name is longer than {NAME_LIMIT} characters",
                                {"limit": str(NAME_LIMIT)}))
    if isinstance(kind, str) and kind.strip() and kind not in kinds:
        problems.append(Problem(number, "kind", "unknown_kind",
                                f"{where}: unknown kind \"{kind}\"; known: {', '.join(sorted(kinds))}",
                                {"kind": kind, "known": ", ".join(sorted(kinds))}))
    return problems


def _check_table(merged: Mapping[str, Any], table: str, known: tuple[str, ...], number: int,
                 where: str) -> list[Problem]:
    """``[source.mapping]`` / ``[source.html]``: a table of text values under known keys."""
    if table not in merged:
        return []
    value = merged[table]
    if not isinstance(value, Mapping):
        return [Problem(number, table, "not_a_table",
                        f"{where}: [source.{table}] must be a table of text values")]
    problems = [_unknown(number, where, key, table, known) for key in value if key not in known]
    textual = known if table == "mapping" else html.TEXT_KEYS  # html's numbers are checked below
    for key, text in value.items():
        if key in textual and not isinstance(text, str):
            problems.append(Problem(number, table, "not_text", f"{where}: {table}.{key} must be text",
                                    {"key": f"{table}.{key}"}))
    if table == "html" and not str(value.get("links", "")).strip():
        problems.append(Problem(number, table, "missing", f"{where}: [source.html] lacks links",
                                {"key": "links"}))
    if table == "html" and not problems:
        try:  # the kind's own reading of its table: selectors that parse, whole numbers, {n}
            html.HtmlSettings.from_options({"html": value, "max_items": merged.get("max_items", 1)})
        except ValueError as exc:
            problems.append(Problem(number, table, "bad_value", f"{where}: {exc}"))
    return problems


def _check_values(entry: Mapping[str, Any], number: int, where: str,
                  check_schedule: Callable[[str], object] | None) -> list[Problem]:
    """Trust, schedule and the seeker-facing keys have the right shape."""
    problems = []
    if entry.get("trust", "aggregator") not in TRUSTS:
        problems.append(Problem(number, "trust", "bad_trust",
                                f"{where}: trust must be bureau, employer or aggregator"))
    for key in ("url", "path", "public_name", "contact_phone"):
        if key in entry and not isinstance(entry[key], str):
            problems.append(Problem(number, key, "not_text", f"{where}: {key} must be text", {"key": key}))
        elif len(str(entry.get(key) or "")) > LOCATION_LIMIT:
            problems.append(Problem(number, key, "too_long",
                                    f"{where}: {key} is longer than {LOCATION_LIMIT} characters",
                                    {"limit": str(LOCATION_LIMIT)}))
    if "allow_private_network" in entry and not isinstance(entry["allow_private_network"], bool):
        problems.append(Problem(number, "allow_private_network", "not_bool",
                                f"{where}: allow_private_network must be true or false"))
    days = entry.get("reply_days")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60):
        problems.append(Problem(number, "reply_days", "bad_reply_days",
                                f"{where}: reply_days must be a whole number from 1 to 60"))
    schedule = entry.get("schedule")
    if schedule is not None and not isinstance(schedule, str):
        problems.append(Problem(number, "schedule", "not_text", f"{where}: schedule must be text",
                                {"key": "schedule"}))
    elif schedule and check_schedule is not None:
        try:
            check_schedule(schedule)
        except ValueError as exc:
            problems.append(Problem(number, "schedule", "bad_schedule", f"{where}: {exc}"))
    return problems
