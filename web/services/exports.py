"""Exports: postings and quarantined records as plain dicts for the CLI (fixed formats: tools
rely on them), and the staff downloads that grow with the data (the county report, the
collaboration tables, an import's row report) as XLSX."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from jobs_ingest.clock import china_today
from web.i18n import china_time
from web.models import ImportJob, ImportJobRow, Posting, PostingSource, QuarantinedRecord
from web.services import collab, county_report
from web.services.collab import Area
from web.services.xlsx import write_workbook


def export_postings(session: Session) -> Iterator[dict[str, Any]]:
    """Every posting, oldest first, with all the sources it was seen at."""
    query = (
        select(Posting).order_by(Posting.id)
        .options(joinedload(Posting.employer), joinedload(Posting.place),
                 selectinload(Posting.sightings).joinedload(PostingSource.source))
        .execution_options(yield_per=500)
    )
    for p in session.scalars(query):
        yield {
            "id": p.id, "status": p.status, "title": p.title,
            "employer": p.employer.name if p.employer else None,
            "place_text": p.place_text, "place_code": p.place.code if p.place else None,
            "lat": p.lat, "lon": p.lon, "wage_min": p.wage_min, "wage_max": p.wage_max,
            "wage_text": p.wage_text,
            "valid_through": p.valid_through.isoformat() if p.valid_through else None,
            "employment_type": p.employment_type, "housing": p.housing,
            "sources": [{"source": s.source.name, "url": s.url, "external_id": s.external_id}
                        for s in sorted(p.sightings, key=lambda s: s.id)],
        }


def export_quarantine(session: Session) -> Iterator[dict[str, Any]]:
    """Every quarantined record with its reason and raw excerpt."""
    query = (select(QuarantinedRecord).order_by(QuarantinedRecord.id)
             .options(joinedload(QuarantinedRecord.source)))
    for q in session.scalars(query):
        yield {
            "id": q.id, "source": q.source.name, "external_id": q.external_id, "reason": q.reason,
            "detail": q.detail, "raw_excerpt": q.raw_excerpt, "times_seen": q.times_seen,
            "first_seen": q.first_seen.isoformat(), "last_seen": q.last_seen.isoformat(),
        }


# --- downloads for staff: what each one writes, for the request and for the job runner
#
# Every download that grows with the data is written here from rows read a chunk at a time
# (keyset queries, never one cursor held across the job's progress commits), into openpyxl's
# write-only workbook: the same function writes the file a request sends at once and the file
# the job runner keeps (web/services/export_jobs.py), so the two hold the same rows.

COLLAB_STAGES = [("matched", _l("匹配")), ("applied", _l("申请")), ("placed", _l("上岗")),
                 ("retained", _l("3个月仍在岗"))]
_GROUP = [("workers", _l("西部劳动力")), ("available", _l("本月可上岗")), ("relocate", _l("愿意外出")),
          ("key_workers", _l("其中重点帮扶县")), ("postings", _l("东部岗位")),
          ("housing", _l("包住岗位")), ("wage_median", _l("月薪中位数（元）"))]
_COUNTY = [("code", _l("县代码")), ("name", _l("县")), ("key", _l("重点帮扶县"))]
COLLAB_COLUMNS: dict[str, list[tuple[str, Any]]] = {
    "supply-groups": [("code", _l("大类")), ("name", _l("职业大类")), *_GROUP],
    "supply-minor": [("code", _l("中类")), ("name", _l("职业中类")), *_GROUP],
    "supply-pay": [("band", _l("月薪档（元）")), ("postings", _l("东部岗位")), ("housing", _l("包住岗位"))],
    "supply-counties": [*_COUNTY, ("workers", _l("西部劳动力")), ("available", _l("本月可上岗")),
                        ("relocate", _l("愿意外出"))],
    "funnel-months": [("month", _l("月份")), *COLLAB_STAGES],
    "funnel-counties": [*_COUNTY, *COLLAB_STAGES],
    "funnel-groups": [("code", _l("大类")), ("name", _l("职业大类")), *COLLAB_STAGES],
    "pushes": [("pushed_at", _l("推送时间")), ("worker", _l("劳动力")), ("county_code", _l("县代码")),
               ("key", _l("重点帮扶县")), ("title", _l("岗位")), ("employer", _l("用人单位")),
               ("place", _l("岗位地点")), ("contact", _l("劳动力电话")), ("response", _l("回复"))],
}
COLLAB_TITLES = {"supply-groups": _l("供需对比：按职业大类"), "supply-minor": _l("供需对比：按职业中类"),
                 "supply-pay": _l("供需对比：东部岗位按月薪档和住宿"),
                 "supply-counties": _l("供需对比：西部劳动力按县"),
                 "funnel-months": _l("转化漏斗：按月份"), "funnel-counties": _l("转化漏斗：按西部县"),
                 "funnel-groups": _l("转化漏斗：按职业大类"), "pushes": _l("推送和回复")}
COLLAB_TABLES = {"supply-groups": "groups", "supply-minor": "minor", "supply-pay": "pay",
                 "supply-counties": "counties", "funnel-months": "months", "funnel-counties": "counties",
                 "funnel-groups": "groups"}
RESPONSES = {"interested": _l("有意向"), "not_interested": _l("没兴趣"), "applied": _l("已申请"),
             "": _l("未回复")}
CHINA = ZoneInfo("Asia/Shanghai")
KINDS = ("county_report", "collab_table", "import_report")


class ExportGone(LookupError):
    """What the export was about no longer exists (a county, a pair, an import)."""


def display_row(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A collaboration table's row as shown on the page and in the export: words for flags,
    bands, empty groups, responses; push times in China time."""
    shown = {k: row.get(k) for k, _ in COLLAB_COLUMNS[table]}
    if "key" in shown:
        shown["key"] = gettext("是") if row.get("key") else ""
    if shown.get("band") == "unknown":
        shown["band"] = gettext("未写明")
    if "name" in shown and table != "pushes" and not row.get("code"):
        shown["name"] = gettext("未识别工种")
    elif "name" in shown and row.get("unsubdivided"):
        shown["name"] = gettext("%(major)s：该大类下未细分", major=row.get("name") or "")
    if "response" in shown:
        shown["response"] = str(RESPONSES.get(row.get("response") or "", row.get("response")))
    if isinstance(shown.get("pushed_at"), datetime):
        shown["pushed_at"] = china_time(shown["pushed_at"])
    return shown


