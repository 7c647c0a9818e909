"""The monthly county report, every figure with the records behind it, and the village drop flag.

Figures for county C and month M (first day ``start``, last day ``end``):

* **placements** — placements of C that started within M.
* **priority_employed** — priority-household workers (a ``HouseholdMark``) employed at ``end``:
  a placement of C started on or before ``end``, not ended by then (``ended_on`` empty or after
  ``end``), whose latest recorded check-in due by ``end`` does not say "not working" (no recorded
  check-in yet counts as working). A worker counts once however many placements they have.
* **retention_3 / retention_6** — of the 3-/6-month check-ins of C due on or before ``end``
  and recorded, the share still working (numerator/denominator shown). Due ones not yet
  recorded are listed as pending and left out of the share rather than guessed.
* **vacancies_filled** — distinct postings of a bureau-trust source placed in C with a
  placement that started within M.
* **left_job / unpaid_wages** — check-ins of C recorded within M (China time) that say the
  worker has left the job / was not paid on time (a later correction moves or removes it).

Every figure but vacancies_filled is also broken down by household type (脱贫户, 监测户, 易地搬迁户,
none): its rows carry the worker's mark, the parts add up to the figure (numerators and
denominators for the retention shares), and listing a marked worker is audited as a view of
the mark (``CountyReport.marked_worker_ids``).

Drop flag (``village_drops``): for each village (``Worker.village``, within C) the employment
rate of its priority-household workers = those employed (as above) / all its priority workers,
at the end of M and at the end of the month before. A village is flagged when the rate fell by
10 percentage points or more and it has at least 3 priority workers.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any, NamedTuple

from dateutil.relativedelta import relativedelta
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from web.models import CheckIn, HouseholdMark, Place, Placement, Posting, RoleAssignment, Source, Worker
from web.policy import code_prefix
from web.services.imports import safe_cell  # formula-like text gets a leading apostrophe

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DROP_POINTS = 10  # percentage points
DROP_MIN_WORKERS = 3
CHINA = timezone(timedelta(hours=8))
PAGE_ROWS = 200  # rows shown per figure on the page; the workbook and the JSON have them all

LABELS = {
    "placements": _l("本月新增就业"),
    "priority_employed": _l("脱贫户等重点人群月末在岗人数"),
    "retention_3": _l("3个月留存率"),
    "retention_6": _l("6个月留存率"),
    "vacancies_filled": _l("本月填补的就业局岗位"),
    "left_job": _l("本月回访发现已离岗"),
    "unpaid_wages": _l("本月回访发现工资拖欠"),
}
HOUSEHOLD_COLUMNS = ("tuopin", "jiance", "yidi", "unmarked")  # the breakdown's columns, then the total
SHEETS = {"placements": "本月就业", "priority_employed": "重点人群在岗", "retention_3": "3个月留存",
          "retention_6": "6个月留存", "vacancies_filled": "填补岗位",
          "left_job": "离岗", "unpaid_wages": "工资拖欠"}
COLUMNS = {
    "placement_id": _l("就业记录号"), "worker_id": _l("求职者编号"), "worker": _l("姓名"),
    "village": _l("村"), "employer": _l("用工单位"), "title": _l("岗位"), "started_on": _l("上岗日期"),
    "ended_on": _l("离岗日期"), "checkin_id": _l("回访编号"), "due_on": _l("回访到期"),
    "still_working": _l("是否在岗"), "posting_id": _l("岗位编号"), "placement_ids": _l("就业记录号"),
    "state": _l("状态"), "household": _l("户类型"), "done_on": _l("回访日期"), "note": _l("备注"),
}
PLACEMENT_COLUMNS = ("placement_id", "worker_id", "worker", "village", "household", "employer", "title",
                     "started_on", "ended_on")
CHECKIN_COLUMNS = ("checkin_id", "placement_id", "worker_id", "worker", "household", "employer", "title",
                   "started_on", "due_on", "still_working", "state")
FLAG_COLUMNS = ("checkin_id", "placement_id", "worker_id", "worker", "village", "household", "employer",
                "title", "due_on", "done_on", "note")
WORDED = ("state", "household")  # columns whose values the workbook writes as words
POSTING_COLUMNS = ("posting_id", "title", "employer", "placement_ids")
FIGURE_COLUMNS = {"placements": PLACEMENT_COLUMNS, "priority_employed": PLACEMENT_COLUMNS,
                  "retention_3": CHECKIN_COLUMNS, "retention_6": CHECKIN_COLUMNS,
                  "vacancies_filled": POSTING_COLUMNS, "left_job": FLAG_COLUMNS, "unpaid_wages": FLAG_COLUMNS}
CHUNK = 500  # placements read per query: the report's memory does not grow with the county


class ReportError(ValueError):
    """A month or county the report cannot be made for."""


@dataclass
class Figure:
    """One figure: its value, parts and the rows behind it."""

    key: str
    value: float | int | None
    columns: tuple[str, ...]
    rows: list[dict[str, Any]] = field(default_factory=list)
    numerator: int | None = None
    denominator: int | None = None
    pending: int = 0
    # household type (HOUSEHOLD_COLUMNS) -> (value, numerator, denominator); None: not broken down
    by_household: dict[str, tuple[float | int | None, int | None, int | None]] | None = None

    @property
    def label(self) -> str:
        """The figure's name in the current language."""
        return str(LABELS[self.key])

    def ids(self) -> list[int]:
        """The ids of the records behind the figure (placements, check-ins or postings)."""
        key = {"retention_3": "checkin_id", "retention_6": "checkin_id", "left_job": "checkin_id",
               "unpaid_wages": "checkin_id", "vacancies_filled": "posting_id"}.get(self.key, "placement_id")
        return [row[key] for row in self.rows]


