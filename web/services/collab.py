"""East–west collaboration office: supply vs demand, the placement funnel, targeted pushes.

Everything is seen through an ``Area``: the code prefixes of the western side (where workers
live) and of the eastern side (where postings are) of the office's region pair; ``None`` means
anywhere (an admin who picked no pair). ``key_only`` keeps western workers, and figures about
them, in key assistance counties (乡村振兴重点帮扶县, ``KeyCounty``); eastern demand is not
filtered by it (key counties are western).

Occupation groups come from the 2022 classification (``matching.occupations``): a worker's group
is the top prediction of the default index for their own words, a posting's for its title; the
major group is the code's first digit ("6"), the minor group its first two levels ("6-18"). A text
known only at major-group level (the top prediction is the major group's own entry, 6-00-00-00:
"普工", "工人") has the minor group "6-00": the minor table's row "该大类下未细分" of that major
group, never the major group itself among the minor groups.

Funnel definitions (each counted as worker–posting pairs, western worker × eastern posting):

* **matched** – pairs the office put in front of each other or the worker found: a ``JobPush``
  or an ``Application``. This approximates "an eastern posting was ranked for the worker":
  running the matcher for every worker on every page view is far too slow (about a second per
  hundred workers), and a push or an application is the evidence that a match was seen. Month:
  the earlier of the push and the application.
* **applied** – ``Application`` rows of western workers to eastern postings (month: created).
* **placed** – ``Placement`` rows whose ``county_code`` is western and whose posting is eastern
  (month: ``started_on``; manual placements without a posting are not cross-region).
* **retained** – placed, and the 3-month ``CheckIn`` says ``still_working`` (month: started).

Per county means the worker's county (the placement's ``county_code`` for placed/retained); per
occupation group means the posting's major group (a placement's ``occupation_code`` if set).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from statistics import median
from typing import Any

from sqlalchemy import and_, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from matching.explain import format_wage
from matching.occupations import OccupationIndex, default_occupation_index, load_classification
from web.models import (
    Application,
    CheckIn,
    Employer,
    JobPush,
    KeyCounty,
    Notification,
    Place,
    Placement,
    Posting,
    RegionPair,
    User,
    Worker,
)
from web.policy import Scope, pair_prefixes, place_filter
from web.services.notify import NotifyError, Sender
from web.services.push_reach import beyond_reach, distance_km, reach_warnings

PAY_BANDS = ((0, 3000, "<3000"), (3000, 5000, "3000-4999"), (5000, 7000, "5000-6999"),
             (7000, 10000, "7000-9999"), (10000, None, ">=10000"))
RESPONSES = ("interested", "not_interested", "applied")
MAX_PUSH_POSTINGS, MAX_PUSH_WORKERS, MAX_PUSH_PAIRS = 20, 500, 2000
WestPlace, EastPlace = aliased(Place), aliased(Place)


def N_(message: str) -> str:  # noqa: N802 - gettext_noop
    """Mark a message for the catalogue; views translate it."""
    return message


class CollabError(ValueError):
    """Input a collaboration action cannot accept (the form again, or a 422)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


class OutOfScope(LookupError):
    """An object that does not exist for this office (404)."""

    def __init__(self, kind: str, id_: int):
        super().__init__(f"{kind} {id_}")
        self.kind, self.id = kind, id_


@dataclass(frozen=True)
class Area:
    """Code prefixes of the western and eastern sides in view (None: anywhere), and the filters."""

    west: tuple[str, ...] | None
    east: tuple[str, ...] | None
    pair_id: int | None = None
    key_only: bool = False


def area_for(session: Session, scope: Scope, pair_id: int | None = None, key_only: bool = False) -> Area:
    """The area a staff member sees: their pair's sides, or the pair an admin (or office) picked."""
    if pair_id is not None:
        if (not scope.admin and pair_id not in scope.pair_ids) or session.get(RegionPair, pair_id) is None:
            raise OutOfScope("pair", pair_id)
        west, east = pair_prefixes(session, [pair_id])
        return Area(west, east, pair_id, key_only)
    only = scope.pair_ids[0] if len(scope.pair_ids) == 1 and not scope.admin else None
    return Area(scope.prefixes("pair", "west"), scope.prefixes("pair", "east"), only, key_only)


