"""The county bureau's workspace: vacancies through the ingestion pipeline, assisted registration,
candidates for a vacancy, and the workers no open job reaches."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload

from jobs_ingest.pipeline import read_pay_text
from jobs_ingest.records import RawItem
from matching.types import Query, Reach, WorkerDoc, WorkerMatch
from web.models import Application, Place, Placement, Posting, Source, User, Worker, utcnow
from web.policy import Scope, place_filter
from web.schemas import nearest_commute_km
from web.services import households
from web.services.imports import bureau_source, reason_words, store_items
from web.services.index import to_doc
from web.services.places import place_row
from web.services.search import SearchError
from web.services.seekers import resolve_home
from web.services.seekers import worker_query as seeker_query

TYPE_WORDS = {"full_time": "全职", "part_time": "兼职", "day_labour": "日结", "seasonal": "季节工"}
LIST_LIMIT = 200
JOBS_LIMIT = 30  # jobs listed for one worker
WIDE_KM = 100.0  # "within reach if you widen the radius": housed jobs within this distance
PUBLIC_WELFARE = ("公益性岗位", "公益岗")
NEGOTIABLE = re.compile(r"面议|面谈|协商|商议|待定|negotiable|to be agreed", re.IGNORECASE)


class VacancyError(ValueError):
    """Input that cannot be stored; ``field`` names the form field (None: the whole form)."""

    def __init__(self, field: str | None, message: str, status: int = 400):
        super().__init__(message)
        self.field, self.message, self.status = field, message, status


# --- scope


def county_of(scope: Scope, place_code: str | None = None) -> str:
    """The county a bureau member acts for (the place's county for admins)."""
    if scope.counties:
        return scope.counties[0]
    return place_code[:6] if place_code else "admin"


def workers_in_scope(session: Session, scope: Scope, search: str = "", limit: int | None = LIST_LIMIT
                     ) -> list[Worker]:
    """Workers whose home is in the staff member's county (everyone for admins), newest first."""
    query = (select(Worker).outerjoin(Place, Place.id == Worker.home_place_id)
             .where(place_filter(Place.code, scope.prefixes("county")))
             .options(joinedload(Worker.home_place)).order_by(Worker.id.desc()))
    words = search.strip()[:50]
    if words:
        query = query.where(_matches_words(words))
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def _matches_words(words: str) -> Any:
    """Name, village, home place or phone (the worker's own, or their account's) containing ``words``."""
    like = "%" + words.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    account_phone = select(User.phone).where(User.id == Worker.user_id).scalar_subquery()
    return or_(*[column.like(like, escape="\\") for column in
                 (Worker.name, Worker.village, Worker.home_text, Worker.phone, account_phone)])


def vacancies_in_scope(session: Session, scope: Scope, limit: int = LIST_LIMIT) -> list[Posting]:
    """Postings in the county (any source), open ones first, newest first."""
    query = (select(Posting).join(Place, Place.id == Posting.place_id)
             .where(place_filter(Place.code, scope.prefixes("county")))
             .options(joinedload(Posting.source), joinedload(Posting.employer), joinedload(Posting.place))
             .order_by((Posting.status == "open").desc(), Posting.id.desc()).limit(limit))
    return list(session.scalars(query))


def home_numbers(session: Session, scope: Scope) -> dict[str, int]:
    """The county at a glance: open vacancies (and the bureau's own), workers, priority households,
    placements."""
    county = place_filter(Place.code, scope.prefixes("county"))
    postings = select(func.count(Posting.id)).join(Place, Place.id == Posting.place_id).where(
        county, Posting.status == "open")
    own = postings.join(Source, Source.id == Posting.source_id).where(Source.kind == "manual")
    workers = select(func.count(Worker.id)).join(Place, Place.id == Worker.home_place_id).where(county)
    placements = select(func.count(Placement.id)).where(
        place_filter(Placement.county_code, scope.prefixes("county")))
    return {"open_vacancies": session.scalar(postings) or 0, "bureau_vacancies": session.scalar(own) or 0,
            "workers": session.scalar(workers) or 0,
            "priority": households.count_in_scope(session, scope),
            "placements": session.scalar(placements) or 0}


# --- vacancies


def vacancy_item(data: dict[str, Any], external_id: str, today: date) -> RawItem:
    """The form's (or the API's) fields as a raw item, for the same steps as every source's.

    Typed values pass through as they are (the API's wage integers, the ticks, the type code,
    the headcount, the dates); the form's pay is text as people write it ("6千", "4500-6000",
    "5000元以上"), read by the same parser as an upload's pay column."""
    fields: dict[str, Any] = {
        "external_id": external_id, "title": data["title"], "employer": data.get("employer") or "",
        "place_text": data["place"], "description": data.get("requirements") or "",
        "pay_text": (data.get("pay") or "").strip(), "wage_min": data.get("wage_min"),
        "wage_max": data.get("wage_max"), "housing": bool(data.get("housing")),
        "meals": bool(data.get("meals")), "employment_type": data.get("employment_type") or None,
        # The type in words too: it is the pay parser's context (a day-labour bare figure).
        "type_text": TYPE_WORDS.get(data.get("employment_type") or "", ""),
        "headcount": data.get("headcount"), "valid_through": data.get("deadline"), "posted_at": today,
    }
    fields = {k: v for k, v in fields.items() if v is not None and v != ""}
    return RawItem(fields=fields, excerpt=str(fields)[:4000])


def pay_problem(pay: str, context: str = "") -> str | None:
    """Why the form's pay text cannot be read (None when it can): the upload's parser, so both
    accept the same spellings; "面议" and the like are pay without figures."""
    low, high, _text = read_pay_text(pay, context)
    if low is None and high is None:
        return None if NEGOTIABLE.search(pay) else gettext(
            "看不懂这个工资写法。可以写：4500-6000、6千、5000元以上、面议。")
    if any(w is not None and not 100 <= w <= 200_000 for w in (low, high)):
        return gettext("月薪要在100到200000元之间。")
    return None


def content_id(data: dict[str, Any]) -> str:
    """The id a spreadsheet row with the same title, employer and place gets (the sheet
    reader's content id): posting the same vacancy twice, or by form and by upload, is one
    posting, and a later post with new pay or dates arrives as an update."""
    key = "|".join(re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(data.get(f) or "")))
                   for f in ("title", "employer", "place"))
    return f"sheet-{hashlib.sha1(key.encode('utf-8')).hexdigest()[:16]}"


