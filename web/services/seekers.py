"""A seeker's own data: the profile, ranked matches with marks and labels, the plain listing."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from jobs_ingest.clock import china_today
from matching.explain import format_wage
from matching.geo import haversine_km
from matching.types import Match, Query
from places import AmbiguousPlace, PlaceNotFound
from web.models import Place, Posting, PostingMark, PostingSource, Source, User, Worker
from web.schemas import nearest_commute_km
from web.services.places import place_row
from web.services.publishers import public_source_name
from web.services.search import SearchError

RANK_LIMIT = 60  # ranked before filters and dismissals are applied
SHOW_LIMIT = 30
PAGE_SIZE = 20
CERTIFICATES = ("driving_a2", "driving_b2", "driving_c1", "electrician", "welder", "health", "forklift",
                "excavator", "cook", "childcare", "eldercare")
LANGUAGES = ("putonghua", "dialect", "english", "minority")
_PREFIX = {"province": 2, "city": 4, "county": 6}


class UnknownPosting(LookupError):
    """No posting has this id."""


@dataclass(frozen=True)
class Card:
    """One of a seeker's matches as a page shows it."""

    match: Match
    new: bool
    source: str | None
    bureau: bool
    others: int
    mark: str | None

    @property
    def trust_label(self) -> str | None:
        """"人社局发布 · 另见2个渠道", or None when neither applies."""
        parts = [gettext("人社局发布")] if self.bureau else []
        if self.others:
            parts.append(ngettext("另见%(n)s个渠道", "另见%(n)s个渠道", self.others, n=self.others))
        return " · ".join(parts) or None


@dataclass(frozen=True)
class MatchPage:
    """A seeker's filtered matches, how many are new, and the home they were measured from."""

    cards: list[Card]
    new_count: int
    home: str | None


# --- profile


def resolve_home(runtime: Any, text: str) -> Any:
    """The gazetteer place a home text names, or a ``SearchError`` on the place field."""
    try:
        return runtime.gazetteer.resolve(text)
    except PlaceNotFound as exc:
        raise SearchError("place", gettext("找不到地点“%(text)s”。请写县、市或省的名字，例如：榕江县。",
                                           text=text[:40])) from exc
    except AmbiguousPlace as exc:
        names = "、".join(c.full_name for c in exc.candidates[:5])
        raise SearchError("place", gettext("“%(text)s”可能是：%(names)s。请写得更具体一些（加上省或市）。",
                                           text=text[:40], names=names)) from exc


def save_profile(session: Session, runtime: Any, user: User, data: dict[str, Any]) -> Worker:
    """Create or update the user's worker profile from validated input (schemas.ProfileIn).

    The home is resolved before anything is written, so a bad place leaves nothing half-saved.
    """
    place_text = (data.get("place") or "").strip()
    place = resolve_home(runtime, place_text) if place_text else None
    lat = data["lat"] if data.get("lat") is not None else (place.lat if place else None)
    lon = data["lon"] if data.get("lon") is not None else (place.lon if place else None)
    worker = session.scalar(select(Worker).where(Worker.user_id == user.id))
    if worker is None:
        worker = Worker(user_id=user.id, description="")
        session.add(worker)
    row = place_row(session, place) if place else None
    worker.description = data["description"].strip()
    worker.home_text, worker.home_place_id = place_text, row.id if row else None
    worker.lat, worker.lon = lat, lon
    worker.max_commute_km, worker.will_relocate = data["km"], bool(data.get("relocate"))
    worker.wage_expectation = data.get("wage")
    worker.availability = (data.get("availability") or "").strip()
    worker.unavailable_months = sorted(set(data.get("unavailable_months") or []))
    worker.employment_types = _unique(data.get("employment_types") or [])
    worker.certificates = _unique(c.strip() for c in data.get("certificates") or [] if c.strip())
    worker.languages = _unique(v.strip() for v in data.get("languages") or [] if v.strip())
    session.flush()
    return worker


def _unique(items: Any) -> list[str]:
    return list(dict.fromkeys(items))


def profile_to_dict(worker: Worker) -> dict[str, Any]:
    """The stored profile in the input's field names (schemas.ProfileOut; the form's prefill)."""
    return {"description": worker.description, "place": worker.home_text,
            "home": worker.home_place.full_name if worker.home_place else None,
            "lat": worker.lat, "lon": worker.lon, "km": worker.max_commute_km,
            "relocate": worker.will_relocate, "wage": worker.wage_expectation,
            "availability": worker.availability, "unavailable_months": list(worker.unavailable_months or []),
            "employment_types": list(worker.employment_types or []),
            "certificates": list(worker.certificates or []), "languages": list(worker.languages or [])}


