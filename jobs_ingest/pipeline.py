"""Ordered steps from raw items to PostingRecords; every item ends as a record, a duplicate
within the batch, or a Rejection with a reason. No database here."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from jobs_ingest import dedupe, normalise
from jobs_ingest.records import BatchResult, PostingRecord, RawItem, Rejected, Rejection, SourceConfig
from jobs_ingest.sources import fetch_items
from places import AmbiguousPlace, Gazetteer, PlaceNotFound

MAX_TITLE = 120
MAX_DESCRIPTION = 20_000


def _text(fields: dict[str, object], key: str) -> str:
    value = fields.get(key)
    return "" if value is None else str(value)


def _title(fields: dict[str, object]) -> str:
    title = normalise.clean_text(_text(fields, "title"), limit=10_000).replace("\n", " ")
    if not title:
        raise Rejected("missing_title", "the item has no job title")
    if len(title) > MAX_TITLE:
        raise Rejected("too_long", f"title has {len(title)} characters (limit {MAX_TITLE})")
    return title


def _place(text: str, gazetteer: Gazetteer) -> tuple[str | None, float | None, float | None]:
    """Resolve place text; unresolved or ambiguous places are kept as text, never guessed."""
    try:
        place = gazetteer.resolve(text)
    except (PlaceNotFound, AmbiguousPlace):
        return None, None, None
    return place.code, place.lat, place.lon


def build_record(item: RawItem, gazetteer: Gazetteer, today: date) -> PostingRecord:
    """Normalise one raw item into a PostingRecord, or raise Rejected(reason)."""
    f = item.fields
    title = _title(f)
    external_id = _text(f, "external_id").strip()
    url = _text(f, "url").strip() or None
    canonical = dedupe.canonical_url(url)
    if not external_id:
        external_id = canonical or ""
    if not external_id:
        raise Rejected("malformed", "the item has neither an id nor a URL")
    description = normalise.clean_text(_text(f, "description"), limit=MAX_DESCRIPTION)
    place_text = normalise.clean_text(_text(f, "place_text"), limit=200).replace("\n", " ")
    place_code, lat, lon = _place(place_text, gazetteer)
    wage_text = normalise.clean_text(_text(f, "pay_text"), limit=200)
    wage_min, wage_max = normalise.parse_wage(wage_text)
    benefits = _text(f, "benefits_text")
    housing, meals = normalise.parse_housing(benefits, description)
    valid_through = normalise.parse_date(f.get("valid_through_text"), today)
    employer = normalise.clean_text(_text(f, "employer"), limit=200).replace("\n", " ") or None
    values: dict[str, Any] = {
        "external_id": external_id, "title": title, "description": description,
        "employer": employer, "place_text": place_text, "place_code": place_code,
        "lat": lat, "lon": lon, "wage_min": wage_min, "wage_max": wage_max,
        "wage_text": wage_text, "housing": housing, "meals": meals,
        "employment_type": normalise.parse_employment_type(_text(f, "type_text"), title),
        "headcount": normalise.parse_headcount(f.get("headcount_text")),
        "posted_at": normalise.parse_date(f.get("posted_text"), today),
        "valid_through": valid_through, "url": url, "canonical_url": canonical,
    }
    digest = dedupe.content_hash({k: v for k, v in values.items() if k != "external_id"})
    expired = valid_through is not None and valid_through < today
    return PostingRecord(**values, expired=expired, content_hash=digest)


def process_items(items: Iterable[RawItem], gazetteer: Gazetteer, today: date) -> BatchResult:
    """Run every item through the steps; the same external id twice in a batch is a duplicate."""
    result = BatchResult()
    seen: set[str] = set()
    for item in items:
        result.fetched += 1
        try:
            record = build_record(item, gazetteer, today)
        except Rejected as rejected:
            result.rejections.append(_rejection(item, rejected))
            continue
        if record.external_id in seen:
            result.duplicates += 1
            continue
        seen.add(record.external_id)
        result.records.append(record)
    return result


def _rejection(item: RawItem, rejected: Rejected) -> Rejection:
    return Rejection(
        reason=rejected.reason,
        detail=rejected.detail,
        excerpt=item.excerpt,
        external_id=_text(item.fields, "external_id") or None,
        raw_hash=hashlib.sha256(item.excerpt.encode("utf-8")).hexdigest(),
    )


def run_source(config: SourceConfig, gazetteer: Gazetteer, today: date) -> BatchResult:
    """Fetch one source and process its items; a failing fetch is reported, not raised."""
    try:
        items = list(fetch_items(config))
    except Exception as exc:  # one failing source must never stop the others
        return BatchResult(errors=[f"{type(exc).__name__}: {exc}"])
    return process_items(items, gazetteer, today)