def display_rows(table: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a collaboration table as the page shows them (see ``display_row``)."""
    return [display_row(table, row) for row in rows]


def collab_heading(session: Session, table: str, area: Area) -> list[str]:
    """The lines above a collaboration export's table: what it is, for which pair, when (China
    time), which filters."""
    pairs = dict(collab.pair_names(session, [area.pair_id])) if area.pair_id else {}
    pair = pairs.get(area.pair_id, "") if area.pair_id else gettext("全部（不限地区）")
    filters = gettext("只看重点帮扶县") if area.key_only else gettext("全部县")
    return [str(COLLAB_TITLES[table]), gettext("结对：%(pair)s", pair=pair),
            gettext("导出时间：%(time)s（北京时间）", time=datetime.now(CHINA).strftime("%Y-%m-%d %H:%M")),
            gettext("筛选：%(filters)s", filters=filters)]


def area_params(area: Area, pairs: list[int] | None) -> dict[str, Any]:
    """An area as a job's parameters (``pairs``: the pairs it covers, None for everywhere)."""
    return {"west": None if area.west is None else list(area.west),
            "east": None if area.east is None else list(area.east),
            "pair": area.pair_id, "key_only": area.key_only, "pairs": pairs}


def _area(params: dict[str, Any]) -> Area:
    west, east = params.get("west"), params.get("east")
    return Area(None if west is None else tuple(west), None if east is None else tuple(east),
                params.get("pair"), bool(params.get("key_only")))