def pair_names(session: Session, pair_ids: Sequence[int] | None) -> list[tuple[int, str]]:
    """(id, name) of the given pairs (None: every pair), for the pair picker."""
    query = select(RegionPair.id, RegionPair.name).order_by(RegionPair.id)
    if pair_ids is not None:
        query = query.where(RegionPair.id.in_(pair_ids))
    return [(i, n) for i, n in session.execute(query)]


def key_prefixes(session: Session) -> tuple[str, ...]:
    """The 6-digit code prefixes of the key assistance counties."""
    return tuple(sorted(c[:6] for c in session.scalars(select(Place.code).join(KeyCounty))))


def _west_clause(session: Session, area: Area, code: Any) -> Any:
    clause = place_filter(code, area.west)
    if area.key_only:
        clause = and_(clause, place_filter(code, key_prefixes(session)))
    return clause


# --- occupations


class OccupationCache:
    """Predicted occupation code (or None) per text, from the default index; kept per process, bounded."""

    def __init__(self, index: Callable[[], OccupationIndex] = default_occupation_index,
                 max_size: int = 200_000):
        self.index, self.max_size = index, max_size
        self._codes: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def codes(self, texts: Sequence[str]) -> list[str | None]:
        """The top occupation code of each text."""
        known = self._codes
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        predicted = self.index().predict(missing) if missing else []
        found = {t: (p[0].code if p else None) for t, p in zip(missing, predicted, strict=True)}
        if found:
            with self._lock:
                if len(self._codes) + len(found) > self.max_size:
                    self._codes = {}
                self._codes.update(found)
        return [found[t] if t in found else known.get(t) for t in texts]


@lru_cache(maxsize=1)
def group_names() -> dict[str, str]:
    """Major ("6") and minor ("6-18") group codes → names, from the installed classification."""
    out = {}
    for entry in load_classification(labelled=False):
        if entry.level == 1:
            out[entry.code[0]] = entry.name
            out[entry.code[:4]] = entry.name  # "6-00": the major group, not subdivided
        elif entry.level == 2:
            out[entry.code[:4]] = entry.name
    return out


def major_of(code: str | None) -> str:
    """"6" for 6-18-02-04; "" when no occupation was found."""
    return code[0] if code else ""


def minor_of(code: str | None) -> str:
    """"6-18" for 6-18-02-04; "6-00" (see ``unsubdivided``) for the major group's own code
    6-00-00-00; "" when no occupation was found. Always a minor-group key, never a major group."""
    return code[:4] if code else ""


def unsubdivided(group: str | None) -> bool:
    """Whether a minor-group key stands for "该大类下未细分" (known only at major-group level: "6-00")."""
    return bool(group) and len(group) == 4 and group.endswith("-00")


# --- supply vs demand


def _worker_rows(session: Session, area: Area) -> list[Any]:
    return session.execute(
        select(Worker.id, Worker.description, Place.code, Worker.will_relocate, Worker.unavailable_months)
        .join(Place, Place.id == Worker.home_place_id).where(_west_clause(session, area, Place.code))
        .order_by(Worker.id)).all()


def _posting_rows(session: Session, area: Area) -> list[Any]:
    return session.execute(
        select(Posting.id, Posting.title, Place.code, Posting.wage_min, Posting.wage_max, Posting.housing)
        .join(Place, Place.id == Posting.place_id)
        .where(Posting.status == "open", place_filter(Place.code, area.east)).order_by(Posting.id)).all()


def pay_band(wage_min: int | None, wage_max: int | None) -> str:
    """The band of a posting's monthly pay (its top, else its bottom); "unknown" when not given."""
    wage = wage_max or wage_min
    if not wage:
        return "unknown"
    return next(label for lo, hi, label in PAY_BANDS if wage >= lo and (hi is None or wage < hi))


