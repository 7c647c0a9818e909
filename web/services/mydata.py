"""A person's own data: everything stored about them, as one document, and its deletion.

PIPL Art. 44–47: the person can see, copy and delete their personal information. The export
holds every row that refers to them; deletion removes the same rows.

- **Household marks**: a priority-household mark (脱贫户, 监测户, 易地搬迁户) that a county bureau
  set on the person is staff-only on every other page, but it is personal information held about
  them (PIPL Art. 45), so their own page and export show it, in plain words, with who set it.
- **Free text after deletion**: reports of suspicious postings they made are kept for the
  moderators, no longer pointing to them, with phone-like numbers (and their own phone number and
  name, in anyone's report) replaced by ``[已删除]``. Audit entries about them keep who looked,
  when, and at what (action, outcome, path) — not what the mark was (``kind``, ``before``).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from web.models import (
    ApiToken,
    Application,
    AuditEntry,
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
        marks = session.execute(select(PostingMark, Posting.title)
                                .join(Posting, Posting.id == PostingMark.posting_id)
                                .where(PostingMark.worker_id == worker.id))
        data["marks"] = [{**_row(m, ("posting_id", "kind", "created_at")), "title": title}
                         for m, title in marks]
        # A priority-household mark a bureau set (PIPL Art. 45: the person's own data), in words.
        data["household_marks"] = [household_mark(h) for h in session.scalars(
            select(HouseholdMark).where(HouseholdMark.worker_id == worker.id))]
    return _plain(data)


def household_mark(mark: HouseholdMark) -> dict[str, Any]:
    """A household mark as its person reads it: the code, the words, who set it, when."""
    from web.services.households import KIND_WORDS

    return {"kind": mark.kind, "kind_text": str(KIND_WORDS.get(mark.kind, mark.kind)),
            "set_by": str(_l("所在县的就业局（帮扶工作用，别的求职者和用人单位看不到）")),
            "created_at": _plain(mark.created_at), "updated_at": _plain(mark.updated_at)}


REDACTED = "[已删除]"
# Seven or more digits, spaces/dashes/dots allowed between them: mobile, landline, QQ numbers.
_PHONE_LIKE = re.compile(r"(?<!\d)\+?\d(?:[\s\-.]?\d){6,}(?!\d)")
# What an audit entry about a deleted person keeps: where and how it was looked at.
AUDIT_KEEPS = ("path", "method", "page")


def redact_free_text(text: str, words: tuple[str, ...] = (), numbers: bool = True) -> str:
    """``text`` with each of ``words`` (≥ 2 characters) and, with ``numbers``, every phone-like
    number replaced by ``[已删除]``."""
    for word in (w for w in words if w and len(w) >= 2):
        text = text.replace(word, REDACTED)
    return _PHONE_LIKE.sub(REDACTED, text) if numbers else text


def delete_my_data(session: Session, user: User) -> None:
    """Delete the account and every row about the person (reports stay, anonymised and redacted)."""
    worker = session.scalar(select(Worker).where(Worker.user_id == user.id))
    worker_id = worker.id if worker is not None else None
    _scrub_reports(session, user, (user.phone, worker.name if worker else "", user.display_name or ""))
    if worker_id is not None:
        _scrub_audit(session, worker_id)
        session.execute(delete(PostingMark).where(PostingMark.worker_id == worker_id))
        session.execute(delete(HouseholdMark).where(HouseholdMark.worker_id == worker_id))
        session.execute(delete(Application).where(Application.worker_id == worker_id))
        session.execute(delete(Worker).where(Worker.id == worker_id))
    session.execute(delete(Notification).where(Notification.user_id == user.id))
    session.execute(delete(ApiToken).where(ApiToken.user_id == user.id))
    session.execute(delete(OneTimeCode).where(OneTimeCode.phone == user.phone))
    session.execute(delete(RoleAssignment).where(RoleAssignment.user_id == user.id))
    session.execute(delete(User).where(User.id == user.id))
    session.expunge_all()  # nothing stale about the person stays in this session


def _scrub_reports(session: Session, user: User, words: tuple[str, ...]) -> None:
    """The person's reports lose their author and phone-like numbers; anyone's loses the person's
    phone and name (a report may name the person it is about)."""
    named = [PostingReport.detail.contains(w, autoescape=True) for w in words if w and len(w) >= 2]
    mine = PostingReport.user_id == user.id
    for report in session.scalars(select(PostingReport).where(or_(mine, *named))):
        report.detail = redact_free_text(report.detail or "", words, numbers=report.user_id == user.id)
    session.execute(update(PostingReport).where(mine).values(user_id=None))
    session.flush()


def _scrub_audit(session: Session, worker_id: int) -> None:
    """Audit entries about the worker keep who, when and where; not the mark's kind."""
    entries = session.scalars(select(AuditEntry).where(AuditEntry.object_type == "worker",
                                                       AuditEntry.object_id == worker_id))
    for entry in entries:
        entry.detail = {k: v for k, v in (entry.detail or {}).items() if k in AUDIT_KEEPS}
    session.flush()


def _row(obj: Any, fields: tuple[str, ...]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


def _plain(value: Any) -> Any:
    """Dates as ISO strings (times with their offset: stored times are UTC), containers recursively."""
    if isinstance(value, datetime):
        aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
        return aware.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