@dataclass(frozen=True)
class VillageDrop:
    """A village's priority-household employment rate this month and last month."""

    county_code: str
    village: str
    workers: int
    employed_before: int
    employed_now: int

    @property
    def rate_before(self) -> float:
        """Last month's rate, percent."""
        return round(100 * self.employed_before / self.workers, 1)

    @property
    def rate_now(self) -> float:
        """This month's rate, percent."""
        return round(100 * self.employed_now / self.workers, 1)

    @property
    def flagged(self) -> bool:
        """A fall of DROP_POINTS or more with at least DROP_MIN_WORKERS priority workers."""
        fall = self.employed_before - self.employed_now
        return self.workers >= DROP_MIN_WORKERS and 100 * fall >= DROP_POINTS * self.workers


@dataclass
class CountyReport:
    """The month's figures for one county, and its villages whose rate dropped."""

    county: Place
    start: date
    end: date
    figures: dict[str, Figure]
    drops: list[VillageDrop]

    @property
    def month(self) -> str:
        """"2026-11"."""
        return self.start.strftime("%Y-%m")

    def marked_worker_ids(self) -> list[int]:
        """Workers whose household mark the report lists (each listing is a view of the mark)."""
        return sorted({row["worker_id"] for fig in self.figures.values() for row in fig.rows
                       if row.get("household")})


class _Check(NamedTuple):
    """A check-in as the report reads it."""

    id: int
    months: int
    due: date
    done: bool
    working: bool | None
    paid: bool | None = None
    done_on: date | None = None
    note: str = ""


@dataclass
class _Placed:
    id: int
    worker_id: int
    worker: str
    village: str
    employer: str
    title: str
    started_on: date
    ended_on: date | None
    posting_id: int | None
    household: str | None
    checkins: list[_Check] = field(default_factory=list)

    @property
    def priority(self) -> bool:
        """Whether the worker's household is marked."""
        return self.household is not None

    def latest_answer(self, on: date) -> bool | None:
        """still_working of the latest recorded check-in due by ``on`` (None: none recorded)."""
        done = [(c.months, c.working) for c in self.checkins if c.done and c.due <= on]
        return max(done)[1] if done else None

    def employed(self, on: date) -> bool:
        """Started by ``on``, not ended by then, and not reported "not working" since."""
        return (self.started_on <= on and (self.ended_on is None or self.ended_on > on)
                and self.latest_answer(on) is not False)

    def row(self) -> dict[str, Any]:
        return {"placement_id": self.id, "worker_id": self.worker_id, "worker": self.worker,
                "village": self.village, "household": self.household, "employer": self.employer,
                "title": self.title, "started_on": self.started_on, "ended_on": self.ended_on}


