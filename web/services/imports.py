"""Bureau spreadsheets in and out: upload checks, the per-row import through the ingestion
pipeline, the template, and ``safe_cell`` for every exported cell.

An upload is checked before it is stored: size, type (by its bytes, not its name), the XLSX
zip's uncompressed total (a zip bomb never reaches openpyxl) and the CSV's encoding. The import
itself runs as a job (web/services/import_jobs.py): a streaming pass counts the rows (over
``MAX_ROWS``, no header, or unreadable: the whole file is refused, nothing stored), then rows go
through the same steps as every source (``jobs_ingest.pipeline.build_record``) and the same
store (``web.services.ingest``), into the county's bureau source, so they are deduplicated,
hashed and embedded like any posting. Ids are the sheet reader's content-derived ids, so
uploading the same file again changes nothing.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from jobs_ingest.encoding import UndecodableText, decode_bytes
from jobs_ingest.pipeline import Draft, Step
from jobs_ingest.records import RawItem, Rejected
from jobs_ingest.sources.sheet import PARSE_ERRORS, iter_sheet
from web.models import IngestRun, Source
from web.policy import Scope
from web.services.ingest import ItemOutcome, ingest_items, upsert_source

MAX_BYTES = 5 * 1024 * 1024
UPLOAD_LIMIT = MAX_BYTES + 256 * 1024  # the request around the file: form fields, multipart framing
MAX_ROWS = 100_000
MAX_UNZIPPED = 60 * 1024 * 1024  # a 5 MB XLSX of text unzips to ~30 MB at most in practice
MAX_MEMBERS = 500
SUFFIXES = (".xlsx", ".xls", ".csv")
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TEMPLATE_HEADERS = ("岗位名称", "用人单位", "工作地点", "薪资待遇", "福利待遇", "用工形式", "招聘人数",
                    "截止日期", "岗位要求")
TEMPLATE_EXAMPLE = ("电焊工", "榕江县示例建材有限公司", "贵州省黔东南州榕江县古州镇", "4500-6000元/月",
                    "包吃住", "全职", "5", "2027-03-31", "会电焊，有焊工证优先")
OUTCOMES = ("new", "updated", "unchanged", "duplicate", "expired", "rejected")
OUTCOME_WORDS = {"new": _l("新增"), "updated": _l("已更新"), "unchanged": _l("没有变化"),
                 "duplicate": _l("与已有岗位相同（已合并）"), "expired": _l("已过期，未上架"),
                 "rejected": _l("未导入")}
REASON_WORDS = {
    "missing_title": _l("缺少岗位名称"), "too_long": _l("岗位名称太长（最多120字）"),
    "malformed": _l("缺少编号"), "unparseable": _l("这一行读不懂"), "encoding": _l("文字编码无法识别"),
    "place_unknown": _l("工作地点无法识别，请写到县，例如：榕江县古州镇"),
    "place_outside_county": _l("工作地点不在本县"), "repeated_row": _l("和上面的某一行重复"),
    "formula": _l("有一格以 = + - @ 开头，像是公式：为安全起见这一行没有导入，请改成文字"),
}
_ROW = re.compile(r'"row": (\d+)')


class ImportRefused(ValueError):
    """The whole file is refused (nothing stored); ``message`` says why in words, ``code`` (for
    the refusals the job runner finds) names it so a page can say it again in its own language."""

    def __init__(self, message: str = "", code: str = ""):
        super().__init__(message or code)
        self._message, self.code = message, code

    @property
    def message(self) -> str:
        """Why, in words (for a code, in the language of the request that reads it)."""
        return self._message or refusal_words(self.code)


@dataclass
class RowResult:
    """What became of one row: outcome, and for a rejection the reason code and detail."""

    row: int | None
    title: str
    outcome: str = ""
    reason: str = ""
    detail: str = ""
    posting_id: int | None = None
    external_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of a row (schemas.ImportRowOut)."""
        return {"row": self.row, "title": self.title, "outcome": self.outcome,
                "reason": self.reason or None, "message": reason_words(self.reason) if self.reason else None,
                "posting_id": self.posting_id}


