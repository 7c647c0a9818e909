"""Ordered steps from raw items to PostingRecords; every item ends as a record, a duplicate
within the batch, or a Rejection with a reason. No database here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from jobs_ingest import dedupe, normalise
from jobs_ingest.records import BatchResult, PostingRecord, RawItem, Rejected, Rejection, SourceConfig
from jobs_ingest.sources import fetch_items
from jobs_ingest.text import drop_unsafe, to_simplified
from places import AmbiguousPlace, Gazetteer, PlaceNotFound

MAX_TITLE = 120
MAX_DESCRIPTION = 20_000


def _text(fields: dict[str, object], key: str) -> str:
    value = fields.get(key)
    return "" if value is None else str(value)


def _clean(fields: dict[str, object], key: str, limit: int, one_line: bool = True) -> str:
    """Sanitised, Simplified-Chinese text of one field."""
    text = to_simplified(normalise.clean_text(_text(fields, key), limit=limit))
    return text.replace("\n", " ") if one_line else text


def _title(fields: dict[str, object]) -> str:
    title = _clean(fields, "title", 10_000)
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


def _geo(fields: dict[str, object]) -> tuple[float, float] | None:
    """Coordinates the source gives (schema.org geo); they win over the gazetteer's centroid."""
    try:
        lat, lon = float(str(fields.get("lat"))), float(str(fields.get("lon")))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None  # out of range, NaN, or the "0,0" that broken exports write
    return lat, lon


def _wage(fields: dict[str, object], context: str) -> tuple[int | None, int | None, str]:
    """(min, max, text): pay text if given, else a schema.org baseSalary structure.

    ``context`` (title, type, description) tells a day-labour posting, whose bare figure is no month's pay.
    """
    text = to_simplified(normalise.clean_text(_text(fields, "pay_text"), limit=200))  # 日結 is 日结
    wage_min, wage_max = normalise.parse_wage(text, context)
    struct = fields.get("wage_struct")
    if struct is not None and wage_min is None and wage_max is None:
        wage_min, wage_max, struct_text = normalise.parse_base_salary(struct, context=context)
        text = text or struct_text
    return wage_min, wage_max, text


def build_record(item: RawItem, gazetteer: Gazetteer, today: date) -> PostingRecord:
    """Normalise one raw item into a PostingRecord, or raise Rejected(reason)."""
    if item.rejection:
        raise Rejected(item.rejection, item.detail)
    f = item.fields
    title = _title(f)
    external_id = drop_unsafe(_text(f, "external_id")).strip()
    raw_url = drop_unsafe(_text(f, "url"))
    canonical = dedupe.canonical_url(raw_url)
    url = raw_url.strip() if canonical else None  # javascript:, data: … never become links
    external_id = external_id or canonical or ""
    if not external_id:
        raise Rejected("malformed", "the item has neither an id nor a URL")
    description = _clean(f, "description", MAX_DESCRIPTION, one_line=False)
    place_text = _clean(f, "place_text", 200)
    place_code, lat, lon = _place(place_text, gazetteer)
    lat, lon = _geo(f) or (lat, lon)
    wage_min, wage_max, wage_text = _wage(f, f"{title} {to_simplified(_text(f, 'type_text'))} {description}")
    housing, meals = normalise.parse_housing(_text(f, "benefits_text"), description)
    valid_through = normalise.parse_date(f.get("valid_through_text"), today)
    values: dict[str, Any] = {
        "external_id": external_id, "title": title, "description": description,
        "employer": _clean(f, "employer", 200) or None, "place_text": place_text,
        "place_code": place_code, "lat": lat, "lon": lon, "wage_min": wage_min, "wage_max": wage_max,
        "wage_text": wage_text, "housing": housing, "meals": meals,
        "employment_type": normalise.parse_employment_type(_text(f, "type_text"), title),
        "headcount": normalise.parse_headcount(f.get("headcount_text")),
        "posted_at": normalise.parse_date(f.get("posted_text"), today),
        "valid_through": valid_through, "url": url, "canonical_url": canonical,
        "updated_at": normalise.parse_datetime(f.get("updated_text")),
    }
    # The source's update time is hashed too: a newer `updated` for a known id is an update.
    digest = dedupe.content_hash({k: v for k, v in values.items() if k != "external_id"})
    expired = valid_through is not None and valid_through < today
    return PostingRecord(**values, expired=expired, content_hash=digest)


# Part of every fingerprint: bump it when normalisation changes, so stored items are redone.
NORMALISER_VERSION = "6"  # 3: bidi and control characters removed; 4: pay units in English too;
# 5: pay read by jobs_ingest.pay (swapped ranges and two units claim no monthly figure, extras skipped)
# 6: pay: Traditional folded, 综合 over base pay, base pay + extras open, 每工 a day, two rates nothing


def fingerprint(item: RawItem) -> str:
    """A hash of the item's mapped fields as delivered (before any normalising)."""
    blob = json.dumps(item.fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(f"{NORMALISER_VERSION}\n{blob}".encode()).hexdigest()


def process_items(items: Iterable[RawItem], gazetteer: Gazetteer, today: date,
                  known: Mapping[str, str] | None = None) -> BatchResult:
    """Run every item through the steps; the same external id twice in a batch is a duplicate.

    ``known`` maps external ids to the fingerprints already stored: an item whose fingerprint
    is unchanged skips normalising and is listed in ``unchanged`` (expiry by date is the
    lifecycle job's work, so nothing time-dependent is lost).
    """
    result = BatchResult()
    seen: set[str] = set()
    for item in items:
        result.fetched += 1
        stamp = fingerprint(item)
        external_id = _text(item.fields, "external_id").strip()
        if known and external_id and known.get(external_id) == stamp and not item.rejection:
            if external_id in seen:
                result.duplicates += 1
            else:
                seen.add(external_id)
                result.unchanged.append(external_id)
            continue
        try:
            record = build_record(item, gazetteer, today)
        except Rejected as rejected:
            result.rejections.append(_rejection(item, rejected))
            continue
        if record.external_id in seen:
            result.duplicates += 1
            continue
        seen.add(record.external_id)
        result.records.append(replace(record, raw_hash=stamp))
    return result


def _rejection(item: RawItem, rejected: Rejected) -> Rejection:
    return Rejection(
        reason=rejected.reason,
        detail=rejected.detail,
        excerpt=item.excerpt,
        external_id=_text(item.fields, "external_id") or None,
        raw_hash=hashlib.sha256(item.excerpt.encode("utf-8")).hexdigest(),
    )


def run_source(config: SourceConfig, gazetteer: Gazetteer, today: date,
               known: Mapping[str, str] | None = None) -> BatchResult:
    """Fetch one source and process its items; a failing fetch is reported, not raised.

    Items a source yielded before it failed (a truncated feed, an API page that errs) are
    still processed; the error in ``errors`` tells the caller the listing is incomplete.
    """
    items: list[RawItem] = []
    errors: list[str] = []
    try:
        for item in fetch_items(config):
            items.append(item)
    except Exception as exc:  # one failing source must never stop the others
        errors.append(_describe(exc))
    result = process_items(items, gazetteer, today, known)
    result.errors.extend(errors)
    return result


def _describe(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:  # Rejected/FetchError/SourceError carry a code
        return f"{reason}: {getattr(exc, 'detail', '') or exc}"
    return f"{type(exc).__name__}: {exc}"