def collab_rows(session: Session, table: str, area: Area, occupations: collab.OccupationCache,
                after_chunk: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
    """A collaboration table's rows as displayed; the pushes streamed, the aggregate tables (a
    few hundred rows at most: groups, pay bands, counties, months) computed whole."""
    if table == "pushes":
        rows: Iterable[dict[str, Any]] = collab.iter_pushes(session, area, after_chunk)
    elif table.startswith("supply-"):
        rows = collab.supply(session, area, china_today(), occupations)[COLLAB_TABLES[table]]
    else:
        rows = collab.funnel(session, area, occupations)[COLLAB_TABLES[table]]
    return (display_row(table, row) for row in rows)


def write_collab_table(session: Session, table: str, area: Area, occupations: collab.OccupationCache,
                       target: Any, after_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
    """A collaboration table as XLSX with its heading lines, to ``target``."""
    columns = [(k, str(label)) for k, label in COLLAB_COLUMNS[table]]
    rows = collab_rows(session, table, area, occupations, after_chunk)
    written = write_workbook(target, rows, columns, sheet=table, heading=collab_heading(session, table, area))
    return {"rows": written}


def import_report_rows(session: Session, job_id: int,
                       after_chunk: Callable[[int], None] | None = None, chunk: int = 1000
                       ) -> Iterator[dict[str, Any]]:
    """An import's row report (row, title, outcome, reason) in file order, by chunks of rows."""
    from web.services.imports import OUTCOME_WORDS, reason_words

    last, read = -1, 0
    while True:
        rows = session.execute(select(ImportJobRow.seq, ImportJobRow.row, ImportJobRow.title,
                                      ImportJobRow.outcome, ImportJobRow.reason)
                               .where(ImportJobRow.job_id == job_id, ImportJobRow.seq > last)
                               .order_by(ImportJobRow.seq).limit(chunk)).all()
        for _seq, row, title, outcome, reason in rows:
            yield {"row": row, "title": title, "outcome": str(OUTCOME_WORDS[outcome]),
                   "reason": reason_words(reason) if reason else ""}
        read += len(rows)
        if after_chunk is not None and rows:
            after_chunk(read)
        if len(rows) < chunk:
            return
        last = rows[-1][0]


def write_import_report(session: Session, job_id: int, target: Any,
                        after_chunk: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Every row of an import's report as XLSX, to ``target``."""
    columns = [("row", gettext("行号")), ("title", gettext("岗位名称")), ("outcome", gettext("结果")),
               ("reason", gettext("原因"))]
    rows = import_report_rows(session, job_id, after_chunk)
    return {"rows": write_workbook(target, rows, columns, sheet=gettext("导入结果"))}


def write_export(session: Session, kind: str, params: dict[str, Any], target: Any,
                 after_chunk: Callable[[int], None] | None = None,
                 occupations: collab.OccupationCache | None = None) -> dict[str, Any]:
    """Write the export a job describes (``kind``, ``params``) to ``target``; what was written."""
    if kind == "county_report":
        county = county_report.county_by_code(session, params["county"])
        if county is None:
            raise ExportGone("county")
        start, end = county_report.parse_month(params["month"], china_today())
        return county_report.write_report_xlsx(session, county, start, end, target, after_chunk)
    if kind == "collab_table":
        cache = occupations or collab.OccupationCache()
        return write_collab_table(session, params["table"], _area(params), cache, target, after_chunk)
    if kind == "import_report":
        if session.get(ImportJob, params["job_id"]) is None:
            raise ExportGone("import")
        return write_import_report(session, params["job_id"], target, after_chunk)
    raise ValueError(f"unknown export kind {kind!r}")


def export_title(kind: str, params: dict[str, Any]) -> str:
    """What a job exports, in the current language."""
    if kind == "county_report":
        return gettext("县月报 %(month)s（%(county)s）", month=params.get("month", ""),
                       county=params.get("county_name", ""))
    if kind == "collab_table":
        return str(COLLAB_TITLES.get(params.get("table", ""), ""))
    return gettext("导入结果：%(file)s", file=params.get("file", ""))
