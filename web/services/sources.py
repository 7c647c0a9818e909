"""Sources an admin runs from the site: the form's text to a checked spec, saving it, trying it
without storing anything, and what its runs did (``/admin/sources``). Services never commit.

A spec is checked by the same validator as a sources file (jobs_ingest/sources/config.py), so
the form refuses exactly what ``flask ingest run`` refuses.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jobs_ingest import dryrun
from jobs_ingest.records import SourceConfig
from jobs_ingest.sources import kinds
from jobs_ingest.sources.config import SOURCE_KEYS, Problem, check_source
from places import Gazetteer
from web.models import IngestRun, QuarantinedRecord, Source
from web.services.ingest import source_config, upsert_source

TABLES = ("mapping", "html")  # option tables the form has a box of their own for
NO_URL_KINDS = ("demo",)
RUNS_SHOWN = 10
QUARANTINE_SHOWN = 20


@dataclass(frozen=True)
class SourceInput:
    """What the admin typed: plain text per form field."""

    name: str
    kind: str
    url: str
    schedule: str
    trust: str
    public_name: str
    mapping: str
    html: str
    options: str


def parse_lines(text: str, field: str) -> tuple[dict[str, Any], list[Problem]]:
    """``key = value`` lines (TOML values; unquoted text is taken as text) to a dict; blank lines
    and ``#`` comments are skipped. Problems name the line."""
    found: dict[str, Any] = {}
    problems = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip().strip('"'), value.strip()
        if not sep or not key:
            problems.append(Problem(1, field, "bad_line", f"line {number} is not key = value",
                                    {"line": str(number)}))
            continue
        try:
            found[key] = tomllib.loads(f"v = {value}")["v"]
        except tomllib.TOMLDecodeError:
            found[key] = value  # a selector or a path typed without quotes
    return found, problems


def build_spec(given: SourceInput) -> tuple[dict[str, Any], list[Problem]]:
    """The spec the form describes, and every problem with it (the sources file's checks, and a
    URL for every kind that fetches)."""
    spec: dict[str, Any] = {"name": given.name.strip(), "kind": given.kind.strip(),
                            "trust": given.trust.strip(), "public_name": given.public_name.strip()}
    if given.url.strip():
        spec["url"] = given.url.strip()
    if given.schedule.strip():
        spec["schedule"] = given.schedule.strip()
    options, problems = parse_lines(given.options, "options")
    # The box holds a kind's options only: a source's own keys have fields of their own, or (a
    # local path, loopback permission) are for the server's operator, never for a web form.
    problems += [Problem(1, "options", "not_here", f"{key} cannot be set here", {"key": key})
                 for key in options if key in SOURCE_KEYS]
    spec |= {k: v for k, v in options.items() if k not in SOURCE_KEYS}
    for table in TABLES:
        values, found = parse_lines(getattr(given, table), table)
        problems += found
        if values:
            spec[table] = values
    from web.scheduler import parse_schedule

    problems += check_source(spec, kinds(), parse_schedule)
    url = spec.get("url", "")
    if spec["kind"] not in NO_URL_KINDS and not url.lower().startswith(("http://", "https://")):
        problems.append(Problem(1, "url", "bad_url", "the URL must start with http:// or https://"))
    return spec, problems


def form_text(source: Source) -> dict[str, str]:
    """A stored source as the form's text (the inverse of ``build_spec``)."""
    options = dict(source.options or {})
    text = {table: _lines(options.pop(table, None) or {}) for table in TABLES}
    return {"name": source.name, "kind": source.kind, "url": source.location,
            "schedule": source.schedule or "", "trust": source.trust,
            "public_name": source.public_name or "", "options": _lines(options), **text}


def _lines(values: Mapping[str, Any]) -> str:
    return "\n".join(f"{key} = {_toml(value)}" for key, value in values.items())