def parse_month(text: str | None, today: date) -> tuple[date, date]:
    """"2026-11" (empty: this month) to its first and last day, or ReportError."""
    if not text:
        start = today.replace(day=1)
    else:
        match = MONTH.match(text.strip())
        if not match or not (1 <= int(match.group(2)) <= 12) or not (2000 <= int(match.group(1)) <= 2100):
            raise ReportError("month")
        start = date(int(match.group(1)), int(match.group(2)), 1)
    return start, start + relativedelta(months=1, days=-1)


def county_by_code(session: Session, code: str | None) -> Place | None:
    """The county-level place with this 12-digit code."""
    if not code or not code.isdigit() or len(code) != 12:
        return None
    return session.scalar(select(Place).where(Place.code == code))


def staff_county(session: Session, user: Any) -> Place | None:
    """The (first) county a bureau staff member is assigned to."""
    return session.scalar(select(Place).join(RoleAssignment, RoleAssignment.county_id == Place.id)
                          .where(RoleAssignment.user_id == user.id, RoleAssignment.role == "bureau")
                          .order_by(Place.code).limit(1))


def county_choices(session: Session) -> list[tuple[str, str]]:
    """(12-digit code, full name) of the counties a report can be about: those with bureau staff
    or placements, by code (an admin chooses one instead of typing a code)."""
    staffed = select(Place.code).join(RoleAssignment, RoleAssignment.county_id == Place.id).where(
        RoleAssignment.role == "bureau")
    placed = select(Placement.county_code).distinct()
    codes = set(session.scalars(staffed)) | set(session.scalars(placed))
    return sorted(place_names(session, codes).items())


def place_names(session: Session, codes: set[str]) -> dict[str, str]:
    """Full names of places by 12-digit code."""
    if not codes:
        return {}
    rows = session.execute(select(Place.code, Place.full_name).where(Place.code.in_(sorted(codes))))
    return {code: name for code, name in rows}


def build_report(session: Session, county: Place, start: date, end: date) -> CountyReport:
    """Every figure of the month, with its rows, and the village drop flags."""
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    tally = Tally(start, end, lambda key, row: rows[key].append(row))
    prefix = code_prefix(county)
    for placed in iter_placed(session, prefix, end):
        tally.add(placed)
    figures, drops = tally.finish(session, prefix)
    for key, fig in figures.items():
        fig.rows = rows[key]
    return CountyReport(county, start, end, figures, drops)


def count_placed(session: Session, county: Place, end: date) -> int:
    """How many placements the report of the month ending ``end`` reads (a cheap COUNT)."""
    return session.scalar(select(func.count(Placement.id)).where(
        Placement.county_code.like(code_prefix(county) + "%"), Placement.started_on <= end)) or 0


def iter_placed(session: Session, prefix: str, end: date,
                after_chunk: Callable[[int], None] | None = None) -> Iterator[_Placed]:
    """The county's placements started by ``end`` in (start date, id) order, each with its
    check-ins due by then, read ``CHUNK`` placements per query (memory flat in the rows);
    ``after_chunk(placements read)`` runs between chunks, when no query is open."""
    where = [Placement.county_code.like(prefix + "%"), Placement.started_on <= end]
    read, last = 0, None
    while True:
        query = (select(Placement.id, Placement.worker_id, Worker.name, Worker.village,
                        Placement.employer_name, Placement.job_title, Placement.started_on,
                        Placement.ended_on, Placement.posting_id, HouseholdMark.kind)
                 .join(Worker, Worker.id == Placement.worker_id)
                 .outerjoin(HouseholdMark, HouseholdMark.worker_id == Worker.id).where(*where))
        if last is not None:
            query = query.where(or_(Placement.started_on > last[0],
                                    and_(Placement.started_on == last[0], Placement.id > last[1])))
        chunk = session.execute(query.order_by(Placement.started_on, Placement.id).limit(CHUNK)).all()
        if not chunk:
            return
        placed = {r[0]: _Placed(*r) for r in chunk}
        _add_checkins(session, placed, end)
        yield from placed.values()
        read, last = read + len(chunk), (chunk[-1][6], chunk[-1][0])
        if after_chunk is not None:
            after_chunk(read)
        if len(chunk) < CHUNK:
            return