def supply(session: Session, area: Area, today: date, occupations: OccupationCache) -> dict[str, Any]:
    """Western workers against eastern open postings: by major and minor group, pay band, county."""
    workers, postings = _worker_rows(session, area), _posting_rows(session, area)
    wcodes = occupations.codes([w.description for w in workers])
    pcodes = occupations.codes([p.title for p in postings])
    keys = key_prefixes(session)
    groups: dict[str, dict[str, Any]] = {}
    for level, group_of in (("major", major_of), ("minor", minor_of)):
        for w, code in zip(workers, wcodes, strict=True):
            row = _group_row(groups, level, group_of(code))
            row["workers"] += 1
            row["relocate"] += bool(w.will_relocate)
            row["available"] += today.month not in (w.unavailable_months or [])
            row["key_workers"] += _is_key(w.code, keys)
        for p, code in zip(postings, pcodes, strict=True):
            row = _group_row(groups, level, group_of(code))
            row["postings"] += 1
            row["housing"] += bool(p.housing)
            row["_wages"].append(p.wage_max or p.wage_min)
    tables = {level: sorted((_finish(r) for r in groups.values() if r["level"] == level), key=_group_order)
              for level in ("major", "minor")}
    return {"groups": tables["major"], "minor": tables["minor"], "pay": _pay_rows(postings),
            "counties": county_rows(session, workers, today, keys),
            "east_counties": east_county_rows(session, postings),
            "totals": {"workers": len(workers), "postings": len(postings),
                       "relocate": sum(bool(w.will_relocate) for w in workers),
                       "available": sum(today.month not in (w.unavailable_months or []) for w in workers),
                       "housing": sum(bool(p.housing) for p in postings)}}


def _group_row(groups: dict[str, dict[str, Any]], level: str, code: str) -> dict[str, Any]:
    key = f"{level}:{code}"
    if key not in groups:
        groups[key] = {"level": level, "code": code, "name": group_names().get(code, ""),
                       "unsubdivided": level == "minor" and unsubdivided(code), "workers": 0,
                       "relocate": 0, "available": 0, "key_workers": 0, "postings": 0, "housing": 0,
                       "_wages": []}
    return groups[key]


def _finish(row: dict[str, Any]) -> dict[str, Any]:
    wages = [w for w in row.pop("_wages") if w]
    row["wage_median"] = int(median(wages)) if wages else None
    return row


def _group_order(row: dict[str, Any]) -> tuple[bool, bool, int, str]:
    """Known groups by size, then the not-subdivided rows, then the unrecognised one."""
    return (row["code"] == "", row["unsubdivided"], -(row["workers"] + row["postings"]), row["code"])


def _pay_rows(postings: Iterable[Any]) -> list[dict[str, Any]]:
    counts: Counter[str] = Counter()
    housing: Counter[str] = Counter()
    for p in postings:
        band = pay_band(p.wage_min, p.wage_max)
        counts[band] += 1
        housing[band] += bool(p.housing)
    labels = [label for *_, label in PAY_BANDS] + ["unknown"]
    return [{"band": b, "postings": counts[b], "housing": housing[b]} for b in labels]


def _is_key(code: str | None, keys: tuple[str, ...]) -> bool:
    return bool(code) and code[:6] in keys  # type: ignore[index]


def county_rows(session: Session, workers: Sequence[Any], today: date,
                keys: tuple[str, ...]) -> list[dict[str, Any]]:
    """Workers per county (code, name, centre, key flag, relocate, available), the largest first."""
    counts: dict[str, dict[str, Any]] = {}
    for w in workers:
        row = counts.setdefault(w.code[:6], {"code": w.code[:6], "workers": 0, "relocate": 0, "available": 0})
        row["workers"] += 1
        row["relocate"] += bool(w.will_relocate)
        row["available"] += today.month not in (w.unavailable_months or [])
    _name_counties(session, counts, keys)
    return sorted(counts.values(), key=lambda r: (-r["workers"], r["code"]))


def east_county_rows(session: Session, postings: Sequence[Any]) -> list[dict[str, Any]]:
    """Open eastern postings per county (code, name, centre, housing), the largest first: the map."""
    counts: dict[str, dict[str, Any]] = {}
    for p in postings:
        row = counts.setdefault(p.code[:6], {"code": p.code[:6], "postings": 0, "housing": 0})
        row["postings"] += 1
        row["housing"] += bool(p.housing)
    _name_counties(session, counts, ())
    return sorted(counts.values(), key=lambda r: (-r["postings"], r["code"]))


