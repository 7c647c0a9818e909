"""One declarative access policy for the staff workspaces, enforced on the server.

``POLICY`` names every staff action with the roles that may do it and the scope its object must
lie in: ``county`` (bureau staff: their county's administrative code), ``pair`` (collaboration
office staff: the places of their east–west region pair), or ``none``. Admins act everywhere.
Views declare their action with ``@guard``; an action outside one's role answers 403, an object
outside one's scope 404 (it does not exist for them), and both are written to the audit log.
The access-control matrix test reads this table and the guarded routes and checks every cell.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from flask import abort, g, request
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from web.auth import check_api_csrf
from web.extensions import db, login_manager
from web.models import (
    AuditEntry,
    CheckIn,
    HouseholdMark,
    Place,
    Placement,
    Posting,
    RegionPair,
    RegionPairPlace,
    RoleAssignment,
    User,
    Worker,
)

F = TypeVar("F", bound=Callable[..., Any])
STAFF = frozenset({"bureau", "collab", "admin"})


@dataclass(frozen=True)
class Rule:
    """Who may do an action, and where its object must be."""

    roles: frozenset[str]
    scope: str = "none"  # none | county | pair


def _rule(roles: str, scope: str = "none") -> Rule:
    return Rule(frozenset(roles.split()), scope)


POLICY: dict[str, Rule] = {
    # Bureau workspace: the county's vacancies, workers, households, placements, reports.
    "bureau.home": _rule("bureau admin"),
    "bureau.vacancy.create": _rule("bureau admin"),
    "bureau.vacancy.edit": _rule("bureau admin", "county"),
    "bureau.vacancy.candidates": _rule("bureau admin", "county"),
    "bureau.import": _rule("bureau admin"),
    "bureau.worker.list": _rule("bureau admin"),
    "bureau.worker.create": _rule("bureau admin"),
    "bureau.worker.edit": _rule("bureau admin", "county"),
    "bureau.worker.jobs": _rule("bureau admin", "county"),
    "bureau.worker.slip": _rule("bureau admin", "county"),
    "bureau.household.view": _rule("bureau admin", "county"),
    "bureau.household.edit": _rule("bureau admin", "county"),
    "bureau.placement.create": _rule("bureau admin", "county"),
    "bureau.placement.edit": _rule("bureau admin", "county"),
    "bureau.followup": _rule("bureau admin"),
    "bureau.report": _rule("bureau admin"),
    "bureau.slips": _rule("bureau admin"),
    # Collaboration office: its region pair's supply, demand, funnel and pushes.
    "collab.home": _rule("collab admin"),
    "collab.supply": _rule("collab admin"),
    "collab.funnel": _rule("collab admin"),
    "collab.push": _rule("collab admin", "pair"),
    "collab.worker.view": _rule("collab admin", "pair"),
    "collab.export": _rule("collab admin"),
    # Admins: users, sources, region pairs, key counties, moderation.
    "admin.home": _rule("admin"),
    "admin.users": _rule("admin"),
    "admin.sources": _rule("admin"),
    "admin.pairs": _rule("admin"),
    "admin.key_counties": _rule("admin"),
    "admin.moderation": _rule("admin"),
}

LEVEL_DIGITS = {"province": 2, "city": 4, "county": 6}


@dataclass(frozen=True)
class Scope:
    """Where a staff member may act: code prefixes of their county, and of their pair's sides."""

    admin: bool = False
    counties: tuple[str, ...] = ()
    west: tuple[str, ...] = ()
    east: tuple[str, ...] = ()
    pair_ids: tuple[int, ...] = ()

    def prefixes(self, rule_scope: str, side: str | None = None) -> tuple[str, ...] | None:
        """The code prefixes an object must start with; None means anywhere (admins, no scope)."""
        if self.admin or rule_scope == "none":
            return None
        if rule_scope == "county":
            return self.counties
        return {"west": self.west, "east": self.east}.get(side or "", self.west + self.east)

    def contains(self, rule_scope: str, code: str | None, side: str | None = None) -> bool:
        """Whether an object at administrative ``code`` is in scope."""
        allowed = self.prefixes(rule_scope, side)
        if allowed is None:
            return True
        return bool(code) and any(code.startswith(p) for p in allowed)  # type: ignore[union-attr]


def code_prefix(place: Place) -> str:
    """The part of a 12-digit code that its descendants share: 52 (province), 5226, 522632."""
    return place.code[:LEVEL_DIGITS.get(place.level, 6)]


def user_scope(session: Session, user: User) -> Scope:
    """The scope of ``user`` from their role assignments."""
    roles = session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == user.id)).all()
    counties = [code_prefix(session.get(Place, r.county_id)) for r in roles
                if r.role == "bureau" and r.county_id is not None]
    pair_ids = [r.region_pair_id for r in roles if r.role == "collab" and r.region_pair_id is not None]
    west, east = pair_prefixes(session, pair_ids)
    return Scope(admin=any(r.role == "admin" for r in roles), counties=tuple(counties),
                 west=west, east=east, pair_ids=tuple(pair_ids))


