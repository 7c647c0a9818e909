"""Per-account login throttling with exponential back-off, counted in the database.

Every wrong password for a phone number, from any address and any worker process, counts against
that number. The first ``FREE_FAILURES`` are free; each one after locks the number for a delay
that doubles (1 min, 2, 4, … at most 1 h). While locked, every attempt is refused without looking
at the password, the right one included. A success clears the count; a quiet day forgets it.

The row is keyed by an HMAC of the phone as typed, not by the account, so numbers that have no
account are throttled exactly like registered ones (the answer never tells which is which) and
the table holds no phone number.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import case, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.models import LoginThrottle

FREE_FAILURES = 5
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(hours=1)
FORGET_AFTER = timedelta(days=1)


def throttle_key(secret: str, phone: str) -> str:
    """What the table stores for a phone number (or for whatever was typed in its place)."""
    return hmac.new(secret.encode(), f"login:{phone}".encode(), hashlib.sha256).hexdigest()


def lock_for(failures: int) -> timedelta:
    """The back-off after ``failures`` wrong passwords in a row: none, then 1 min doubling to 1 h."""
    if failures < FREE_FAILURES:
        return timedelta(0)
    return min(FIRST_LOCK * 2 ** min(failures - FREE_FAILURES, 12), MAX_LOCK)


def locked_for(session: Session, key: str, now: datetime) -> timedelta | None:
    """How long ``key`` stays locked, or None when an attempt may go ahead."""
    until = session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    if until is None or _aware(until) <= now:
        return None
    return _aware(until) - now


def record_failure(session: Session, key: str, now: datetime) -> int:
    """Count one wrong password atomically (any number of processes) and set the lock; the new count."""
    _ensure_row(session, key)
    failures = session.execute(
        update(LoginThrottle)
        .where(LoginThrottle.key == key)
        .values(
            failures=case(
                (LoginThrottle.last_failure_at < now - FORGET_AFTER, 1), else_=LoginThrottle.failures + 1
            ),
            last_failure_at=now,
        )
        .returning(LoginThrottle.failures)
    ).scalar_one()
    if failures >= FREE_FAILURES:
        session.execute(
            update(LoginThrottle)
            .where(LoginThrottle.key == key)
            .values(locked_until=now + lock_for(failures))
        )
    return failures


def clear_failures(session: Session, key: str) -> None:
    """A right password: the count starts again from nothing."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == key))


def minutes(wait: timedelta) -> int:
    """A wait in whole minutes, rounded up (what the message says)."""
    return max(1, math.ceil(wait.total_seconds() / 60))


def _ensure_row(session: Session, key: str) -> None:
    """Insert the key's row unless another request already did (a savepoint absorbs the race)."""
    if session.scalar(select(LoginThrottle.id).where(LoginThrottle.key == key)) is not None:
        return
    try:
        with session.begin_nested():
            session.add(LoginThrottle(key=key, failures=0))
    except IntegrityError:
        pass


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes for UTC columns."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
