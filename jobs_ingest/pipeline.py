"""Ordered steps from raw items to PostingRecords; every item ends as a record, a duplicate
within the batch, or a Rejection with a reason. No database here.

``build_record`` runs ``STEPS`` in order over a ``Draft`` (the item's fields, the values found so
far, the gazetteer and today); each step fills values or raises ``Rejected(reason)``. A caller
may append steps of its own (a bureau's "the place is in our county" check), which run after the
standard ones and see every value. Typed fields (a form's integers and dates, booleans) are
taken as they are, never written out as text to be parsed again.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from jobs_ingest import dedupe, normalise
from jobs_ingest.fetch import Fetcher, HttpCache
from jobs_ingest.records import (
    BatchResult,
    PostingRecord,
    Prepared,
    RawItem,
    Rejected,
    Rejection,
    SourceConfig,
)
from jobs_ingest.sources import fetch_items
from jobs_ingest.text import drop_unsafe, to_simplified
from places import AmbiguousPlace, Gazetteer, PlaceNotFound

MAX_TITLE = 120
MAX_DESCRIPTION = 20_000
EMPLOYMENT_TYPES = ("full_time", "part_time", "day_labour", "seasonal")
# A cell a spreadsheet would run as a formula: "=", "@", or a sign followed by more than signs
# ("-" alone, a clerk's "none", is not one). Short fields refuse all four; a description only
# "=" and "@", since "- 会电焊" is how people write lists.
_FORMULA = re.compile(r"\s*(?:[=@]|[+\-](?=\s*[^\s+\-]))")
_SHORT_FIELDS = ("title", "employer", "place_text", "pay_text", "benefits_text", "type_text",
                 "headcount_text", "posted_text", "valid_through_text")


@dataclass
class Draft:
    """One item on its way through the steps: its fields, the values found so far, the context."""

    fields: Mapping[str, Any]
    gazetteer: Gazetteer
    today: date
    values: dict[str, Any] = field(default_factory=dict)

    def text(self, key: str) -> str:
        """A field as text ("" when missing)."""
        value = self.fields.get(key)
        return "" if value is None else str(value)

    def clean(self, key: str, limit: int, one_line: bool = True) -> str:
        """Sanitised, Simplified-Chinese text of one field."""
        text = to_simplified(normalise.clean_text(self.text(key), limit=limit))
        return text.replace("\n", " ") if one_line else text


Step = Callable[[Draft], None]


def refuse_formulas(draft: Draft) -> None:
    """A cell that a spreadsheet would run (=HYPERLINK(…), =1+1, @SUM…) is never published."""
    for key in _SHORT_FIELDS:
        value = draft.fields.get(key)
        if isinstance(value, str) and _FORMULA.match(value):
            raise Rejected("formula", f"{key}: {value.strip()[:80]}")
    description = draft.fields.get("description")
    if isinstance(description, str) and re.match(r"\s*[=@]", description):
        raise Rejected("formula", f"description: {description.strip()[:80]}")


def read_title(draft: Draft) -> None:
    """The title: required, at most ``MAX_TITLE`` characters."""
    title = draft.clean("title", 10_000)
    if not title:
        raise Rejected("missing_title", "the item has no job title")
    if len(title) > MAX_TITLE:
        raise Rejected("too_long", f"title has {len(title)} characters (limit {MAX_TITLE})")
    draft.values["title"] = title


def read_identity(draft: Draft) -> None:
    """External id, link and canonical URL; an item with neither id nor URL is malformed."""
    external_id = drop_unsafe(draft.text("external_id")).strip()
    raw_url = drop_unsafe(draft.text("url"))
    canonical = dedupe.canonical_url(raw_url)
    external_id = external_id or canonical or ""
    if not external_id:
        raise Rejected("malformed", "the item has neither an id nor a URL")
    draft.values.update(external_id=external_id, canonical_url=canonical,
                        url=raw_url.strip() if canonical else None)  # javascript:, data: … never links


def read_text(draft: Draft) -> None:
    """Description and employer, cleaned of markup, in Simplified Chinese."""
    draft.values["description"] = draft.clean("description", MAX_DESCRIPTION, one_line=False)
    draft.values["employer"] = draft.clean("employer", 200) or None


def read_place(draft: Draft) -> None:
    """Place text resolved with the gazetteer (unresolved: kept as text, never guessed); a
    source's own coordinates win over the gazetteer's centroid."""
    place_text = draft.clean("place_text", 200)
    try:
        place = draft.gazetteer.resolve(place_text)
        code, lat, lon = place.code, place.lat, place.lon
    except (PlaceNotFound, AmbiguousPlace):
        code, lat, lon = None, None, None
    lat, lon = _geo(draft.fields) or (lat, lon)
    draft.values.update(place_text=place_text, place_code=code, lat=lat, lon=lon)


def _geo(fields: Mapping[str, Any]) -> tuple[float, float] | None:
    """Coordinates the source gives (schema.org geo)."""
    try:
        lat, lon = float(str(fields.get("lat"))), float(str(fields.get("lon")))
    except ValueError:
        return None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180) or (lat == 0 and lon == 0):
        return None  # out of range, NaN, or the "0,0" that broken exports write
    return lat, lon


def read_pay(draft: Draft) -> None:
    """Pay in CNY a month: typed ``wage_min``/``wage_max`` as given, else the pay text, else a
    schema.org baseSalary structure (``wage_struct``)."""
    typed = [draft.fields.get(k) for k in ("wage_min", "wage_max")]
    if any(_is_number(v) for v in typed):
        low, high = (int(v) if isinstance(v, int | float) and _is_number(v) else None for v in typed)
        text = draft.clean("pay_text", 200) or pay_words(low, high)
        draft.values.update(wage_min=low, wage_max=high, wage_text=text)
        return
    context = f"{draft.values.get('title', '')} {to_simplified(draft.text('type_text'))} " \
              f"{draft.values.get('description', '')}"
    low, high, text = read_pay_text(draft.text("pay_text"), context, draft.fields.get("wage_struct"))
    draft.values.update(wage_min=low, wage_max=high, wage_text=text)


def read_pay_text(text: str, context: str = "", struct: Any = None) -> tuple[int | None, int | None, str]:
    """(min, max, text) from pay as people write it ("6千", "4500-6000", "5000元以上"): the one
    reading shared by every source, the bureau's upload and its vacancy form. ``context`` (title,
    type, description) tells a day-labour posting, whose bare figure is no month's pay."""
    text = to_simplified(normalise.clean_text(text, limit=200))  # 日結 is 日结
    wage_min, wage_max = normalise.parse_wage(text, context)
    if struct is not None and wage_min is None and wage_max is None:
        wage_min, wage_max, struct_text = normalise.parse_base_salary(struct, context=context)
        text = text or struct_text
    return wage_min, wage_max, text