def pair_prefixes(session: Session, pair_ids: list[int]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Code prefixes of the western and eastern sides of the given pairs."""
    if not pair_ids:
        return (), ()
    sides: dict[str, list[str]] = {"west": [], "east": []}
    for pair in session.scalars(select(RegionPair).where(RegionPair.id.in_(pair_ids))):
        sides["west"].append(code_prefix(session.get(Place, pair.west_place_id)))
        sides["east"].append(code_prefix(session.get(Place, pair.east_place_id)))
    for side, place in session.execute(select(RegionPairPlace.side, Place).join(Place)
                                       .where(RegionPairPlace.region_pair_id.in_(pair_ids))):
        sides[side].append(code_prefix(place))
    return tuple(sorted(set(sides["west"]))), tuple(sorted(set(sides["east"])))


def place_filter(column: Any, prefixes: tuple[str, ...] | None) -> Any:
    """A WHERE clause keeping rows whose place code (``column``) is in scope."""
    if prefixes is None:
        return True
    if not prefixes:
        return False
    return or_(*[column.like(p + "%") for p in prefixes])


# Object loaders: id -> (administrative code, side of a pair) or None when there is no such object.
def _worker(session: Session, id_: int) -> tuple[str | None, str] | None:
    row = session.execute(select(Worker.id, Place.code).outerjoin(Place, Place.id == Worker.home_place_id)
                          .where(Worker.id == id_)).first()
    return (row[1], "west") if row else None


def _posting(session: Session, id_: int) -> tuple[str | None, str] | None:
    row = session.execute(select(Posting.id, Place.code).outerjoin(Place, Place.id == Posting.place_id)
                          .where(Posting.id == id_)).first()
    return (row[1], "east") if row else None


def _placement(session: Session, id_: int) -> tuple[str | None, str] | None:
    code = session.scalar(select(Placement.county_code).where(Placement.id == id_))
    return (code, "west") if code else None


def _checkin(session: Session, id_: int) -> tuple[str | None, str] | None:
    code = session.scalar(select(Placement.county_code).join(CheckIn).where(CheckIn.id == id_))
    return (code, "west") if code else None


def _household(session: Session, id_: int) -> tuple[str | None, str] | None:
    worker_id = session.scalar(select(HouseholdMark.worker_id).where(HouseholdMark.id == id_))
    return _worker(session, worker_id) if worker_id else None


LOADERS: dict[str, Callable[[Session, int], tuple[str | None, str] | None]] = {
    "worker": _worker, "posting": _posting, "placement": _placement, "checkin": _checkin,
    "household": _household,
}


def audit(session: Session, user: Any, action: str, object_type: str | None, object_id: int | None,
          outcome: str, **detail: Any) -> None:
    """Add an audit entry (committed with the request, or at once for a denial)."""
    session.add(AuditEntry(user_id=getattr(user, "id", None), action=action, object_type=object_type,
                           object_id=object_id, outcome=outcome,
                           detail={"path": request.path, "method": request.method, **detail}))


def current_scope() -> Scope:
    """The signed-in staff member's scope (cached for the request)."""
    if "scope" not in g:
        g.scope = user_scope(db.session, current_user)
    return g.scope


def guard(action: str, obj: str | None = None, param: str | None = None) -> Callable[[F], F]:
    """Enforce ``POLICY[action]`` on a view; ``obj``/``param`` name the object type and URL argument."""
    rule = POLICY[action]
    param = param or (f"{obj}_id" if obj else None)

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                if request.path.startswith("/api/"):
                    abort(401)
                return login_manager.unauthorized()
            if request.path.startswith("/api/"):
                check_api_csrf()
            roles = {r.role for r in current_user.roles}
            if not roles & rule.roles:
                _deny(action, obj, kwargs.get(param or ""), "forbidden", 403)
            if obj is not None:
                found = LOADERS[obj](db.session, kwargs[param])
                if found is None or not current_scope().contains(rule.scope, found[0], found[1]):
                    _deny(action, obj, kwargs[param], "not_found", 404)
            return view(*args, **kwargs)

        wrapped._policy = (action, obj, param)  # type: ignore[attr-defined] # read by the matrix test
        wrapped._jiujin_auth = True  # type: ignore[attr-defined] # documented as needing auth
        return wrapped  # type: ignore[return-value]

    return decorate


def _deny(action: str, obj: str | None, obj_id: Any, outcome: str, status: int) -> None:
    """Log the denial (committed on its own: the request stops here) and answer."""
    db.session.rollback()
    audit(db.session, current_user, action, obj, obj_id if isinstance(obj_id, int) else None, outcome)
    db.session.commit()
    abort(status)