def _toml(value: Any) -> str:
    """One value in TOML (JSON's strings, numbers and lists are TOML's too)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k), ensure_ascii=False)} = {_toml(v)}"
                                for k, v in value.items()) + " }"
    return json.dumps(value, ensure_ascii=False, default=str)


def get_source(session: Session, source_id: int) -> Source | None:
    """The source with that id, if any."""
    return session.get(Source, source_id)


def create_source(session: Session, spec: dict[str, Any]) -> Source:
    """A new source from a checked spec; LookupError when the name is taken."""
    if session.scalar(select(Source.id).where(Source.name == spec["name"])) is not None:
        raise LookupError(spec["name"])
    return upsert_source(session, spec)


def update_source(session: Session, source_id: int, spec: dict[str, Any]) -> Source:
    """Replace a source's settings with a checked spec (its name, loopback permission and the
    seeker-facing phone and reply days stay); LookupError when there is no such source."""
    source = session.get(Source, source_id)
    if source is None:
        raise LookupError(source_id)
    upsert_source(session, {**spec, "name": source.name,
                            "allow_private_network": keeps_private_permission(source, spec)})
    return source


def keeps_private_permission(source: Source | None, spec: Mapping[str, Any]) -> bool:
    """Whether an edited source keeps the operator's loopback/private-network permission: only
    for the same kind at the same host and port. A form that points the source elsewhere loses
    it (the permission is the operator's, given for one address, never the web form's)."""
    if source is None or not source.allow_private_network or spec.get("kind") != source.kind:
        return False
    before, after = urlsplit(source.location or ""), urlsplit(str(spec.get("url", "")))
    return (before.scheme, before.hostname, before.port) == (after.scheme, after.hostname, after.port)


def try_spec(spec: dict[str, Any], gazetteer: Gazetteer, today: date,
             allow_private_network: bool = False) -> dryrun.DryRun:
    """Try a spec that is not saved (or not yet): fetch and normalise, store nothing."""
    options = {k: v for k, v in spec.items() if k not in SOURCE_KEYS}
    config = SourceConfig(name=spec["name"], kind=spec["kind"], location=spec.get("url", ""),
                          trust=spec.get("trust", "aggregator"), options=options,
                          allow_private_network=allow_private_network)
    return dryrun.try_source(config, gazetteer, today)


def try_stored(source: Source, gazetteer: Gazetteer, today: date) -> dryrun.DryRun:
    """Try a saved source as it is configured; store nothing, not even its HTTP cache."""
    return dryrun.try_source(replace(source_config(source), http_cache=None), gazetteer, today)


@dataclass(frozen=True)
class RunRow:
    """One past run as the page lists it."""

    started_at: Any
    seconds: float | None
    status: str
    fetched: int
    new: int
    updated: int
    unchanged: int
    duplicates: int
    quarantined: int
    errors: list[str]


def recent_runs(session: Session, source_id: int, limit: int = RUNS_SHOWN) -> list[RunRow]:
    """The source's last runs, newest first."""
    rows = session.scalars(select(IngestRun).where(IngestRun.source_id == source_id)
                           .order_by(IngestRun.id.desc()).limit(limit))
    return [RunRow(started_at=r.started_at,
                   seconds=(r.finished_at - r.started_at).total_seconds() if r.finished_at else None,
                   status=r.status, fetched=r.fetched, new=r.new, updated=r.updated, unchanged=r.unchanged,
                   duplicates=r.duplicates, quarantined=sum((r.rejected or {}).values()),
                   errors=[str(e)[:300] for e in (r.errors or [])]) for r in rows]


def quarantine_reasons(session: Session, source_id: int) -> list[tuple[str, int]]:
    """(reason, records) of what the source's runs quarantined, most frequent first."""
    rows = session.execute(select(QuarantinedRecord.reason, func.count(QuarantinedRecord.id))
                           .where(QuarantinedRecord.source_id == source_id)
                           .group_by(QuarantinedRecord.reason).order_by(func.count(QuarantinedRecord.id).desc(),
                                                                        QuarantinedRecord.reason))
    return [(reason, int(count)) for reason, count in rows]


def recent_quarantine(session: Session, source_id: int,
                      limit: int = QUARANTINE_SHOWN) -> list[QuarantinedRecord]:
    """The source's most recently seen quarantined records."""
    return list(session.scalars(select(QuarantinedRecord).where(QuarantinedRecord.source_id == source_id)
                                .order_by(QuarantinedRecord.last_seen.desc(), QuarantinedRecord.id.desc())
                                .limit(limit)))
