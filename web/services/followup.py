"""Placements and their follow-up check-ins (1, 3 and 6 months), the due list, and its daily reminder.

A placement is recorded from a worker's application (posting, employer and title come from the
posting) or by hand (employer, title and start date typed in). Its county is the worker's home
county when placed, so the county's figures stay put if the worker moves later. Creating it
creates one check-in per ``CHECKIN_MONTHS`` offset, due that many calendar months after the
start (31 January + 1 month = 28/29 February). Services never commit; the caller does.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from web.models import (
    CHECKIN_MONTHS,
    Application,
    CheckIn,
    Notification,
    Place,
    Placement,
    Posting,
    RoleAssignment,
    User,
    Worker,
)
from web.policy import code_prefix, place_filter
from web.services import notify

log = logging.getLogger(__name__)
DUE_KIND = "checkins_due"
# The gateway holds the approved copy; this is what the log sender shows.
PAGE_SIZE = 50
CHECKIN_WORDS = {1: _l("1个月回访"), 3: _l("3个月回访"), 6: _l("6个月回访")}


class FollowupError(ValueError):
    """Input a placement or check-in cannot take; ``field`` names the form field, ``kind`` the reason."""

    def __init__(self, kind: str, field: str, message: str):
        super().__init__(message)
        self.kind, self.field, self.message = kind, field, message


@dataclass(frozen=True)
class PlacementRow:
    """A placement with its worker's name, for lists."""

    placement: Placement
    worker_name: str


@dataclass(frozen=True)
class DueRow:
    """A due (or overdue) check-in with its placement and worker."""

    checkin: CheckIn
    placement: Placement
    worker_name: str
    days_overdue: int


def add_months(start: date, months: int) -> date:
    """``start`` plus calendar months, clamped to the month's last day."""
    return start + relativedelta(months=months)


def worker_applications(session: Session, worker_id: int) -> list[tuple[Application, Posting]]:
    """The worker's applications with their postings, newest first (choices for a placement)."""
    return [(a, p) for a, p in session.execute(
        select(Application, Posting).join(Posting, Posting.id == Application.posting_id)
        .where(Application.worker_id == worker_id).order_by(Application.created_at.desc()))]


def placement_worker_choices(session: Session,
                             worker_id: int) -> tuple[Worker, list[tuple[Application, Posting]]]:
    """The worker and their applications (the placement form's choices)."""
    return session.get(Worker, worker_id), worker_applications(session, worker_id)


def record_placement(session: Session, user: Any, worker_id: int, data: dict[str, Any]) -> Placement:
    """A placement (from ``application_id`` or by hand) with its three check-ins; the caller commits."""
    worker = session.get(Worker, worker_id)
    home = session.get(Place, worker.home_place_id) if worker and worker.home_place_id else None
    if worker is None or home is None:
        raise FollowupError("no_home", "worker_id", gettext("这位求职者没有登记家在哪个县，不能记录就业。"))
    started_on = data.get("started_on")
    if not isinstance(started_on, date):
        raise FollowupError("bad_date", "started_on", gettext("请填写上岗日期。"))
    placement = Placement(worker_id=worker.id, county_code=home.code, started_on=started_on,
                          recorded_by_id=getattr(user, "id", None), source="manual",
                          employer_name=(data.get("employer") or "").strip(),
                          job_title=(data.get("title") or "").strip())
    if data.get("application_id"):
        _from_application(session, placement, int(data["application_id"]))
    elif data.get("posting_id") and session.get(Posting, data["posting_id"]) is not None:
        placement.posting_id = data["posting_id"]
    # A posting may not name its employer; by hand, both are needed.
    if not placement.job_title or (not placement.employer_name and placement.source == "manual"):
        raise FollowupError("missing", "title" if not placement.job_title else "employer",
                            gettext("请填写用工单位和岗位名称。"))
    placement.occupation_code = predict_occupation(placement.job_title)
    try:
        with session.begin_nested():
            session.add(placement)
            session.flush()
    except IntegrityError as exc:  # unique application_id: placed twice from one application
        raise FollowupError("duplicate", "application_id", gettext("这份申请已经记录过就业了。")) from exc
    for months in CHECKIN_MONTHS:
        placement.checkins.append(CheckIn(month_offset=months, due_on=add_months(started_on, months)))
    session.flush()
    return placement


