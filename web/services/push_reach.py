"""Before and after a push: is the job within the worker's own reach, and the worker's answer to it.

A worker who will not relocate only looks for work within ``max_commute_km`` of home; pushing them
an eastern job far beyond that needs a clear warning and the officer's confirmation. The pushed
message carries a link to a page where the worker answers (interested / not interested) without
signing in; the link names the push by a signed id (``sign_push``/``read_push``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from web.models import JobPush, Place, Posting, Worker

WORKER_ANSWERS = ("interested", "not_interested")
_SALT = "job-push-reply"


def N_(message: str) -> str:  # noqa: N802 - gettext_noop
    """Mark a message for the catalogue; views translate it."""
    return message


def distance_km(a: tuple[float | None, float | None], b: tuple[float | None, float | None]) -> float | None:
    """Great-circle km between two (lat, lon) points; None when either is unknown."""
    if None in a or None in b:
        return None
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))  # type: ignore[arg-type]
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def beyond_reach(will_relocate: bool | None, radius_km: int | None, km: float | None) -> bool:
    """The worker will not relocate and the job is beyond their radius (or its distance is unknown)."""
    if will_relocate:
        return False
    return km is None or km > (radius_km or 0)


def reach_warnings(
    session: Session,
    posting_ids: Sequence[int],
    worker_ids: Sequence[int],
    skip: set[tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """Each (posting, worker) pair not in ``skip`` whose job lies beyond a non-relocating worker's reach."""
    workers = session.execute(
        select(Worker.id, Worker.name, Worker.lat, Worker.lon, Worker.max_commute_km, Worker.will_relocate)
        .where(Worker.id.in_(worker_ids), Worker.will_relocate.is_not(True))
        .order_by(Worker.id)
    ).all()
    if not workers:
        return []
    postings = session.execute(
        select(Posting.id, Posting.title, Posting.lat, Posting.lon, Place.name)
        .join(Place, Place.id == Posting.place_id)
        .where(Posting.id.in_(posting_ids))
        .order_by(Posting.id)
    ).all()
    out = []
    for w in workers:
        for p in postings:
            km = distance_km((w.lat, w.lon), (p.lat, p.lon))
            if (p.id, w.id) not in (skip or set()) and beyond_reach(w.will_relocate, w.max_commute_km, km):
                out.append(
                    {
                        "worker_id": w.id,
                        "worker": w.name,
                        "posting_id": p.id,
                        "title": p.title,
                        "place": p.name,
                        "km": None if km is None else round(km),
                        "radius_km": w.max_commute_km,
                    }
                )
    return out


def sign_push(secret: str, push_id: int) -> str:
    """The token in a pushed message's reply link."""
    return URLSafeSerializer(secret, salt=_SALT).dumps(push_id)


def read_push(secret: str, token: str) -> int | None:
    """The push id a reply link names, or None for a forged or mangled link."""
    try:
        value = URLSafeSerializer(secret, salt=_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def push_for_reply(session: Session, push_id: int) -> dict[str, Any] | None:
    """What the worker sees on the reply page: the job, where, pay, and any answer given before."""
    row = session.execute(
        select(
            JobPush.id,
            JobPush.posting_id,
            JobPush.response,
            Posting.title,
            Posting.wage_min,
            Posting.wage_max,
            Posting.status,
            Place.full_name,
        )
        .join(Posting, Posting.id == JobPush.posting_id)
        .join(Place, Place.id == Posting.place_id)
        .where(JobPush.id == push_id)
    ).first()
    if row is None:
        return None
    return {
        "id": row.id,
        "posting_id": row.posting_id,
        "response": row.response or "",
        "title": row.title,
        "place": row.full_name,
        "wage_min": row.wage_min,
        "wage_max": row.wage_max,
        "open": row.status == "open",
    }


def record_worker_answer(session: Session, push_id: int, response: str, now: datetime) -> bool:
    """Store the worker's own answer (interested / not interested); False for an unknown push or answer."""
    push = session.get(JobPush, push_id)
    if push is None or response not in WORKER_ANSWERS:
        return False
    if push.response != "applied":
        push.response, push.responded_at = response, now
    session.flush()
    return True