def _add_checkins(session: Session, placed: dict[int, _Placed], end: date) -> None:
    """The check-ins due by ``end`` of these placements, in (due date, id) order."""
    checkins = session.execute(
        select(CheckIn.id, CheckIn.placement_id, CheckIn.month_offset, CheckIn.due_on, CheckIn.done_at,
               CheckIn.still_working, CheckIn.paid_on_time, CheckIn.note)
        .where(CheckIn.placement_id.in_(list(placed)), CheckIn.due_on <= end)
        .order_by(CheckIn.due_on, CheckIn.id))
    for cid, pid, months, due, done_at, working, paid, note in checkins:
        done_on = china_date(done_at) if done_at else None
        placed[pid].checkins.append(_Check(cid, months, due, done_at is not None, working, paid, done_on,
                                           note or ""))


def china_date(moment: datetime) -> date:
    """The date in China (UTC+8) of a stored UTC moment (naive ones are UTC)."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(CHINA).date()


class Tally:
    """Every figure of the month from the placements read one at a time: each row behind a
    figure goes to ``emit(figure key, row)`` (the page keeps them, the workbook writes them);
    the tally keeps only counts, worker ids and the month's own rows (flags, vacancies)."""

    def __init__(self, start: date, end: date, emit: Callable[[str, dict[str, Any]], None]) -> None:
        self.start, self.end, self._emit = start, end, emit
        self.before = start - relativedelta(days=1)
        self.split: dict[str, Counter[str]] = defaultdict(Counter)  # figure -> household -> rows
        self.kept: dict[str, Counter[str]] = defaultdict(Counter)  # retention figure -> household -> working
        self.recorded: dict[str, Counter[str]] = defaultdict(Counter)  # ... -> check-ins recorded
        self.seen: set[int] = set()  # priority workers already counted as employed
        self.filled: dict[int, list[tuple[int, str]]] = defaultdict(list)  # posting -> (placement, employer)
        self.flags: dict[str, list[dict[str, Any]]] = {"left_job": [], "unpaid_wages": []}
        self.employed_before: set[int] = set()
        self.employed_now: set[int] = set()
        self.marked: set[int] = set()  # workers whose household mark a row lists

    def emit(self, key: str, row: dict[str, Any]) -> None:
        """Count the row under its household type and pass it on."""
        if row.get("household"):
            self.marked.add(row["worker_id"])
        self.split[key][row.get("household") or "unmarked"] += 1
        self._emit(key, row)

    def add(self, p: _Placed) -> None:
        """One placement (with its check-ins due by the month's end)."""
        if self.start <= p.started_on <= self.end:
            self.emit("placements", p.row())
            if p.posting_id is not None:
                self.filled[p.posting_id].append((p.id, p.employer))
        employed = p.employed(self.end)
        if p.priority and p.worker_id not in self.seen and employed:
            self.seen.add(p.worker_id)
            self.emit("priority_employed", p.row())
        if employed:
            self.employed_now.add(p.worker_id)
        if p.employed(self.before):
            self.employed_before.add(p.worker_id)
        for c in p.checkins:
            if c.months in (3, 6):
                self._retention(p, c)
            self._flag(p, c)

    def _flag(self, p: _Placed, c: _Check) -> None:
        """A check-in recorded within the month that says the worker left, or was not paid."""
        if c.done and c.done_on is not None and self.start <= c.done_on <= self.end:
            for key, says in (("left_job", c.working is False), ("unpaid_wages", c.paid is False)):
                if says:
                    self.flags[key].append(_flag_row(p, c))

    def _retention(self, p: _Placed, c: _Check) -> None:
        key = f"retention_{c.months}"
        state = "working" if c.done and c.working else "left" if c.done else "pending"
        self.kept[key][p.household or "unmarked"] += state == "working"
        self.recorded[key][p.household or "unmarked"] += state != "pending"
        self.emit(key, {"checkin_id": c.id, "placement_id": p.id, "worker_id": p.worker_id,
                        "worker": p.worker, "household": p.household, "employer": p.employer,
                        "title": p.title, "started_on": p.started_on, "due_on": c.due,
                        "still_working": c.working if c.done else None, "state": state})

    def finish(self, session: Session, prefix: str) -> tuple[dict[str, Figure], list[VillageDrop]]:
        """The figures (without their rows: those went to ``emit``) and the village drops."""
        for key, rows in self.flags.items():
            for row in sorted(rows, key=lambda r: (r["done_on"], r["checkin_id"])):
                self.emit(key, row)
        vacancies = _vacancies(session, prefix, self.filled)
        for row in vacancies:
            self._emit("vacancies_filled", row)
        figures = {key: self._figure(key) for key in LABELS}
        figures["vacancies_filled"] = Figure("vacancies_filled", len(vacancies), POSTING_COLUMNS)
        villages = _priority_villages(session, prefix)
        return figures, _drops(villages, self.employed_before, self.employed_now)

    def _figure(self, key: str) -> Figure:
        split = self.split[key]
        if not key.startswith("retention_"):
            return Figure(key, sum(split.values()), FIGURE_COLUMNS[key],
                          by_household={k: (split[k], None, None) for k in HOUSEHOLD_COLUMNS})
        kept, recorded = self.kept[key], self.recorded[key]
        by_household: dict[str, tuple[float | int | None, int | None, int | None]] = {
            kind: (_share(kept[kind], recorded[kind]), kept[kind], recorded[kind])
            for kind in HOUSEHOLD_COLUMNS}
        total_kept, total_recorded = sum(kept.values()), sum(recorded.values())
        return Figure(key, _share(total_kept, total_recorded), FIGURE_COLUMNS[key], [], total_kept,
                      total_recorded, sum(split.values()) - total_recorded, by_household)