def prefill_from_search(pending: dict[str, Any] | None) -> dict[str, Any]:
    """A profile form filled from the anonymous search kept at sign-up (``session["pending_search"]``)."""
    if not pending:
        return {}
    try:
        km = int(pending.get("km") or 20)
    except (TypeError, ValueError):
        km = 20
    return {"description": str(pending.get("q") or "")[:500], "place": str(pending.get("place") or "")[:100],
            "km": nearest_commute_km(km),
            "relocate": pending.get("relocate") in (True, "on", "true", "1"),
            "wage": pending.get("wage") or None}


# --- matches


def worker_query(worker: Worker) -> Query:
    """The worker's profile as a query for the shared matcher."""
    return Query(text=worker.description, lat=worker.lat, lon=worker.lon, max_km=float(worker.max_commute_km),
                 will_relocate=worker.will_relocate, wage_expectation=worker.wage_expectation,
                 employment_types=tuple(worker.employment_types or ()),
                 unavailable_months=tuple(worker.unavailable_months or ()), today=china_today())


def worker_matches(session: Session, runtime: Any, worker: Worker, lang: str,
                   filters: dict[str, Any] | None = None) -> list[Match]:
    """The worker's ranked matches, dismissed postings left out, filters applied after ranking."""
    matches = runtime.matcher(session).rank(worker_query(worker), limit=RANK_LIMIT, lang=lang)
    return filter_matches(matches, dismissed_ids(session, worker), filters or {})


def filter_matches(matches: list[Match], dismissed: set[int], filters: dict[str, Any]) -> list[Match]:
    """Drop dismissed postings and those the filters (schemas.MatchFilters) exclude; keep the order."""
    km, min_wage, kind, housing = (filters.get(k) for k in ("km", "min_wage", "type", "housing"))

    def keep(m: Match) -> bool:
        p = m.posting
        top = p.wage_max or p.wage_min
        return (p.id not in dismissed
                and (km is None or (m.distance_km is not None and m.distance_km <= km))
                and (min_wage is None or (top is not None and top >= min_wage))
                and (kind is None or p.employment_type == kind)
                and (not housing or p.housing))

    return [m for m in matches if keep(m)][:SHOW_LIMIT]


def dismissed_ids(session: Session, worker: Worker) -> set[int]:
    """The postings the worker said are not interesting."""
    return set(session.scalars(select(PostingMark.posting_id).where(
        PostingMark.worker_id == worker.id, PostingMark.kind == "dismissed")))


def match_page(session: Session, runtime: Any, worker: Worker, user: User, lang: str,
               filters: dict[str, Any], mark_seen: bool = False) -> MatchPage:
    """The worker's matches as cards; with ``mark_seen`` the visit is remembered ("new since")."""
    matches = worker_matches(session, runtime, worker, lang, filters)
    cards = build_cards(session, worker, matches, seen_since(user, worker))
    if mark_seen:
        user.last_seen_matches_at = datetime.now(UTC)
        session.flush()
    home = worker.home_place.full_name if worker.home_place else (worker.home_text or None)
    return MatchPage(cards=cards, new_count=sum(c.new for c in cards), home=home)


def build_cards(session: Session, worker: Worker, matches: list[Match], since: datetime | None) -> list[Card]:
    """Matches with their "new" flag, source and trust labels and the worker's mark."""
    ids = [int(m.posting.id) for m in matches]
    info = posting_labels(session, ids)
    marks = dict(session.execute(select(PostingMark.posting_id, PostingMark.kind).where(
        PostingMark.worker_id == worker.id, PostingMark.posting_id.in_(ids))).all()) if ids else {}
    cards = []
    for m in matches:
        first_seen, source, trust, sightings = info.get(int(m.posting.id), (None, None, None, 1))
        cards.append(Card(match=m, new=bool(since and first_seen and aware(first_seen) > since),
                          source=source, bureau=trust == "bureau", others=max(sightings - 1, 0),
                          mark=marks.get(int(m.posting.id))))
    return cards


def posting_labels(session: Session, ids: list[int]) -> dict[int, tuple[datetime, str, str, int]]:
    """Per posting: first seen, its source's public name and trust, and how many sightings it has."""
    if not ids:
        return {}
    sightings = dict(session.execute(
        select(PostingSource.posting_id, func.count(PostingSource.id))
        .where(PostingSource.posting_id.in_(ids)).group_by(PostingSource.posting_id)).all())
    rows = session.execute(select(Posting.id, Posting.first_seen, Source)
                           .join(Source, Source.id == Posting.source_id).where(Posting.id.in_(ids)))
    return {pid: (first, public_source_name(source), source.trust, sightings.get(pid, 1))
            for pid, first, source in rows}


def seen_since(user: User, worker: Worker) -> datetime | None:
    """What counts as new: first seen after the last visit to the matches (or after the profile was made)."""
    moment = user.last_seen_matches_at or worker.created_at
    return aware(moment) if moment else None