def _from_application(session: Session, placement: Placement, application_id: int) -> None:
    application = session.get(Application, application_id)
    if application is None or application.worker_id != placement.worker_id:
        raise FollowupError("bad_application", "application_id", gettext("这份申请不是这位求职者的。"))
    posting = session.get(Posting, application.posting_id)
    placement.source, placement.application_id = "application", application.id
    placement.posting_id = posting.id
    if application.status in ("submitted", "viewed", "interview"):
        application.status = "hired"
    placement.employer_name = placement.employer_name or (posting.employer.name if posting.employer else "")
    placement.job_title = placement.job_title or posting.title


def placement_prefill(session: Session, worker_id: int, posting_id: int | None) -> dict[str, Any]:
    """Form values for a placement in ``posting_id``: the worker's application to it if there is
    one, else the posting's title and employer typed in for the clerk."""
    posting = session.get(Posting, posting_id) if posting_id else None
    if posting is None:
        return {}
    application_id = session.scalar(select(Application.id).where(
        Application.worker_id == worker_id, Application.posting_id == posting.id))
    if application_id is not None:
        return {"application_id": application_id}
    return {"title": posting.title, "employer": posting.employer.name if posting.employer else "",
            "posting_id": posting.id}


def predict_occupation(title: str) -> str | None:
    """The 2022-classification code the title names, only when the occupation index is already
    fitted in this process (the matcher fits it; fitting here would hold a clerk's form for seconds)."""
    from matching.occupations import default_occupation_index

    if not title or default_occupation_index.cache_info().currsize == 0:
        return None
    found = default_occupation_index().predict([title])[0]
    return found[0].code if found else None


def list_placements(session: Session, prefixes: tuple[str, ...] | None, page: int = 1) -> list[PlacementRow]:
    """Placements in scope, newest start first, one page."""
    rows = session.execute(
        select(Placement, Worker.name).join(Worker, Worker.id == Placement.worker_id)
        .where(place_filter(Placement.county_code, prefixes))
        .order_by(Placement.started_on.desc(), Placement.id.desc())
        .limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE))
    return [PlacementRow(p, name) for p, name in rows]


def placement_worker(session: Session, placement: Placement) -> Worker:
    """The placed worker."""
    return session.get(Worker, placement.worker_id)


def record_checkin(session: Session, user: Any, checkin_id: int, data: dict[str, Any],
                   today: date) -> CheckIn:
    """Record a due check-in's answers (a later answer corrects an earlier one); the caller commits."""
    checkin = session.get(CheckIn, checkin_id)
    if checkin.due_on > today:
        raise FollowupError("not_due", "still_working",
                            gettext("这次回访还没到期（%(day)s到期）。", day=checkin.due_on.isoformat()))
    if data.get("still_working") is None:
        raise FollowupError("missing", "still_working", gettext("请选择是否还在岗。"))
    checkin.still_working = bool(data["still_working"])
    paid = data.get("paid_on_time")
    checkin.paid_on_time = None if paid is None else bool(paid)
    checkin.note = (data.get("note") or "").strip()[:1000]
    checkin.done_at = datetime.now(UTC)
    checkin.recorded_by_id = getattr(user, "id", None)
    settle_later_checkins(session, checkin)
    session.flush()
    return checkin


def settle_later_checkins(session: Session, checkin: CheckIn) -> None:
    """After "left the job", the placement's later check-ins not yet done are no longer due (they
    are removed); a correction back to "still working" schedules them again."""
    placement = checkin.placement
    later = {c.month_offset: c for c in placement.checkins if c.month_offset > checkin.month_offset}
    if checkin.still_working is False:
        for c in later.values():
            if c.done_at is None:
                placement.checkins.remove(c)
                session.delete(c)
        return
    if _left_earlier(placement, checkin):
        return
    for months in CHECKIN_MONTHS:
        if months > checkin.month_offset and months not in later:
            placement.checkins.append(CheckIn(month_offset=months,
                                              due_on=add_months(placement.started_on, months)))


def _left_earlier(placement: Placement, checkin: CheckIn) -> bool:
    """Whether an earlier recorded check-in of the placement already says the worker left."""
    return any(c.month_offset < checkin.month_offset and c.done_at is not None and c.still_working is False
               for c in placement.checkins)


@dataclass(frozen=True)
class Flag:
    """What a worker's latest recorded check-in reported that needs the bureau to get in touch."""

    worker_id: int
    placement_id: int
    month_offset: int
    left: bool
    unpaid: bool
    note: str