def pay_words(low: int | None, high: int | None) -> str:
    """Typed monthly pay as the text shown beside it ("3000-4500元/月", "5000元/月以上")."""
    if low is None and high is None:
        return ""
    if low is not None and high is not None:
        return f"{low}元/月" if low == high else f"{low}-{high}元/月"
    return f"{low}元/月以上" if low is not None else f"{high}元/月以下"


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def read_benefits(draft: Draft) -> None:
    """Housing and meals: typed booleans as given, else read from the benefits and description."""
    housing, meals = normalise.parse_housing(draft.text("benefits_text"), draft.values.get("description", ""))
    for key, found in (("housing", housing), ("meals", meals)):
        given = draft.fields.get(key)
        draft.values[key] = given if isinstance(given, bool) else found


def read_kind(draft: Draft) -> None:
    """Employment type (a typed code as given) and headcount (a typed integer as given)."""
    given = draft.fields.get("employment_type")
    draft.values["employment_type"] = given if given in EMPLOYMENT_TYPES else normalise.parse_employment_type(
        draft.text("type_text"), draft.values.get("title", ""))
    count = draft.fields.get("headcount")
    typed = _is_number(count) and isinstance(count, int) and count > 0
    draft.values["headcount"] = (count if typed
                                 else normalise.parse_headcount(draft.fields.get("headcount_text")))