def aware(moment: datetime) -> datetime:
    """SQLite hands back naive UTC timestamps; make them comparable with aware ones."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def new_matches_count(session: Session, runtime: Any, worker: Worker | None, user: User) -> int:
    """How many of the worker's matches are new since the last visit (for the home page's badge)."""
    if worker is None:
        return 0
    return match_page(session, runtime, worker, user, "zh", {}).new_count


# --- marks


def set_mark(session: Session, worker: Worker, posting_id: int, kind: str) -> PostingMark:
    """Save or dismiss a posting; one mark per worker and posting, the other kind replaces it."""
    if session.get(Posting, posting_id) is None:
        raise UnknownPosting(posting_id)
    mark = session.scalar(select(PostingMark).where(PostingMark.worker_id == worker.id,
                                                    PostingMark.posting_id == posting_id))
    if mark is None:
        mark = PostingMark(worker_id=worker.id, posting_id=posting_id, kind=kind)
        session.add(mark)
    else:
        mark.kind = kind
    session.flush()
    return mark


def remove_mark(session: Session, worker: Worker, posting_id: int) -> bool:
    """Undo a save or a dismissal; False when there was none."""
    if session.get(Posting, posting_id) is None:
        raise UnknownPosting(posting_id)
    mark = session.scalar(select(PostingMark).where(PostingMark.worker_id == worker.id,
                                                    PostingMark.posting_id == posting_id))
    if mark is None:
        return False
    session.delete(mark)
    session.flush()
    return True


def saved_postings(session: Session, worker: Worker) -> list[Posting]:
    """The worker's saved postings, most recently saved first."""
    return list(session.scalars(
        select(Posting).join(PostingMark, PostingMark.posting_id == Posting.id)
        .where(PostingMark.worker_id == worker.id, PostingMark.kind == "saved")
        .order_by(PostingMark.created_at.desc(), PostingMark.id.desc())
        .options(joinedload(Posting.employer), joinedload(Posting.place), joinedload(Posting.source))))


# --- the plain listing


@dataclass(frozen=True)
class Listing:
    """One page of open postings near a place, newest first."""

    postings: list[Posting]
    place: str | None
    page: int
    pages: int
    total: int


def list_near(session: Session, runtime: Any, place_text: str, km: int | None, page: int) -> Listing:
    """Open postings in a place (its county, city or province) or within ``km`` of it; newest first.

    No place lists every open posting. Nothing here is personal: the order is the date only.
    """
    place_text = (place_text or "").strip()
    place = resolve_home(runtime, place_text) if place_text else None
    query = select(Posting.id, Posting.lat, Posting.lon).where(Posting.status == "open")
    if place is not None and km is None:
        prefix = place.code[:_PREFIX.get(place.level, 6)]
        query = query.join(Place, Place.id == Posting.place_id).where(Place.code.startswith(prefix))
    ids = [pid for pid, lat, lon in session.execute(_newest_first(query))
           if km is None or place is None or _within(place, lat, lon, km)]
    pages = max(1, math.ceil(len(ids) / PAGE_SIZE))
    chosen = ids[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
    rows = {p.id: p for p in session.scalars(select(Posting).where(Posting.id.in_(chosen)).options(
        joinedload(Posting.employer), joinedload(Posting.place), joinedload(Posting.source)))}
    return Listing(postings=[rows[i] for i in chosen], place=place.full_name if place else None,
                   page=page, pages=pages, total=len(ids))


def _newest_first(query: Any) -> Any:
    return query.order_by(Posting.posted_at.desc().nulls_last(), Posting.first_seen.desc(), Posting.id.desc())


def _within(place: Any, lat: float | None, lon: float | None, km: int) -> bool:
    if lat is None or lon is None:
        return False
    return float(haversine_km(place.lat, place.lon, lat, lon)) <= km


def posting_to_dict(posting: Posting, lang: str = "zh") -> dict[str, Any]:
    """A posting in the listing's JSON shape (schemas.JobOut)."""
    p = posting
    bureau = p.source is not None and p.source.trust == "bureau"
    return {"id": p.id, "title": p.title, "employer": p.employer.name if p.employer else None,
            "place": p.place.full_name if p.place else (p.place_text or None),
            "lat": p.lat, "lon": p.lon, "wage_min": p.wage_min, "wage_max": p.wage_max,
            "wage": format_wage(p.wage_min, p.wage_max, lang), "housing": p.housing,
            "meals": p.meals, "employment_type": p.employment_type,
            "posted_at": p.posted_at.isoformat() if p.posted_at else None,
            "first_seen": aware(p.first_seen).isoformat(),
            "trust_label": gettext("人社局发布") if bureau else None}