def followup_flags(session: Session, prefixes: tuple[str, ...] | None) -> dict[int, Flag]:
    """Workers in scope whose latest placement's latest recorded check-in says they left the job
    or were not paid on time (a newer placement, or a newer answer, clears it)."""
    latest: dict[int, int] = {}
    for worker_id, placement_id in session.execute(
            select(Placement.worker_id, Placement.id).where(place_filter(Placement.county_code, prefixes))
            .order_by(Placement.started_on, Placement.id)):
        latest[worker_id] = placement_id
    answers: dict[int, CheckIn] = {}
    for checkin in session.scalars(
            select(CheckIn).join(Placement, Placement.id == CheckIn.placement_id)
            .where(CheckIn.done_at.is_not(None), place_filter(Placement.county_code, prefixes))
            .order_by(CheckIn.month_offset)):
        answers[checkin.placement_id] = checkin
    flags = {}
    for worker_id, placement_id in latest.items():
        c = answers.get(placement_id)
        if c is not None and (c.still_working is False or c.paid_on_time is False):
            flags[worker_id] = Flag(worker_id, placement_id, c.month_offset, c.still_working is False,
                                    c.paid_on_time is False, c.note or "")
    return flags


def due_checkins(session: Session, prefixes: tuple[str, ...] | None, today: date,
                 limit: int = 500) -> list[DueRow]:
    """Check-ins due today or earlier and not done, in scope, the oldest due first."""
    rows = session.execute(
        select(CheckIn, Placement, Worker.name).join(Placement, Placement.id == CheckIn.placement_id)
        .join(Worker, Worker.id == Placement.worker_id)
        .where(CheckIn.done_at.is_(None), CheckIn.due_on <= today,
               place_filter(Placement.county_code, prefixes))
        .order_by(CheckIn.due_on, CheckIn.id).limit(limit))
    return [DueRow(c, p, name, (today - c.due_on).days) for c, p, name in rows]


def due_counts(session: Session, today: date) -> Counter[str]:
    """Due, not done check-ins per county code (6-digit prefix)."""
    rows = session.execute(
        select(Placement.county_code, func.count(CheckIn.id))
        .join(Placement, Placement.id == CheckIn.placement_id)
        .where(CheckIn.done_at.is_(None), CheckIn.due_on <= today).group_by(Placement.county_code))
    counts: Counter[str] = Counter()
    for code, n in rows:
        counts[code[:6]] += int(n)
    return counts


def notify_due_checkins(session: Session, sender: Any, today: date) -> int:
    """Tell each bureau staff member how many check-ins are due in their county, once a day.

    One ``Notification`` per person (kind ``checkins_due``, dedupe key = today's date) is written
    in a savepoint before sending, so a rerun the same day sends nothing new; a message the
    channel refuses rolls its row back and a later run retries it. Returns how many were sent.
    """
    counts = due_counts(session, today)
    log.info("check-ins due on %s by county: %s", today.isoformat(), dict(counts))
    key, sent = today.isoformat(), 0
    done = select(Notification.user_id).where(Notification.kind == DUE_KIND, Notification.dedupe_key == key)
    staff: dict[int, tuple[User, int, list[str]]] = {}
    for user, county in session.execute(
            select(User, Place).join(RoleAssignment, RoleAssignment.user_id == User.id)
            .join(Place, Place.id == RoleAssignment.county_id)
            .where(RoleAssignment.role == "bureau", User.id.not_in(done)).order_by(User.id, Place.code)):
        count = sum(n for code, n in counts.items() if code.startswith(code_prefix(county)))
        _, total, names = staff.get(user.id, (user, 0, []))
        staff[user.id] = (user, total + count, names + ([county.name] if count else []))
    for user, count, names in staff.values():
        if count and _send_due(session, sender, user, key, {"count": count, "county": "、".join(names)}):
            sent += 1
    return sent


def _send_due(session: Session, sender: Any, user: User, key: str, params: dict[str, Any]) -> bool:
    try:
        with session.begin_nested():
            session.add(Notification(user_id=user.id, kind=DUE_KIND, dedupe_key=key, channel=sender.channel,
                                     payload=params))
            session.flush()
            sender.send(user.phone, DUE_KIND, params)
    except IntegrityError:  # a user with two county roles, or a concurrent run: already told today
        log.info("check-in reminder for user %s already recorded today", user.id)
        return False
    except notify.NotifyError as exc:
        log.warning("check-in reminder for user %s not sent: %s", user.id, exc)
        return False
    return True