def read_dates(draft: Draft) -> None:
    """Posted and valid-through dates (typed dates as given) and the source's update time."""
    for key in ("posted_at", "valid_through"):
        given = draft.fields.get(key)
        text_key = "posted_text" if key == "posted_at" else "valid_through_text"
        draft.values[key] = given if isinstance(given, date) and not isinstance(given, datetime) else (
            normalise.parse_date(draft.fields.get(text_key), draft.today))
    draft.values["updated_at"] = normalise.parse_datetime(draft.fields.get("updated_text"))


STEPS: tuple[Step, ...] = (refuse_formulas, read_title, read_identity, read_text, read_place, read_pay,
                           read_benefits, read_kind, read_dates)


def build_record(item: RawItem, gazetteer: Gazetteer, today: date,
                 steps: Sequence[Step] = ()) -> PostingRecord:
    """Normalise one raw item into a PostingRecord, or raise Rejected(reason): ``STEPS`` in
    order, then the caller's ``steps``."""
    if item.rejection:
        raise Rejected(item.rejection, item.detail)
    draft = Draft(item.fields, gazetteer, today)
    for step in (*STEPS, *steps):
        step(draft)
    values: dict[str, Any] = {name: draft.values.get(name) for name in _RECORD_VALUES}
    # The source's update time is hashed too: a newer `updated` for a known id is an update.
    digest = dedupe.content_hash({k: v for k, v in values.items() if k != "external_id"})
    expired = values["valid_through"] is not None and values["valid_through"] < today
    return PostingRecord(**values, expired=expired, content_hash=digest)


_RECORD_VALUES = ("external_id", "title", "description", "employer", "place_text", "place_code", "lat",
                  "lon", "wage_min", "wage_max", "wage_text", "housing", "meals", "employment_type",
                  "headcount", "posted_at", "valid_through", "url", "canonical_url", "updated_at")


# Part of every fingerprint: bump it when normalisation changes, so stored items are redone.
NORMALISER_VERSION = "7"  # 3: bidi and control characters removed; 4: pay units in English too;
# 5: pay read by jobs_ingest.pay (swapped ranges and two units claim no monthly figure, extras skipped)
# 6: pay: Traditional folded, 综合 over base pay, base pay + extras open, 每工 a day, two rates nothing
# 7: formula-like cells refused (=, +, -, @ leading a short field)