def _name_counties(session: Session, rows: dict[str, dict[str, Any]], keys: tuple[str, ...]) -> None:
    places = {c[:6]: (n, lat, lon) for c, n, lat, lon in session.execute(
        select(Place.code, Place.full_name, Place.lat, Place.lon)
        .where(Place.code.in_([c + "000000" for c in rows])))}
    for code, row in rows.items():
        name, lat, lon = places.get(code, (code, None, None))
        row.update(name=name, lat=lat, lon=lon, key=code in keys)


# --- funnel

STAGES = ("matched", "applied", "placed", "retained")


def _contact_rows(session: Session, area: Area, model: Any) -> list[Any]:
    """(worker, posting, when, worker's place code, title) of pushes or applications across the pair."""
    return session.execute(
        select(model.worker_id, model.posting_id, model.created_at, WestPlace.code, Posting.title)
        .join(Worker, Worker.id == model.worker_id).join(WestPlace, WestPlace.id == Worker.home_place_id)
        .join(Posting, Posting.id == model.posting_id).join(EastPlace, EastPlace.id == Posting.place_id)
        .where(_west_clause(session, area, WestPlace.code), place_filter(EastPlace.code, area.east))).all()


def _placement_rows(session: Session, area: Area) -> list[Any]:
    retained = exists().where(CheckIn.placement_id == Placement.id, CheckIn.month_offset == 3,
                              CheckIn.still_working.is_(True))
    return session.execute(
        select(Placement.worker_id, Placement.posting_id, Placement.started_on, Placement.county_code,
               Posting.title, Placement.occupation_code, retained.label("retained"))
        .join(Posting, Posting.id == Placement.posting_id).join(EastPlace, EastPlace.id == Posting.place_id)
        .where(_west_clause(session, area, Placement.county_code),
               place_filter(EastPlace.code, area.east))).all()


def _month(moment: date | datetime | None) -> str:
    return moment.strftime("%Y-%m") if moment else ""


def funnel(session: Session, area: Area, occupations: OccupationCache) -> dict[str, Any]:
    """matched → applied → placed → retained at 3 months: totals, per month, county and group."""
    pushes, applications = _contact_rows(session, area, JobPush), _contact_rows(session, area, Application)
    placements = _placement_rows(session, area)
    matched: dict[tuple[int, int], Any] = {}
    for row in [*pushes, *applications]:
        key = (row.worker_id, row.posting_id)
        if key not in matched or _month(row.created_at) < _month(matched[key].created_at):
            matched[key] = row
    titles = [r.title for r in [*matched.values(), *applications, *placements]]
    codes = dict(zip(titles, occupations.codes(titles), strict=True))
    events: list[tuple[str, str, str, str]] = []  # (stage, month, county, group)
    for stage, rows in (("matched", matched.values()), ("applied", applications)):
        events += [(stage, _month(r.created_at), r.code[:6], major_of(codes[r.title])) for r in rows]
    for r in placements:
        group = major_of(r.occupation_code or codes[r.title])
        events.append(("placed", _month(r.started_on), r.county_code[:6], group))
        if r.retained:
            events.append(("retained", _month(r.started_on), r.county_code[:6], group))
    return _funnel_tables(session, events)


def _funnel_tables(session: Session, events: list[tuple[str, str, str, str]]) -> dict[str, Any]:
    tables: dict[str, dict[str, dict[str, Any]]] = {"months": {}, "counties": {}, "groups": {}}
    totals = dict.fromkeys(STAGES, 0)
    for stage, month, county, group in events:
        totals[stage] += 1
        for table, key in (("months", month), ("counties", county), ("groups", group)):
            tables[table].setdefault(key, dict.fromkeys(STAGES, 0))[stage] += 1
    counties = {k: dict(v, code=k) for k, v in tables["counties"].items()}
    _name_counties(session, counties, key_prefixes(session))
    names = group_names()
    return {"totals": totals,
            "months": sorted(({"month": k, **_stages(v)} for k, v in tables["months"].items()),
                             key=lambda r: r["month"]),
            "counties": sorted(({"code": k, "name": v["name"], "key": v["key"], **_stages(v)}
                                for k, v in counties.items()), key=lambda r: (-r["matched"], r["code"])),
            "groups": sorted(({"code": k, "name": names.get(k, ""), **_stages(v)}
                              for k, v in tables["groups"].items()),
                             key=lambda r: (r["code"] == "", r["code"]))}


