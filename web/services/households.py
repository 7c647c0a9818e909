"""Priority households (脱贫户, 监测户, 易地搬迁户): marks that only staff in scope see.

Every page that shows marks writes a ``household.view`` audit entry per marked worker shown,
and every change a ``household.set`` / ``household.clear`` entry (``web.policy.audit``), in the
request's transaction. Seeker pages, public job pages, the seeker API and employers never read
this table.

In candidate lists a marked worker's score is raised by ``PRIORITY_BONUS`` (0.05) before
sorting: a priority-household worker comes before any unmarked worker whose fitted score is
less than 0.05 higher, and never jumps over a clearly better fit. The bonus changes the order
only, the score shown is the matcher's own.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from web.models import HOUSEHOLD_KINDS, Application, HouseholdMark, Place, Placement, Worker
from web.policy import Scope, audit, place_filter
from web.services.followup import Flag, followup_flags

KIND_WORDS = {"tuopin": _l("脱贫户"), "jiance": _l("监测户"), "yidi": _l("易地搬迁户")}
PRIORITY_BONUS = 0.05
OUTREACH_LIMIT = 200


def raised_score(score: float, marked: bool) -> float:
    """The score candidates are sorted by: the match score, plus the bonus for a marked worker."""
    return score + PRIORITY_BONUS if marked else score


def marks_for(session: Session, worker_ids: list[int]) -> dict[int, str]:
    """worker id -> mark kind, for the workers that have one."""
    if not worker_ids:
        return {}
    found: dict[int, str] = {}
    for start in range(0, len(worker_ids), 500):
        chunk = worker_ids[start : start + 500]
        found.update({wid: kind for wid, kind in session.execute(
            select(HouseholdMark.worker_id, HouseholdMark.kind).where(HouseholdMark.worker_id.in_(chunk)))})
    return found


def count_in_scope(session: Session, scope: Scope) -> int:
    """Marked workers in the staff member's county."""
    return session.scalar(select(func.count(HouseholdMark.id))
                          .join(Worker, Worker.id == HouseholdMark.worker_id)
                          .join(Place, Place.id == Worker.home_place_id)
                          .where(place_filter(Place.code, scope.prefixes("county")))) or 0


def audit_views(session: Session, user: Any, worker_ids: list[int], page: str) -> None:
    """One ``household.view`` entry per worker whose mark (or its absence) a page shows."""
    for worker_id in worker_ids:
        audit(session, user, "household.view", "worker", worker_id, "ok", page=page)


def set_mark(session: Session, user: Any, worker_id: int, kind: str) -> HouseholdMark:
    """Mark a worker's household (or change the kind); audited."""
    if kind not in HOUSEHOLD_KINDS:
        raise ValueError(f"unknown household kind {kind!r}")
    mark = session.scalar(select(HouseholdMark).where(HouseholdMark.worker_id == worker_id))
    before = mark.kind if mark else None
    if mark is None:
        mark = HouseholdMark(worker_id=worker_id, kind=kind, marked_by_id=user.id)
        session.add(mark)
    mark.kind, mark.marked_by_id = kind, user.id
    audit(session, user, "household.set", "worker", worker_id, "ok", kind=kind, before=before)
    session.flush()
    return mark


def clear_mark(session: Session, user: Any, worker_id: int) -> bool:
    """Remove a worker's mark; audited (also when there was none, as an attempt)."""
    mark = session.scalar(select(HouseholdMark).where(HouseholdMark.worker_id == worker_id))
    audit(session, user, "household.clear", "worker", worker_id, "ok", before=mark.kind if mark else None)
    if mark is None:
        return False
    session.delete(mark)
    session.flush()
    return True


@dataclass(frozen=True)
class OutreachRow:
    """A worker to get in touch with: the mark kind, and the follow-up answer that put them back
    on the list (None: never applied nor placed)."""

    worker: Worker
    kind: str | None
    flag: Flag | None = None


def outreach(session: Session, scope: Scope, limit: int = OUTREACH_LIMIT) -> list[OutreachRow]:
    """Workers in scope to contact: those whose latest check-in says they left the job or were not
    paid on time (first: they need help now), and those with neither a placement nor an
    application; priority households first within each, then the newest registered."""
    flags = followup_flags(session, scope.prefixes("county"))
    placed = exists().where(Placement.worker_id == Worker.id)
    applied = exists().where(Application.worker_id == Worker.id)
    flagged = Worker.id.in_(sorted(flags))
    query = (select(Worker, HouseholdMark.kind).join(Place, Place.id == Worker.home_place_id)
             .outerjoin(HouseholdMark, HouseholdMark.worker_id == Worker.id)
             .where(place_filter(Place.code, scope.prefixes("county")), or_(and_(~placed, ~applied), flagged))
             .options(joinedload(Worker.home_place))
             .order_by(case((flagged, 0), else_=1), HouseholdMark.id.is_(None), Worker.id.desc())
             .limit(limit))
    return [OutreachRow(w, kind, flags.get(w.id)) for w, kind in session.execute(query)]
