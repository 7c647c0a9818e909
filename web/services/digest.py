"""The daily digest: each consented seeker with a profile hears of the jobs new to them, once a day."""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from matching.types import Match
from web.models import Notification, Posting, User, Worker
from web.services import seekers
from web.services.notify import NotifyError, Sender

log = logging.getLogger(__name__)
KIND = "daily_digest"


def send_daily_digests(session: Session, runtime: Any, sender: Sender, today: date) -> int:
    """Send today's digest to every seeker with new matches; returns how many were sent.

    A Notification row (kind ``daily_digest``, dedupe key = today's ISO date) is written in a
    savepoint before sending, so a rerun the same day sends nothing again and two concurrent runs
    cannot both send (the unique constraint). A message the channel refuses rolls its row back,
    so a later run retries it. The caller commits once.
    """
    key = today.isoformat()
    pairs = _recipients(session, key)
    if not pairs:
        return 0
    matcher = runtime.matcher(session)
    ranked = matcher.rank_many([seekers.worker_query(w) for _, w in pairs], limit=seekers.RANK_LIMIT)
    sent = 0
    for (user, worker), matches in zip(pairs, ranked, strict=True):
        new = _new_matches(session, user, worker, matches)
        if new and _send(session, sender, user, key, new):
            sent += 1
    return sent


def _recipients(session: Session, key: str) -> list[tuple[User, Worker]]:
    """Consented users with a profile and no digest yet today."""
    done = select(Notification.user_id).where(Notification.kind == KIND, Notification.dedupe_key == key)
    rows = session.execute(
        select(User, Worker).join(Worker, Worker.user_id == User.id)
        .where(User.consent_at.is_not(None), User.id.not_in(done)).order_by(User.id))
    return [(user, worker) for user, worker in rows]


def _new_matches(session: Session, user: User, worker: Worker, matches: list[Match]) -> list[Match]:
    """Matches not dismissed and first seen since the last digest or the last visit, whichever is later."""
    kept = seekers.filter_matches(matches, seekers.dismissed_ids(session, worker), {})
    since = _since(session, user, worker)
    ids = [int(m.posting.id) for m in kept]
    if not ids:
        return []
    first_seen = dict(session.execute(
        select(Posting.id, Posting.first_seen).where(Posting.id.in_(ids))).all())
    return [m for m in kept if m.posting.id in first_seen and seekers.aware(first_seen[m.posting.id]) > since]


def _since(session: Session, user: User, worker: Worker) -> datetime:
    last_digest = session.scalar(select(func.max(Notification.created_at)).where(
        Notification.user_id == user.id, Notification.kind == KIND, Notification.status == "sent"))
    moments = [seekers.aware(m) for m in (last_digest, user.last_seen_matches_at, worker.created_at) if m]
    return max(moments)


def _send(session: Session, sender: Sender, user: User, key: str, new: list[Match]) -> bool:
    """Record, then send; the savepoint keeps the record only if the message went out."""
    nearest = min(new, key=lambda m: m.distance_km if m.distance_km is not None else float("inf"))
    posting = nearest.posting
    params = {"count": len(new), "title": posting.title[:30], "place": posting.place_name or ""}
    try:
        with session.begin_nested():
            session.add(Notification(user_id=user.id, kind=KIND, dedupe_key=key, channel=sender.channel,
                                     payload={**params, "posting_ids": [int(m.posting.id) for m in new]}))
            session.flush()
            sender.send(user.phone, KIND, params)
    except IntegrityError:
        log.info("daily digest for user %s already recorded today", user.id)
        return False
    except NotifyError as exc:
        log.warning("daily digest for user %s not sent: %s", user.id, exc)
        return False
    return True
