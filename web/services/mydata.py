"""A person's own data: everything stored about them, as one document, and its deletion.

PIPL Art. 44–47: the person can see, copy and delete their personal information. The export
holds every row that refers to them; deletion removes the same rows. Reports of suspicious
postings they made are kept for the moderators but no longer point to them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from web.models import (
    ApiToken,
    Application,
    HouseholdMark,
    Notification,
    OneTimeCode,
    Posting,
    PostingMark,
    PostingReport,
    RoleAssignment,
    User,
    Worker,
)

WORKER_FIELDS = ("name", "description", "home_text", "lat", "lon", "max_commute_km", "will_relocate",
                 "wage_expectation", "availability", "unavailable_months", "employment_types",
                 "certificates", "languages", "created_at", "updated_at")


def export_my_data(session: Session, user: User) -> dict[str, Any]:
    """Everything stored about ``user``, as plain JSON-ready data."""
    worker = session.scalar(select(Worker).where(Worker.user_id == user.id))
    mine, phone = user.id, user.phone
    data: dict[str, Any] = {
        "account": {"phone": user.phone, "display_name": user.display_name, "locale": user.locale,
                    "created_at": user.created_at, "phone_verified_at": user.phone_verified_at,
                    "consent_at": user.consent_at, "consent_version": user.consent_version,
                    "last_seen_matches_at": user.last_seen_matches_at,
                    "roles": [r.role for r in user.roles]},
        "profile": None, "applications": [], "marks": [], "household_marks": [],
        "reports": [_row(r, ("posting_id", "reason", "detail", "status", "created_at"))
                    for r in session.scalars(select(PostingReport).where(PostingReport.user_id == mine))],
        "notifications": [_row(n, ("kind", "channel", "payload", "status", "created_at"))
                          for n in session.scalars(select(Notification).where(Notification.user_id == mine))],
        "api_tokens": [_row(t, ("created_at", "last_used_at"))
                       for t in session.scalars(select(ApiToken).where(ApiToken.user_id == mine))],
        "one_time_codes": [_row(c, ("purpose", "created_at", "expires_at", "used_at", "attempts"))
                           for c in session.scalars(select(OneTimeCode).where(OneTimeCode.phone == phone))],
    }
    if worker is not None:
        data["profile"] = {**_row(worker, WORKER_FIELDS),
                           "home_place": worker.home_place.full_name if worker.home_place else None}
        data["applications"] = [
            {"posting_id": a.posting_id, "title": title, "status": a.status,
             "created_at": _plain(a.created_at), "updated_at": _plain(a.updated_at)}
            for a, title in session.execute(select(Application, Posting.title)
                                            .join(Posting, Posting.id == Application.posting_id)
                                            .where(Application.worker_id == worker.id))]
        marks = session.scalars(select(PostingMark).where(PostingMark.worker_id == worker.id))
        data["marks"] = [_row(m, ("posting_id", "kind", "created_at")) for m in marks]
        # A priority-household mark a bureau set (PIPL Art. 45: the person's own data).
        data["household_marks"] = [_row(h, ("kind", "created_at", "updated_at")) for h in session.scalars(
            select(HouseholdMark).where(HouseholdMark.worker_id == worker.id))]
    return _plain(data)


def delete_my_data(session: Session, user: User) -> None:
    """Delete the account and every row about the person (reports stay, anonymised)."""
    worker_id = session.scalar(select(Worker.id).where(Worker.user_id == user.id))
    if worker_id is not None:
        session.execute(delete(PostingMark).where(PostingMark.worker_id == worker_id))
        session.execute(delete(HouseholdMark).where(HouseholdMark.worker_id == worker_id))
        session.execute(delete(Application).where(Application.worker_id == worker_id))
        session.execute(delete(Worker).where(Worker.id == worker_id))
    session.execute(update(PostingReport).where(PostingReport.user_id == user.id).values(user_id=None))
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(delete(OneTimeCode).where(OneTimeCode.phone == user.phone))
    session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
    session.execute(delete(User).where(User.id == user.id))
    session.expunge_all()  # nothing stale about the person stays in this session


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def _plain(value: Any) -> Any:
    """Dates as ISO strings, containers recursively."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