def _resolve_in_county(runtime: Any, scope: Scope, text: str) -> Any:
    """The gazetteer place of ``text``; it must lie in the staff member's county."""
    place = resolve_home(runtime, text)
    if not scope.contains("county", place.code):
        raise SearchError("place", gettext("工作地点要在本县范围内（“%(name)s”不在）。",
                                           name=place.full_name))
    return place


def post_vacancy(session: Session, runtime: Any, scope: Scope, data: dict[str, Any], today: date) -> Posting:
    """Store a vacancy from the form through the pipeline into the county's bureau source; embed it."""
    place = _resolve_in_county(runtime, scope, data["place"])
    source = bureau_source(session, county_of(scope, place.code))
    item = vacancy_item(data, content_id(data), today)
    return _store_one(session, runtime, scope, source, item, today)


def _store_one(session: Session, runtime: Any, scope: Scope, source: Any, item: RawItem,
               today: date) -> Posting:
    from web.services.embeddings import embed_pending

    row = store_items(session, source, [(None, item)], runtime.gazetteer, today, scope)[0]
    if row.outcome == "rejected":
        raise VacancyError("place" if row.reason.startswith("place") else "title", reason_words(row.reason))
    if row.outcome == "expired":
        raise VacancyError("deadline", gettext("截止日期已经过了。"))
    embed_pending(session, runtime.embedder())
    posting = session.get(Posting, row.posting_id)
    assert posting is not None
    return posting


def edit_vacancy(session: Session, runtime: Any, scope: Scope, posting_id: int, data: dict[str, Any],
                 today: date) -> Posting:
    """Update a vacancy the bureau posted (same id at its source, so it arrives as an update)."""
    posting = _bureau_posting(session, posting_id)
    _resolve_in_county(runtime, scope, data["place"])
    item = vacancy_item(data, posting.external_id, today)
    return _store_one(session, runtime, scope, posting.source, item, today)


def _bureau_posting(session: Session, posting_id: int) -> Posting:
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise VacancyError(None, gettext("没有这个岗位。"), 404)
    if posting.source.kind != "manual":
        raise VacancyError(None, gettext("这个岗位来自其他来源，不能在这里修改，只能下架。"), 409)
    return posting


def close_vacancy(session: Session, posting_id: int) -> Posting:
    """Close a vacancy in the county: it leaves the match index and takes no applications."""
    posting = session.get(Posting, posting_id)
    if posting is None:
        raise VacancyError(None, gettext("没有这个岗位。"), 404)
    if posting.status != "closed":
        posting.status = "closed"  # out of the index: changed_at moves (web.changes)
    session.flush()
    return posting


def vacancy_to_form(posting: Posting) -> dict[str, Any]:
    """A stored vacancy in the form's field names (the edit form's prefill, the API's output)."""
    return {"id": posting.id, "title": posting.title,
            "employer": posting.employer.name if posting.employer else "",
            "place": posting.place_text, "place_name": posting.place.full_name if posting.place else None,
            "wage_min": posting.wage_min, "wage_max": posting.wage_max, "pay": posting.wage_text,
            "housing": posting.housing,
            "meals": posting.meals, "employment_type": posting.employment_type or "",
            "headcount": posting.headcount, "deadline": posting.valid_through,
            "requirements": posting.description, "status": posting.status,
            "editable": posting.source.kind == "manual", "source": posting.source.name,
            "trust": posting.source.trust}