def _flag_row(p: _Placed, c: _Check) -> dict[str, Any]:
    return {"checkin_id": c.id, "placement_id": p.id, "worker_id": p.worker_id, "worker": p.worker,
            "village": p.village, "household": p.household, "employer": p.employer, "title": p.title,
            "due_on": c.due, "done_on": c.done_on, "note": c.note}


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _vacancies(session: Session, prefix: str,
               filled: dict[int, list[tuple[int, str]]]) -> list[dict[str, Any]]:
    """Bureau postings of the county filled by the month's placements, by posting id."""
    if not filled:
        return []
    postings = session.execute(
        select(Posting.id, Posting.title, Place.code).join(Source, Source.id == Posting.source_id)
        .outerjoin(Place, Place.id == Posting.place_id)
        .where(Posting.id.in_(sorted(filled)), Source.trust == "bureau").order_by(Posting.id))
    return [{"posting_id": pid, "title": title, "employer": filled[pid][0][1],
             "placement_ids": [placement for placement, _ in filled[pid]]}
            for pid, title, code in postings if code and code.startswith(prefix)]


def _priority_villages(session: Session, prefix: str) -> dict[tuple[str, str], set[int]]:
    """Priority-household workers of the county by (county code, village)."""
    villages: dict[tuple[str, str], set[int]] = defaultdict(set)
    for worker_id, village, code in session.execute(
            select(Worker.id, Worker.village, Place.code).join(Place, Place.id == Worker.home_place_id)
            .join(HouseholdMark, HouseholdMark.worker_id == Worker.id)
            .where(Place.code.like(prefix + "%"), Worker.village != "")):
        villages[(code, village.strip())].add(worker_id)
    return villages


def _drops(villages: dict[tuple[str, str], set[int]], employed_then: set[int],
           employed_now: set[int]) -> list[VillageDrop]:
    """Every village's rates, the largest fall first."""
    drops = [VillageDrop(code, village, len(ids), len(ids & employed_then), len(ids & employed_now))
             for (code, village), ids in villages.items()]
    return sorted(drops, key=lambda d: (d.employed_now - d.employed_before) / d.workers)


def village_drops(session: Session, prefixes: tuple[str, ...] | None, today: date) -> list[VillageDrop]:
    """Flagged villages in scope (``None``: everywhere) for the month of ``today`` vs the month before."""
    start, end = parse_month(None, today)
    before = start - relativedelta(days=1)
    flagged: list[VillageDrop] = []
    for prefix in prefixes if prefixes is not None else ("",):
        then: set[int] = set()
        now: set[int] = set()
        for p in iter_placed(session, prefix, end):
            if p.employed(before):
                then.add(p.worker_id)
            if p.employed(end):
                now.add(p.worker_id)
        flagged += [d for d in _drops(_priority_villages(session, prefix), then, now) if d.flagged]
    return flagged