def fingerprint(item: RawItem) -> str:
    """A hash of the item's mapped fields as delivered (before any normalising)."""
    blob = json.dumps(item.fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(f"{NORMALISER_VERSION}\n{blob}".encode()).hexdigest()


def item_id(item: RawItem) -> str:
    """An item's external id as it is stored and looked up: control characters (NUL among them,
    which PostgreSQL cannot hold) removed, spaces trimmed; "" when it has none."""
    return drop_unsafe(str(item.fields.get("external_id") or "")).strip()


def prepare_items(items: Iterable[RawItem | tuple[Any, RawItem]], gazetteer: Gazetteer, today: date,
                  known: Mapping[str, str] | None = None, steps: Sequence[Step] = ()) -> list[Prepared]:
    """Every item through the steps, in order, each with its verdict (``Prepared.state``).

    ``known`` maps external ids to the fingerprints already stored: an item whose fingerprint
    is unchanged skips normalising (``unchanged``; expiry by date is the lifecycle job's work).
    An id met twice is one item: the version with the later update time (``updated_text``) wins
    wherever it comes in the listing, the other is a ``repeat``; without update times the first
    stays. ``items`` may be (key, item) pairs: the key (a row number) is kept on the result.
    """
    out: list[Prepared] = []
    kept: dict[str, int] = {}  # external id → index in ``out`` of the version that counts
    for entry in items:
        key, item = entry if isinstance(entry, tuple) else (None, entry)
        prepared = _prepare(key, item, gazetteer, today, known, steps)
        ext = prepared.external_id
        if prepared.state == "rejected" or not ext:
            out.append(prepared)
            continue
        if ext in kept:
            earlier = out[kept[ext]]
            if _newer(prepared.updated_at, earlier.updated_at):
                out[kept[ext]] = replace(earlier, state="repeat", record=None)
                kept[ext] = len(out)
                out.append(prepared)
            else:
                out.append(replace(prepared, state="repeat", record=None))
            continue
        kept[ext] = len(out)
        out.append(prepared)
    return out


def _newer(mine: datetime | None, theirs: datetime | None) -> bool:
    return mine is not None and (theirs is None or mine > theirs)


def _prepare(key: Any, item: RawItem, gazetteer: Gazetteer, today: date, known: Mapping[str, str] | None,
             steps: Sequence[Step]) -> Prepared:
    stamp = fingerprint(item)
    external_id = item_id(item)
    title = str(item.fields.get("title") or "")[:MAX_TITLE]
    updated = normalise.parse_datetime(item.fields.get("updated_text"))
    if known and external_id and known.get(external_id) == stamp and not item.rejection:
        return Prepared("unchanged", external_id, title, key=key, updated_at=updated, excerpt=item.excerpt)
    try:
        record = build_record(item, gazetteer, today, steps)
    except Rejected as rejected:
        return Prepared("rejected", external_id, title, key=key, excerpt=item.excerpt,
                        rejection=_rejection(item, rejected))
    return Prepared("record", record.external_id, record.title, key=key, updated_at=record.updated_at,
                    record=replace(record, raw_hash=stamp), excerpt=item.excerpt)


def process_items(items: Iterable[RawItem], gazetteer: Gazetteer, today: date,
                  known: Mapping[str, str] | None = None, steps: Sequence[Step] = ()) -> BatchResult:
    """``prepare_items`` as a batch (records, rejections, in-batch duplicates, unchanged ids)."""
    return BatchResult(items=prepare_items(items, gazetteer, today, known, steps))


def _rejection(item: RawItem, rejected: Rejected) -> Rejection:
    return Rejection(
        reason=rejected.reason,
        detail=rejected.detail,
        excerpt=item.excerpt,
        external_id=str(item.fields.get("external_id") or "") or None,
        raw_hash=hashlib.sha256(item.excerpt.encode("utf-8")).hexdigest(),
    )


def run_source(config: SourceConfig, gazetteer: Gazetteer, today: date,
               known: Mapping[str, str] | None = None, steps: Sequence[Step] = ()) -> BatchResult:
    """Fetch one source and process its items; a failing fetch is reported, not raised.

    Items a source yielded before it failed (a truncated feed, an API page that errs) are
    still processed; the error in ``errors`` tells the caller the listing is incomplete. The
    conditional-GET state after the run comes back in ``http_cache`` (the config's own is only
    read): the caller stores it with the run.
    """
    items: list[RawItem] = []
    errors: list[str] = []
    cache = HttpCache(copy.deepcopy(config.http_cache)) if config.http_cache is not None else None
    try:
        with Fetcher.for_source(config, cache=cache) as http:
            for item in fetch_items(config, http):
                items.append(item)
    except Exception as exc:  # one failing source must never stop the others
        errors.append(_describe(exc))
    result = process_items(items, gazetteer, today, known, steps)
    result.errors.extend(errors)
    result.http_cache = cache.to_dict() if cache is not None else None
    return result


def _describe(exc: Exception) -> str:
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str) and reason:  # Rejected/FetchError/SourceError carry a code
        return f"{reason}: {getattr(exc, 'detail', '') or exc}"
    return f"{type(exc).__name__}: {exc}"