# --- assisted registration


def save_worker(session: Session, runtime: Any, scope: Scope, clerk: User, data: dict[str, Any],
                worker: Worker | None = None) -> Worker:
    """Create (``worker`` None) or update a worker profile for someone at the counter.

    Consent is required: a new profile, or one without consent yet, needs ``consent`` and a
    method (written or verbal); it is recorded now, with the clerk.
    """
    place = _resolve_in_county(runtime, scope, data["place"])
    has_consent = worker is not None and has_consented(session, worker)
    if not data.get("consent") and not has_consent:
        raise SearchError("consent", gettext("要先取得本人同意（书面或口头），才能保存资料。"))
    if worker is None:
        worker = Worker(description="", registered_by_id=clerk.id)
        session.add(worker)
    if data.get("consent"):
        worker.consent_method, worker.consent_recorded_at = data["consent_method"], utcnow()
    row = place_row(session, place)
    worker.name, worker.phone = data["name"].strip(), (data.get("phone") or "").strip() or None
    worker.description, worker.village = data["description"].strip(), (data.get("village") or "").strip()
    worker.home_text, worker.home_place_id = data["place"].strip(), row.id if row else None
    worker.lat, worker.lon = place.lat, place.lon
    worker.max_commute_km, worker.will_relocate = int(data["km"]), bool(data.get("relocate"))
    worker.wage_expectation = data.get("wage")
    worker.unavailable_months = sorted(set(data.get("unavailable_months") or []))
    worker.employment_types = list(dict.fromkeys(data.get("employment_types") or []))
    worker.certificates = list(dict.fromkeys(c for c in data.get("certificates") or [] if c))
    session.flush()
    return worker


def has_consented(session: Session, worker: Worker) -> bool:
    """Consent recorded by a clerk, or the worker's own consent on the site."""
    if worker.consent_recorded_at is not None:
        return True
    if worker.user_id is None:
        return False
    return session.scalar(select(User.consent_at).where(User.id == worker.user_id)) is not None


def worker_to_form(worker: Worker) -> dict[str, Any]:
    """A stored worker in the registration form's field names."""
    return {"name": worker.name, "phone": worker.phone or "", "description": worker.description,
            "place": worker.home_text, "village": worker.village,
            "km": nearest_commute_km(worker.max_commute_km),
            "relocate": worker.will_relocate, "wage": worker.wage_expectation,
            "months": list(worker.unavailable_months or []), "types": list(worker.employment_types or []),
            "certificates": "、".join(worker.certificates or []),
            "consent_method": worker.consent_method if worker.consent_method != "self" else "written"}


# --- candidates for a vacancy


@dataclass
class Candidate:
    """A worker for a vacancy: the match, the priority mark (staff only) and contact if allowed."""

    worker: Worker
    match: WorkerMatch
    household: str | None = None
    contact: str | None = None
    applied: bool = False
    rank_score: float = 0.0
    authorized: bool = False


def worker_doc(worker: Worker) -> WorkerDoc:
    """A stored worker as a vacancy sees them."""
    return WorkerDoc(id=worker.id, description=worker.description, lat=worker.lat, lon=worker.lon,
                     max_commute_km=float(worker.max_commute_km) if worker.max_commute_km else None,
                     will_relocate=worker.will_relocate, wage_expectation=worker.wage_expectation,
                     place_name=worker.home_place.full_name if worker.home_place else worker.home_text,
                     employment_types=tuple(worker.employment_types or ()),
                     unavailable_months=tuple(worker.unavailable_months or ()))


def rank_candidates(session: Session, runtime: Any, scope: Scope, posting_id: int, lang: str,
                    today: date, limit: int = 30) -> list[Candidate]:
    """Workers in scope ranked for the vacancy, priority households raised by
    ``households.PRIORITY_BONUS``; contact details only where consented or applied."""
    posting = session.get(Posting, posting_id)
    assert posting is not None
    workers = {w.id: w for w in workers_in_scope(session, scope, limit=None)}
    if not workers:
        return []
    docs = [worker_doc(w) for w in workers.values()]
    matches = runtime.matcher(session).rank_workers(to_doc(posting), docs, limit=len(docs), lang=lang,
                                                    today=today)
    marks = households.marks_for(session, [int(m.worker.id) for m in matches])
    applied = set(session.scalars(select(Application.worker_id).where(Application.posting_id == posting_id)))
    consent = _consented_ids(session, list(workers.values()))
    phones = _user_phones(session, list(workers.values()))
    found = []
    for m in matches:
        worker = workers[int(m.worker.id)]
        allowed = worker.id in consent or worker.id in applied
        found.append(Candidate(worker=worker, match=m, household=marks.get(worker.id),
                               contact=(worker.phone or phones.get(worker.id)) if allowed else None,
                               applied=worker.id in applied, authorized=allowed,
                               rank_score=households.raised_score(m.score, worker.id in marks)))
    found.sort(key=lambda c: -c.rank_score)  # stable: equal scores keep the matcher's order
    return found[:limit]