def report_to_dict(report: CountyReport) -> dict[str, Any]:
    """The figures as JSON, with the ids behind each one."""
    figures = {}
    for key, fig in report.figures.items():
        figures[key] = {"label": fig.label, "value": fig.value, "numerator": fig.numerator,
                        "denominator": fig.denominator, "pending": fig.pending, "ids": fig.ids(),
                        "by_household": _split_dict(fig),
                        "rows": [{k: _plain(v) for k, v in row.items()} for row in fig.rows]}
    return {"county": {"code": report.county.code, "name": report.county.full_name}, "month": report.month,
            "start": report.start.isoformat(), "end": report.end.isoformat(), "figures": figures,
            "village_drops": [_drop_dict(d) for d in report.drops if d.flagged]}


def _split_dict(fig: Figure) -> dict[str, dict[str, Any]] | None:
    if fig.by_household is None:
        return None
    return {kind: {"value": v, "numerator": n, "denominator": d}
            for kind, (v, n, d) in fig.by_household.items()}


def household_words() -> dict[str, str]:
    """The breakdown's column names in the current language."""
    from web.services.households import KIND_WORDS

    return {**{k: str(v) for k, v in KIND_WORDS.items()}, "unmarked": str(_l("无标记"))}


def _drop_dict(drop: VillageDrop) -> dict[str, Any]:
    return {"county_code": drop.county_code, "village": drop.village, "workers": drop.workers,
            "employed_before": drop.employed_before, "employed_now": drop.employed_now,
            "rate_before": drop.rate_before, "rate_now": drop.rate_now}


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _cell(value: Any, words: dict[Any, str]) -> Any:
    if isinstance(value, list):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, bool) or value in words:
        value = words[value]
    return safe_cell(value)


def write_report_xlsx(session: Session, county: Place, start: date, end: date, target: Any,
                      after_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
    """The report as a workbook written to ``target`` (a path or binary file): a summary sheet, the
    household breakdown, then one sheet per figure with its rows, each row written as its
    placement is read (openpyxl write-only: memory flat in the rows; text never runs as a
    formula). What was written: rows, the figures, and the workers whose marks it lists."""
    from openpyxl import Workbook

    words: dict[Any, str] = {True: str(_l("是")), False: str(_l("否")), "working": str(_l("在岗")),
                             "left": str(_l("已离岗")), "pending": str(_l("未回访")), **household_words()}
    book = Workbook(write_only=True)
    summary, breakdown = book.create_sheet("汇总"), book.create_sheet("按户类型")
    sheets = {key: book.create_sheet(SHEETS[key]) for key in LABELS}
    for key, sheet in sheets.items():
        sheet.append([str(COLUMNS[c]) for c in FIGURE_COLUMNS[key]])
    written = 0

    def write(key: str, row: dict[str, Any]) -> None:
        nonlocal written
        written += 1
        sheets[key].append([_cell(row.get(c), words if c in WORDED or isinstance(row.get(c), bool) else {})
                            for c in FIGURE_COLUMNS[key]])

    tally, prefix = Tally(start, end, write), code_prefix(county)
    for placed in iter_placed(session, prefix, end, after_chunk):
        tally.add(placed)
    figures, _ = tally.finish(session, prefix)
    summary.append([safe_cell(county.full_name), start.strftime("%Y-%m")])
    summary.append([str(_l("指标")), str(_l("数值")), str(_l("分子")), str(_l("分母")), str(_l("未回访"))])
    for fig in figures.values():
        summary.append([fig.label, fig.value, fig.numerator, fig.denominator, fig.pending])
    _breakdown_sheet(breakdown, figures)
    book.save(target)
    return {"rows": written, "figures": {k: f.value for k, f in figures.items()},
            "marked_worker_ids": sorted(tally.marked)}


def _breakdown_sheet(sheet: Any, figures: dict[str, Figure]) -> None:
    """Each figure by household type, then the total; shares as "value (numerator/denominator)"."""
    names = household_words()
    sheet.append([str(_l("指标"))] + [names[k] for k in HOUSEHOLD_COLUMNS] + [str(_l("合计"))])
    for fig in figures.values():
        if fig.by_household is not None:
            total = (fig.value, fig.numerator, fig.denominator)
            parts = [fig.by_household[k] for k in HOUSEHOLD_COLUMNS] + [total]
            sheet.append([fig.label] + [split_text(*part) for part in parts])


def split_text(value: float | int | None, numerator: int | None, denominator: int | None) -> Any:
    """A count as itself; a share as "66.7% (2/3)" ("—" without a denominator)."""
    if denominator is None:
        return value
    return f"{'—' if value is None else f'{value:.1f}%'} ({numerator}/{denominator})"