def reason_words(code: str) -> str:
    """A rejection reason in words."""
    words = REASON_WORDS.get(code)
    return str(words) if words is not None else code


def safe_cell(value: Any) -> Any:
    """A cell value safe to open in a spreadsheet: text that a spreadsheet would run as a
    formula (starting with = + - @, a tab or a carriage return) gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


# --- checks before reading


def check_upload(name: str, data: bytes) -> None:
    """Refuse a file that is too big, of the wrong type, not what its name says, or a zip bomb."""
    suffix = Path(name or "").suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportRefused(gettext("只能导入 XLSX、XLS 或 CSV 文件。"))
    if not data:
        raise ImportRefused(gettext("文件是空的。"))
    if len(data) > MAX_BYTES:
        raise ImportRefused(gettext("文件太大了（最大 %(mb)s MB）。请分成几个文件导入。",
                                    mb=MAX_BYTES // (1024 * 1024)))
    if suffix == ".xlsx":
        _check_xlsx(data)
    elif suffix == ".xls":
        if not data.startswith(XLS_MAGIC):
            raise ImportRefused(_not_a_sheet())
    else:
        _check_csv(data)


def _not_a_sheet() -> str:
    return gettext("这个文件不是电子表格（可能是网页或其他文件改了名字）。"
                   "请用 Excel 或 WPS 另存为 XLSX 或 CSV。")


def _check_xlsx(data: bytes) -> None:
    if not data.startswith(XLSX_MAGIC):
        raise ImportRefused(_not_a_sheet())
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportRefused(_not_a_sheet()) from exc
    names = {m.filename for m in members}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise ImportRefused(_not_a_sheet())
    # The declared sizes bound what zipfile will ever decompress for each member.
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED:
        raise ImportRefused(gettext("文件解压后太大了，不能导入。请另存为新的 XLSX 或 CSV 再试。"))


def _undecodable() -> str:
    return gettext("文字编码无法识别。请用 Excel 或 WPS 另存为“CSV UTF-8”或 XLSX 再试。")


def _check_csv(data: bytes) -> None:
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype", b"<html", b"<?xml", b"<table", b"<head")):
        raise ImportRefused(_not_a_sheet())
    try:
        decode_bytes(data)
    except UndecodableText as exc:
        raise ImportRefused(_undecodable()) from exc


def read_items(name: str, data: bytes) -> list[tuple[int | None, RawItem]]:
    """The file's data rows as (row number, raw item); refuses the file if it cannot be read,
    has no header row, or has more than ``MAX_ROWS`` rows."""
    count_items(name, data)
    return list(iter_items(name, data))


def count_items(name: str, data: bytes) -> int:
    """The number of data rows, read one at a time (memory flat in the rows); refuses the file
    if it cannot be read, has no header row, no rows, or more than ``MAX_ROWS`` rows."""
    count = 0
    for _ in iter_items(name, data):
        count += 1
        if count > MAX_ROWS:
            raise _refused("too_many_rows")
    if not count:
        raise _refused("empty")
    return count


def iter_items(name: str, data: bytes) -> Iterator[tuple[int | None, RawItem]]:
    """(row number, raw item) for each data row, streamed; a file that cannot be read raises
    ImportRefused when it is met (``count_items`` meets it before anything is stored)."""
    try:
        for item in iter_sheet(name, data):
            if item.rejection and not item.fields:  # the sheet reader's verdict on the whole file
                raise _refused(_file_problem(item))
            yield _row_number(item), item
    except ImportRefused:
        raise  # a ValueError too: not to be taken for a parse error below
    except UndecodableText as exc:
        raise _refused("encoding") from exc
    except PARSE_ERRORS as exc:
        raise _refused("not_a_sheet") from exc


def _file_problem(item: RawItem) -> str:
    if item.rejection == "encoding":
        return "encoding"
    if "no header row" in item.detail:
        return "no_header"
    return "not_a_sheet"


def _refused(code: str) -> ImportRefused:
    return ImportRefused(code=code)  # the job runner has no request: words come when shown


def refusal_words(code: str) -> str:
    """Why a file was refused, in the current language, from the refusal's code."""
    if code == "too_many_rows":
        return gettext("文件超过 %(n)s 行，没有导入任何内容。请分成几个文件。", n=f"{MAX_ROWS:,}")
    if code == "empty":
        return gettext("文件里没有岗位。请按模板填写，第一行是表头。")
    if code == "no_header":
        return gettext("找不到表头：第一行要写“岗位名称”以及工作地点、薪资待遇等列名。请按模板填写。")
    if code == "encoding":
        return _undecodable()
    return _not_a_sheet()