def _stages(row: dict[str, Any]) -> dict[str, int]:
    return {s: row[s] for s in STAGES}


# --- targeted pushes


def candidate_workers(session: Session, area: Area, occupations: OccupationCache, group: str = "",
                      county: str = "", relocate: bool = False, limit: int = 200) -> list[dict[str, Any]]:
    """Western workers to push to, filtered by occupation group (major or minor), county, relocation."""
    query = (select(Worker.id, Worker.name, Worker.description, Place.code, Worker.will_relocate,
                    Worker.max_commute_km)
             .join(Place, Place.id == Worker.home_place_id).where(_west_clause(session, area, Place.code)))
    if county:
        query = query.where(Place.code.like(county[:6] + "%"))
    if relocate:
        query = query.where(Worker.will_relocate.is_(True))
    rows = session.execute(query.order_by(Worker.id)).all()
    codes = occupations.codes([r.description for r in rows])
    keys, names = key_prefixes(session), group_names()
    out = []
    for r, code in zip(rows, codes, strict=True):
        if group and not (major_of(code) == group or minor_of(code) == group):
            continue
        out.append({"id": r.id, "name": r.name, "county_code": r.code[:6], "will_relocate": r.will_relocate,
                    "max_commute_km": r.max_commute_km,
                    "occupation": code or "", "group": names.get(minor_of(code), ""),
                    "unsubdivided": unsubdivided(minor_of(code)), "key": _is_key(r.code, keys)})
    return out[:limit]


def open_postings(session: Session, area: Area, limit: int = 200, lang: str = "zh") -> list[dict[str, Any]]:
    """Eastern open postings, newest first (pay in words in ``lang``)."""
    rows = session.execute(
        select(Posting.id, Posting.title, Place.full_name, Posting.wage_min, Posting.wage_max,
               Posting.housing).join(Place, Place.id == Posting.place_id)
        .where(Posting.status == "open", place_filter(Place.code, area.east))
        .order_by(Posting.id.desc()).limit(limit)).all()
    return [{"id": r.id, "title": r.title, "place": r.full_name,
             "wage": format_wage(r.wage_min, r.wage_max, lang), "housing": r.housing} for r in rows]


@dataclass(frozen=True)
class Reply:
    """How a pushed worker answers: a link per push (``link(push_id)``) and the office's phone, if any."""

    link: Callable[[int], str] | None = None
    phone: str = ""

    def params(self, push_id: int) -> dict[str, str]:
        """The message's ``link`` and ``hotline`` parameters (empty when not configured)."""
        return {"link": self.link(push_id) if self.link else "",
                "hotline": f"，也可以打电话{self.phone}" if self.phone else ""}


@dataclass
class PushResult:
    """What a push did: new pushes, pairs pushed before, messages sent / failed / without a phone."""

    created: int = 0
    existing: int = 0
    sent: int = 0
    failed: int = 0
    no_phone: int = 0


def check_push(session: Session, area: Area, posting_ids: Sequence[int], worker_ids: Sequence[int]) -> None:
    """Every posting open and eastern, every worker western: else OutOfScope (404) or CollabError."""
    if not posting_ids or not worker_ids:
        field = "posting_ids" if not posting_ids else "worker_ids"
        raise CollabError(field, N_("请至少选一个岗位和一个人。"))
    if len(posting_ids) > MAX_PUSH_POSTINGS or len(worker_ids) > MAX_PUSH_WORKERS \
            or len(posting_ids) * len(worker_ids) > MAX_PUSH_PAIRS:
        raise CollabError("worker_ids", N_("一次最多推送20个岗位、500人、共2000条。"))
    found = dict(session.execute(
        select(Posting.id, Posting.status).join(Place, Place.id == Posting.place_id)
        .where(Posting.id.in_(posting_ids), place_filter(Place.code, area.east))).all())
    for id_ in posting_ids:
        if id_ not in found:
            raise OutOfScope("posting", id_)
        if found[id_] != "open":
            raise CollabError("posting_ids", N_("有岗位已经停止招聘，不能推送。"))
    ok = set(session.scalars(select(Worker.id).join(Place, Place.id == Worker.home_place_id)
                             .where(Worker.id.in_(worker_ids), place_filter(Place.code, area.west))))
    for id_ in worker_ids:
        if id_ not in ok:
            raise OutOfScope("worker", id_)


