"""Printable match slips for village notice boards: each worker's best jobs with a QR code.

Slips go on public boards, so they carry no phone number of the worker and no household mark,
and a worker's name shows only its first character (the worker knows their own slip). Each
slip carries the bureau's hotline and address (``JIUJIN_BUREAU_PHONE``/``_ADDRESS``) for people
who cannot apply online, and its QR code and printed link use ``JIUJIN_PUBLIC_BASE_URL`` (the
request's host only when that is unset: a clerk's intranet address means nothing to a villager).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import segno
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matching.explain import format_distance, format_wage, join_parts
from web.models import Place, Worker
from web.policy import place_filter
from web.services.seekers import worker_query

PER_WORKER = 3
SLIP_FACTS = ("distance", "wage")  # printed on the slip's pay line, so left out of its reason
MAX_WORKERS = 60


@dataclass(frozen=True)
class Slip:
    """One job for one worker, as printed."""

    worker_label: str
    posting_id: int
    title: str
    employer: str
    wage: str
    distance: str | None
    place: str
    reason: str


def list_villages(session: Session, prefixes: tuple[str, ...] | None) -> list[tuple[str, int]]:
    """Villages with workers in scope, and how many workers each."""
    rows = session.execute(
        select(Worker.village, func.count(Worker.id)).join(Place, Place.id == Worker.home_place_id)
        .where(Worker.village != "", place_filter(Place.code, prefixes))
        .group_by(Worker.village).order_by(Worker.village))
    return [(village, int(n)) for village, n in rows]


def village_workers(session: Session, prefixes: tuple[str, ...] | None, village: str) -> list[Worker]:
    """The village's workers in scope (at most MAX_WORKERS)."""
    return list(session.scalars(
        select(Worker).join(Place, Place.id == Worker.home_place_id)
        .where(Worker.village == village.strip(), place_filter(Place.code, prefixes))
        .order_by(Worker.id).limit(MAX_WORKERS)))


def build_slips(session: Session, runtime: Any, prefixes: tuple[str, ...] | None, village: str,
                lang: str = "zh") -> list[Slip]:
    """Each village worker's top PER_WORKER matches from the shared matcher."""
    return slips_for(session, runtime, village_workers(session, prefixes, village), lang)


def worker_slips(session: Session, runtime: Any, worker_id: int,
                 lang: str = "zh") -> tuple[Worker, list[Slip]]:
    """One worker's slips (a clerk prints them for a walk-in), and the worker."""
    worker = session.get(Worker, worker_id)
    return worker, slips_for(session, runtime, [worker], lang)


def slips_for(session: Session, runtime: Any, workers: list[Worker], lang: str = "zh") -> list[Slip]:
    """Each worker's top PER_WORKER matches from the shared matcher, worded in ``lang`` (the page's)."""
    if not workers:
        return []
    ranked = runtime.matcher(session).rank_many([worker_query(w) for w in workers], limit=PER_WORKER,
                                                lang=lang)
    slips = []
    for worker, matches in zip(workers, ranked, strict=True):
        for match in matches[:PER_WORKER]:
            p = match.posting
            slips.append(Slip(worker_label=mask_name(worker.name), posting_id=int(p.id), title=p.title,
                              employer=p.employer or "", wage=format_wage(p.wage_min, p.wage_max, lang),
                              distance=format_distance(match.distance_km, lang), place=p.place_name or "",
                              reason=slip_reason(match)))
    return slips


def slip_reason(match: Any) -> str:
    """The match's reason without the pay and distance the slip already prints."""
    parts = getattr(match, "reason_parts", None)
    return join_parts(parts, SLIP_FACTS) if parts else str(match.reason)


def mask_name(name: str) -> str:
    """张三丰 → 张**: enough for the worker to find their slip, not a full name on a public board."""
    name = (name or "").strip()
    return name[:1] + "*" * max(len(name) - 1, 1) if name else "**"


def public_url(base: str, path: str, fallback: str) -> str:
    """The address printed on a slip: the configured public ``base`` plus ``path``; without a
    base, ``fallback`` (the request's own address)."""
    return base.rstrip("/") + path if base else fallback


def qr_svg(url: str) -> Markup:
    """An inline SVG QR code for ``url`` (segno's markup holds only the code's paths)."""
    return Markup(segno.make(url, micro=False).svg_inline(scale=3))