def _row_number(item: RawItem) -> int | None:
    found = _ROW.search(item.excerpt)
    return int(found.group(1)) if found else None


# --- storing through the pipeline


def bureau_source(session: Session, county: str) -> Source:
    """The county's own source (``bureau-<county code>``), created on first use.

    Kind ``manual``: it is never fetched (no schedule, no location), only written to by the
    workspace's forms and uploads; trust ``bureau``, so its fields win over other sources'.
    """
    name = f"bureau-{county}"
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = upsert_source(session, {"name": name, "kind": "manual", "trust": "bureau",
                                         "options": {"county": county}})
    return source


def county_step(scope: Scope) -> Step:
    """The pipeline step a bureau adds: its vacancies lie in its county (an unknown or outside
    place is refused)."""

    def in_county(draft: Draft) -> None:
        code, text = draft.values.get("place_code"), str(draft.values.get("place_text") or "")
        if code is None:
            raise Rejected("place_unknown", text[:100])
        if not scope.contains("county", code):
            raise Rejected("place_outside_county", text[:100])

    return in_county


def store_items(session: Session, source: Source, items: Sequence[tuple[int | None, RawItem]],
                gazetteer: Any, today: date, scope: Scope, run: IngestRun | None = None) -> list[RowResult]:
    """A bureau's rows (an upload's batch, or the form's one vacancy) through ``ingest_items``
    with the county check; each row's result, in order. Rows past their deadline are reported
    ``expired`` and not put up; a row repeated in the file, or the same as a stored posting, is a
    ``duplicate`` of that posting. Nothing a partial listing leaves out is closed: an upload or a
    form holds some of the county's vacancies, never the whole list."""
    outcomes = ingest_items(session, source, items, today=today, gazetteer=gazetteer, run=run,
                            steps=(county_step(scope),), store_expired=False)
    return [row_result(o) for o in outcomes]


def row_result(outcome: ItemOutcome) -> RowResult:
    """An ingest outcome as a row of the report ("quarantined" is "rejected" there)."""
    word = "rejected" if outcome.outcome == "quarantined" else outcome.outcome
    return RowResult(row=outcome.key, title=outcome.title[:120], outcome=word, reason=outcome.reason,
                     detail=outcome.detail, posting_id=outcome.posting_id, external_id=outcome.external_id)


# --- files out


def template_xlsx() -> bytes:
    """The import template: the header row and one example row."""
    return rows_xlsx([TEMPLATE_HEADERS, TEMPLATE_EXAMPLE], _l("岗位"))


def template_csv() -> bytes:
    """The import template as CSV (UTF-8 with a BOM, so Excel opens it as Chinese)."""
    return rows_csv([TEMPLATE_HEADERS, TEMPLATE_EXAMPLE])


def rows_xlsx(rows: Iterable[Sequence[Any]], title: Any = "Sheet1") -> bytes:
    """An XLSX of ``rows`` with every cell passed through ``safe_cell``."""
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(str(title)[:31])
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def rows_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV (UTF-8 with a BOM) of ``rows`` with every cell passed through ``safe_cell``."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if v is None else safe_cell(v) for v in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