class NeedsConfirmation(CollabError):
    """Some workers will not relocate and the job is beyond their reach: the officer must confirm."""

    def __init__(self, warnings: list[dict[str, Any]]):
        super().__init__("confirm", N_("有%(n)s条推送超出劳动力本人愿意的范围（不愿外出）。确认仍要推送吗？"))
        self.warnings = warnings


def push_postings(session: Session, sender: Sender, area: Area, posting_ids: Sequence[int],
                  worker_ids: Sequence[int], pushed_by_id: int | None, *, confirmed: bool = False,
                  reply: Reply | None = None) -> PushResult:
    """Record a JobPush per new (posting, worker) pair and send it; pairs pushed before are left alone.

    Pairs beyond a non-relocating worker's reach raise ``NeedsConfirmation`` unless ``confirmed``.
    """
    posting_ids, worker_ids = list(dict.fromkeys(posting_ids)), list(dict.fromkeys(worker_ids))
    check_push(session, area, posting_ids, worker_ids)
    done = {(p, w) for p, w in session.execute(select(JobPush.posting_id, JobPush.worker_id).where(
        JobPush.posting_id.in_(posting_ids), JobPush.worker_id.in_(worker_ids)))}
    if not confirmed:
        warnings = reach_warnings(session, posting_ids, worker_ids, skip=done)
        if warnings:
            raise NeedsConfirmation(warnings)
    postings = {p.id: p for p in session.execute(
        select(Posting.id, Posting.title, Posting.wage_min, Posting.wage_max, Place.name)
        .join(Place, Place.id == Posting.place_id).where(Posting.id.in_(posting_ids)))}
    contacts = {w.id: w for w in session.execute(
        select(Worker.id, Worker.user_id, func.coalesce(Worker.phone, User.phone).label("phone"))
        .outerjoin(User, User.id == Worker.user_id).where(Worker.id.in_(worker_ids)))}
    result = PushResult(existing=len(done))
    for posting_id in posting_ids:
        p = postings[posting_id]
        params = {"title": p.title[:30], "place": p.name, "wage": format_wage(p.wage_min, p.wage_max)}
        for worker_id in worker_ids:
            if (posting_id, worker_id) in done:
                continue
            push = JobPush(posting_id=posting_id, worker_id=worker_id, pushed_by_id=pushed_by_id,
                           region_pair_id=area.pair_id)
            session.add(push)
            session.flush()  # the id goes into the reply link
            result.created += 1
            _notify(session, sender, contacts[worker_id], posting_id,
                    {**params, **(reply or Reply()).params(push.id)}, result)
    session.flush()
    return result


def _notify(session: Session, sender: Sender, contact: Any, posting_id: int, params: dict[str, Any],
            result: PushResult) -> None:
    """Send the push to the worker's phone; keep a Notification row when the worker has an account."""
    status = "no_phone"
    if contact.phone:
        try:
            sender.send(contact.phone, "job_push", params)
            status, result.sent = "sent", result.sent + 1
        except NotifyError:
            status, result.failed = "failed", result.failed + 1
    else:
        result.no_phone += 1
    if contact.user_id is None:
        return
    try:
        with session.begin_nested():
            session.add(Notification(user_id=contact.user_id, kind="job_push",
                                     dedupe_key=f"posting:{posting_id}", channel=sender.channel,
                                     payload={**params, "posting_id": posting_id}, status=status))
    except IntegrityError:
        pass  # pushed to this person before by someone else: one record is enough


def list_pushes(session: Session, area: Area, page: int = 1, per_page: int = 50,
                worker_id: int | None = None) -> tuple[list[dict[str, Any]], int]:
    """Pushes across the pair, newest first, with the response ("applied" once the worker applied)."""
    base = _pushes_in(session, area)
    if worker_id is not None:
        base = base.where(JobPush.worker_id == worker_id)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.execute(_push_columns(base).order_by(JobPush.id.desc())
                           .limit(per_page).offset((page - 1) * per_page)).all()
    keys = key_prefixes(session)
    return [_push_dict(r, keys) for r in rows], total


def count_pushes(session: Session, area: Area) -> int:
    """How many pushes the pair's list holds (a cheap COUNT, for choosing how to export them)."""
    return session.scalar(select(func.count()).select_from(_pushes_in(session, area).subquery())) or 0