def _consented_ids(session: Session, workers: list[Worker]) -> set[int]:
    users = {w.user_id for w in workers if w.user_id is not None}
    consented = set(session.scalars(select(User.id).where(User.id.in_(users), User.consent_at.is_not(None))))
    return {w.id for w in workers if w.consent_recorded_at is not None or w.user_id in consented}


def _user_phones(session: Session, workers: list[Worker]) -> dict[int, str]:
    users = {w.user_id: w.id for w in workers if w.user_id is not None}
    return {users[uid]: phone for uid, phone in session.execute(
        select(User.id, User.phone).where(User.id.in_(list(users))))}


# --- jobs for one worker (a clerk looking for a walk-in)


def jobs_for_worker(session: Session, runtime: Any, worker_id: int, lang: str,
                    limit: int = JOBS_LIMIT) -> tuple[Worker, list[Any]]:
    """The worker and the open postings the shared matcher ranks for their profile, best first."""
    worker = session.get(Worker, worker_id)
    assert worker is not None
    if not worker.description.strip():
        return worker, []
    return worker, runtime.matcher(session).rank(seeker_query(worker), limit=limit, lang=lang)


# --- workers no open job reaches


@dataclass
class NoMatch:
    """A worker no open posting reaches, with next steps."""

    worker: Worker
    occupation: str | None = None
    related: list[tuple[str, int]] = field(default_factory=list)
    housed_within: int = 0
    public_welfare: int = 0


def worker_query(worker: Worker, today: date | None = None) -> Query:
    """The worker's profile as the matcher's query."""
    return Query(text=worker.description, lat=worker.lat, lon=worker.lon,
                 max_km=float(worker.max_commute_km), will_relocate=worker.will_relocate,
                 wage_expectation=worker.wage_expectation,
                 employment_types=tuple(worker.employment_types or ()),
                 unavailable_months=tuple(worker.unavailable_months or ()), today=today)


def no_match(session: Session, runtime: Any, scope: Scope, limit: int = 500) -> list[NoMatch]:
    """Workers in scope with no open posting within reach (the matcher's hard filter finds none),
    each with next steps: a related occupation with jobs within ``WIDE_KM``, the housed jobs
    within it, and the county's public-welfare posts (公益性岗位)."""
    matcher = runtime.matcher(session)
    workers = [w for w in workers_in_scope(session, scope, limit=limit) if w.description.strip()]
    lonely = [w for w in workers if not matcher.reach(worker_query(w)).count]
    if not lonely:
        return []
    predicted = matcher.occupation_index_.predict([w.description for w in lonely])
    welfare = _public_welfare_by_county(session, {w.home_place.code[:6] for w in lonely if w.home_place})
    found = []
    for worker, occupations in zip(lonely, predicted, strict=True):
        wide = matcher.reach(Query(text=worker.description, lat=worker.lat, lon=worker.lon, max_km=WIDE_KM))
        top = occupations[0] if occupations else None
        county = worker.home_place.code[:6] if worker.home_place else ""
        found.append(NoMatch(worker=worker, occupation=top.name if top else None,
                             related=_related(wide, top), housed_within=wide.housed,
                             public_welfare=welfare.get(county, 0)))
    return found


def _related(reach: Reach, top: Any) -> list[tuple[str, int]]:
    """Occupations of the same small group as ``top`` (not itself) that postings within ``reach``
    name first, with how many do."""
    if top is None:
        return []
    names: Counter[str] = Counter()
    for (code, name), count in reach.first_occupations.items():
        if code[:7] == top.group and code != top.code:
            names[name] += count
    return names.most_common(3)


def _public_welfare_by_county(session: Session, counties: set[str]) -> dict[str, int]:
    """Open public-welfare posts per county code."""
    if not counties:
        return {}
    words = or_(*[Posting.title.like(f"%{w}%") for w in PUBLIC_WELFARE],
                *[Posting.description.like(f"%{w}%") for w in PUBLIC_WELFARE])
    rows = session.execute(select(Place.code, Posting.id).join(Place, Place.id == Posting.place_id)
                           .where(Posting.status == "open", words,
                                  place_filter(Place.code, tuple(sorted(counties)))))
    return dict(Counter(code[:6] for code, _ in rows))
