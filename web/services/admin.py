"""Admin services: staff users and their scoped roles, sources, region pairs, key assistance counties.

Places are typed by name and resolved with the gazetteer (the same rules as everywhere else);
a bureau's county and a key county must be county-level. Services never commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, selectinload

from places import AmbiguousPlace, Gazetteer, PlaceNotFound
from web.models import KeyCounty, Place, RegionPair, RegionPairPlace, RoleAssignment, Source, User
from web.services.accounts import AccountError, check_password_rules, hash_password, normalise_phone


def N_(message: str) -> str:  # noqa: N802 - gettext_noop
    """Mark a message for the catalogue; views translate it."""
    return message


STAFF_ROLES = ("bureau", "collab", "admin", "seeker")
MAX_PAIR_PLACES = 30


class AdminError(ValueError):
    """Input an admin action cannot accept; ``field`` names the form field, ``params`` fill the message."""

    def __init__(self, field: str, message: str, **params: Any):
        super().__init__(message)
        self.field, self.message, self.params = field, message, params


@dataclass(frozen=True)
class RoleRow:
    """A role assignment as listed: the role and the name of its scope."""

    id: int
    role: str
    scope: str


# --- places


def resolve_place(session: Session, gazetteer: Gazetteer, text: str, field: str,
                  county_only: bool = False) -> Place:
    """The stored place a name means; a field error when unknown, ambiguous or (if asked) not a county."""
    text = (text or "").strip()
    if not text:
        raise AdminError(field, N_("请填写地名。"))
    try:
        found = gazetteer.resolve(text)
    except AmbiguousPlace as exc:
        names = "、".join(p.full_name for p in exc.candidates[:5])
        raise AdminError(field, N_("“%(text)s”有好几个地方：%(names)s。请写得更具体。"),
                         text=text[:40], names=names) from exc
    except PlaceNotFound as exc:
        raise AdminError(field, N_("找不到地点“%(text)s”。"), text=text[:40]) from exc
    if county_only and found.level != "county":
        raise AdminError(field, N_("“%(text)s”不是县级地方，请写一个县、县级市或区。"), text=text[:40])
    place = session.scalar(select(Place).where(Place.code == found.code))
    if place is None:
        raise AdminError(field, N_("找不到地点“%(text)s”。"), text=text[:40])
    return place


def split_names(text: str) -> list[str]:
    """Place names typed one a line or separated by commas / 、."""
    for sep in ",，、;；\r":
        text = text.replace(sep, "\n")
    return list(dict.fromkeys(t.strip() for t in text.split("\n") if t.strip()))


# --- users and roles


def list_users(session: Session, phone: str = "", limit: int = 200,
               include: int | None = None) -> list[tuple[User, list[RoleRow]]]:
    """Users holding a staff role, or (with ``phone``) users whose phone contains it, and the user
    ``include`` (the one a form is about); with the names of their scopes."""
    query = select(User).options(selectinload(User.roles)).order_by(User.id).limit(limit)
    phone = "".join(c for c in phone if c.isdigit())[:20]
    if phone:
        wanted = User.phone.contains(phone)
    else:
        wanted = User.id.in_(select(RoleAssignment.user_id)
                             .where(RoleAssignment.role.in_(("bureau", "collab", "admin"))))
    query = query.where(or_(wanted, User.id == include) if include is not None else wanted)
    users = session.scalars(query).all()
    places = {p.id: p.full_name for p in session.scalars(select(Place).where(Place.id.in_(
        [r.county_id for u in users for r in u.roles if r.county_id])))}
    pairs = {p.id: p.name for p in session.scalars(select(RegionPair))}
    out = []
    for user in users:
        rows = [RoleRow(r.id, r.role, places.get(r.county_id, "") if r.county_id else
                        pairs.get(r.region_pair_id, "") if r.region_pair_id else "") for r in user.roles]
        out.append((user, sorted(rows, key=lambda r: (STAFF_ROLES.index(r.role), r.id))))
    return out


def pair_choices(session: Session) -> list[tuple[str, str]]:
    """(id, name) of every region pair, for a picker."""
    rows = session.execute(select(RegionPair.id, RegionPair.name).order_by(RegionPair.id))
    return [(str(i), n) for i, n in rows]


def create_staff_user(session: Session, phone_text: str, password: str, display_name: str = "") -> User:
    """A new account with a phone and an initial password (argon2); roles are assigned separately."""
    try:
        phone = normalise_phone(phone_text)
        check_password_rules(password, phone)
    except AccountError as exc:
        raise AdminError(exc.field, exc.message) from exc
    if session.scalar(select(User.id).where(User.phone == phone)) is not None:
        raise AdminError("phone", N_("这个手机号已经有账号了。"))
    user = User(phone=phone, password_hash=hash_password(password), display_name=display_name.strip()[:100])
    session.add(user)
    session.flush()
    return user


def create_admin(session: Session, phone_text: str, password: str, display_name: str = "") -> User:
    """A new account holding the admin role (the first admin of an installation, from the CLI)."""
    user = create_staff_user(session, phone_text, password, display_name)
    session.add(RoleAssignment(user_id=user.id, role="admin"))
    session.flush()
    return user


def assign_role(session: Session, gazetteer: Gazetteer, user_id: int, role: str,
                county_text: str = "", pair_id: int | None = None) -> RoleAssignment:
    """Give a user a role: bureau with a county, collab with a region pair, admin or seeker alone."""
    if session.get(User, user_id) is None:
        raise LookupError(user_id)
    if role not in STAFF_ROLES:
        raise AdminError("role", N_("请选择角色。"))
    county_id = region_pair_id = None
    if role == "bureau":
        county_id = resolve_place(session, gazetteer, county_text, "county", county_only=True).id
    elif role == "collab":
        if pair_id is None or session.get(RegionPair, pair_id) is None:
            raise AdminError("pair", N_("请选择东西部协作的结对。"))
        region_pair_id = pair_id
    same = select(RoleAssignment.id).where(
        RoleAssignment.user_id == user_id, RoleAssignment.role == role,
        RoleAssignment.county_id.is_(None) if county_id is None else RoleAssignment.county_id == county_id,
        RoleAssignment.region_pair_id.is_(None) if region_pair_id is None
        else RoleAssignment.region_pair_id == region_pair_id)
    if session.scalar(same) is not None:
        raise AdminError("role", N_("这个用户已经有这个角色了。"))
    assignment = RoleAssignment(user_id=user_id, role=role, county_id=county_id,
                                region_pair_id=region_pair_id)
    session.add(assignment)
    session.flush()
    return assignment


def remove_role(session: Session, assignment_id: int, acting_user_id: int) -> RoleAssignment:
    """Take a role away; an admin cannot remove their own admin role (someone must stay admin)."""
    assignment = session.get(RoleAssignment, assignment_id)
    if assignment is None:
        raise LookupError(assignment_id)
    if assignment.role == "admin" and assignment.user_id == acting_user_id:
        raise AdminError("role", N_("不能取消自己的管理员角色。"))
    session.delete(assignment)
    session.flush()
    return assignment


# --- sources


def list_sources(session: Session) -> list[Source]:
    """Every registered source, by name."""
    return list(session.scalars(select(Source).order_by(Source.name)))


def set_source_public(session: Session, source_id: int, public_name: str, contact_phone: str,
                      reply_days: int | None) -> Source:
    """Set what seekers see of a source (empty text clears a value: the page falls back to its trust)."""
    source = session.get(Source, source_id)
    if source is None:
        raise LookupError(source_id)
    source.public_name = public_name.strip() or None
    source.contact_phone = contact_phone.strip() or None
    source.reply_days = reply_days or None
    session.flush()
    return source


def set_source_enabled(session: Session, source_id: int, enabled: bool) -> Source:
    """Switch a source on or off (a disabled source is skipped by scheduled runs)."""
    source = session.get(Source, source_id)
    if source is None:
        raise LookupError(source_id)
    source.enabled = enabled
    session.flush()
    return source


# --- region pairs


def list_pairs(session: Session) -> list[dict[str, Any]]:
    """Every region pair with the names of the places on each side."""
    out = []
    for pair in session.scalars(select(RegionPair).order_by(RegionPair.id)):
        sides: dict[str, list[str]] = {"west": [_name(session, pair.west_place_id)],
                                       "east": [_name(session, pair.east_place_id)]}
        for extra in session.scalars(select(RegionPairPlace).where(RegionPairPlace.region_pair_id == pair.id)
                                     .options(selectinload(RegionPairPlace.place)).order_by(RegionPairPlace.id)):
            sides[extra.side].append(extra.place.full_name)
        out.append({"id": pair.id, "name": pair.name, "west": sides["west"], "east": sides["east"]})
    return out


def _name(session: Session, place_id: int) -> str:
    place = session.get(Place, place_id)
    return place.full_name if place else ""


def create_pair(session: Session, gazetteer: Gazetteer, name: str, west: Sequence[str],
                east: Sequence[str]) -> RegionPair:
    """A pair: the first place of each side is the headline, the others become RegionPairPlace rows."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise AdminError("name", N_("请填写结对名称（最多100字）。"))
    resolved = {}
    for side, texts in (("west", west), ("east", east)):
        if not texts:
            raise AdminError(side, N_("每一边至少要有一个地方。"))
        if len(texts) > MAX_PAIR_PLACES:
            raise AdminError(side, N_("每一边最多30个地方。"))
        resolved[side] = list({p.id: p for p in (resolve_place(session, gazetteer, t, side) for t in texts)}
                              .values())
    overlap = {p.id for p in resolved["west"]} & {p.id for p in resolved["east"]}
    if overlap:
        raise AdminError("east", N_("同一个地方不能同时在东西两边。"))
    west_head, east_head = resolved["west"][0], resolved["east"][0]
    exists = session.scalar(select(RegionPair.id).where(RegionPair.west_place_id == west_head.id,
                                                        RegionPair.east_place_id == east_head.id))
    if exists is not None:
        raise AdminError("west", N_("这两个地方的结对已经有了。"))
    pair = RegionPair(name=name, west_place_id=west_head.id, east_place_id=east_head.id)
    session.add(pair)
    session.flush()
    for side in ("west", "east"):
        session.add_all(RegionPairPlace(region_pair_id=pair.id, place_id=p.id, side=side)
                        for p in resolved[side][1:])
    session.flush()
    return pair


# --- key assistance counties


def list_key_counties(session: Session) -> list[KeyCounty]:
    """Every key assistance county, by code."""
    return list(session.scalars(select(KeyCounty).join(Place).options(selectinload(KeyCounty.place))
                                .order_by(Place.code)))


def add_key_county(session: Session, gazetteer: Gazetteer, text: str) -> KeyCounty:
    """Mark a county (by name) as a key assistance county."""
    place = resolve_place(session, gazetteer, text, "place", county_only=True)
    if session.scalar(select(KeyCounty.id).where(KeyCounty.place_id == place.id)) is not None:
        raise AdminError("place", N_("%(name)s已经在重点帮扶县名单里了。"), name=place.full_name)
    county = KeyCounty(place_id=place.id)
    session.add(county)
    session.flush()
    return county


def remove_key_county(session: Session, key_county_id: int) -> None:
    """Take a county off the list."""
    if session.execute(delete(KeyCounty).where(KeyCounty.id == key_county_id)).rowcount == 0:
        raise LookupError(key_county_id)