def iter_pushes(session: Session, area: Area, after_chunk: Callable[[int], None] | None = None,
                chunk: int = 1000) -> Iterator[dict[str, Any]]:
    """Every push of the pair, newest first, read ``chunk`` at a time by id (memory flat in the
    rows); ``after_chunk(pushes read)`` runs between chunks, when no query is open."""
    keys, read, last = key_prefixes(session), 0, None
    while True:
        query = _push_columns(_pushes_in(session, area))
        if last is not None:
            query = query.where(JobPush.id < last)
        rows = session.execute(query.order_by(JobPush.id.desc()).limit(chunk)).all()
        yield from (_push_dict(r, keys) for r in rows)
        read += len(rows)
        if after_chunk is not None and rows:
            after_chunk(read)
        if len(rows) < chunk:
            return
        last = rows[-1].id


def _pushes_in(session: Session, area: Area) -> Any:
    return (select(JobPush.id).join(Worker, Worker.id == JobPush.worker_id)
            .join(WestPlace, WestPlace.id == Worker.home_place_id)
            .join(Posting, Posting.id == JobPush.posting_id).join(EastPlace, EastPlace.id == Posting.place_id)
            .where(_west_clause(session, area, WestPlace.code), place_filter(EastPlace.code, area.east)))


def _push_columns(base: Any) -> Any:
    applied = exists().where(Application.worker_id == JobPush.worker_id,
                             Application.posting_id == JobPush.posting_id)
    columns = base.add_columns(
        JobPush.worker_id, Worker.name, WestPlace.code, JobPush.posting_id, Posting.title, JobPush.created_at,
        JobPush.response, applied.label("applied"), Employer.name.label("employer"),
        EastPlace.full_name.label("place"), func.coalesce(Worker.phone, User.phone).label("phone"),
        Worker.will_relocate, Worker.max_commute_km, Worker.lat, Worker.lon, Posting.lat.label("plat"),
        Posting.lon.label("plon"))
    return (columns.outerjoin(Employer, Employer.id == Posting.employer_id)
            .outerjoin(User, User.id == Worker.user_id))


def _push_dict(r: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    return {"id": r.id, "worker_id": r.worker_id, "worker": r.name, "county_code": r.code[:6],
            "key": _is_key(r.code, keys), "posting_id": r.posting_id, "title": r.title,
            "employer": r.employer or "", "place": r.place, "contact": r.phone or "",
            "beyond_reach": beyond_reach(r.will_relocate, r.max_commute_km,
                                         distance_km((r.lat, r.lon), (r.plat, r.plon))),
            "pushed_at": r.created_at, "response": "applied" if r.applied else (r.response or "")}


def set_response(session: Session, area: Area, worker_id: int, posting_id: int, response: str,
                 now: datetime) -> None:
    """Record the worker's answer to a push (a clerk who called them, or the worker)."""
    if response not in RESPONSES:
        raise CollabError("response", N_("请选择回复。"))
    push = session.scalar(select(JobPush).join(Posting, Posting.id == JobPush.posting_id)
                          .join(Place, Place.id == Posting.place_id)
                          .where(JobPush.worker_id == worker_id, JobPush.posting_id == posting_id,
                                 place_filter(Place.code, area.east)))
    if push is None:
        raise OutOfScope("push", posting_id)
    push.response, push.responded_at = response, now
    session.flush()


def worker_card(session: Session, area: Area, worker_id: int, occupations: OccupationCache) -> dict[str, Any]:
    """One western worker for the office: county, occupation, wishes, pushes with responses."""
    worker = session.get(Worker, worker_id)
    if worker is None or worker.home_place is None:
        raise OutOfScope("worker", worker_id)
    code = occupations.codes([worker.description])[0]
    county: dict[str, dict[str, Any]] = {worker.home_place.code[:6]: {}}
    _name_counties(session, county, key_prefixes(session))
    pushes = list_pushes(session, Area(None, area.east), 1, 500, worker_id=worker_id)[0]
    return {"worker": worker, "county": county[worker.home_place.code[:6]], "occupation": code or "",
            "group": group_names().get(minor_of(code), ""), "unsubdivided": unsubdivided(minor_of(code)),
            "pushes": pushes}
