"""The ``sheet`` kind: CSV, XLSX and XLS as bureaus make them, from a file or a watched folder.

``config.location`` is a file, a folder (every *.csv, *.xlsx, *.xls in it, not recursive; Office
lock files skipped) or an http(s) URL of one file. ``read_sheet(name, data)`` does the work on
bytes, so the bureau workspace's upload can use it too.

Headers are matched by the longest known name they contain (岗位名称 → title, 福利待遇 →
benefits, not pay); the header row is the first of the top ten rows naming a title and one
more known column, so a caption row above it is fine. 联系方式/联系电话/联系人 are never read.

External ids: an id column (编号, 岗位编号, 岗位代码, ID) is used as is. Otherwise the id is
derived from the row's content, not its position: a hash of title, employer and place (with a
counter for repeats inside one file). Re-saving, re-sorting or renaming the file, or editing
pay or dates, keeps every id, so nothing is duplicated and edits arrive as updates; changing a
title, employer or place makes a new posting (and the old one is closed when it stays gone).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import re
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import openpyxl
import xlrd
from openpyxl.utils.exceptions import InvalidFileException

from jobs_ingest.encoding import UndecodableText, decode_bytes
from jobs_ingest.fetch import Fetcher
from jobs_ingest.records import RawItem, Rejected, SourceConfig
from jobs_ingest.sources import register
from jobs_ingest.sources.common import SourceError, excerpt, fetcher_for, rejected_item

SUFFIXES = (".csv", ".xlsx", ".xls")
IGNORED = "-"
HEADERS: dict[str, tuple[str, ...]] = {
    "external_id": ("岗位编号", "职位编号", "岗位代码", "编号"),
    "title": ("岗位名称", "职位名称", "招聘岗位", "招聘职位", "岗位", "职位", "工种"),
    "employer": ("用人单位", "单位名称", "招聘单位", "企业名称", "公司名称", "用工单位", "企业"),
    "place_text": ("工作地点", "工作地址", "上班地点", "工作区域", "地点"),
    "pay_text": ("薪资待遇", "工资待遇", "薪酬待遇", "薪资", "薪酬", "工资", "月薪", "日薪", "时薪", "待遇"),
    "benefits_text": ("福利待遇", "福利"),
    "headcount_text": ("招聘人数", "需求人数", "人数"),
    "valid_through_text": ("截止日期", "截止时间", "有效期"),
    "posted_text": ("发布日期", "发布时间"),
    "description": ("岗位要求", "岗位职责", "任职要求", "任职条件", "工作内容", "岗位描述", "职位描述",
                    "要求"),
    "type_text": ("用工形式", "工作性质", "岗位类型"),
    "url": ("链接", "网址"),
    IGNORED: ("联系方式", "联系人", "联系电话", "电话", "手机", "序号", "备注"),
}
# English headers are matched whole, never as parts ("id" is inside "paid").
EXACT = {"id": "external_id", "title": "title", "employer": "employer", "company": "employer",
         "place": "place_text", "location": "place_text", "salary": "pay_text", "pay": "pay_text",
         "description": "description", "deadline": "valid_through_text", "url": "url"}
PARSE_ERRORS = (InvalidFileException, zipfile.BadZipFile, xlrd.XLRDError, csv.Error, KeyError, OSError,
                ValueError)
_BARE_NUMBER = re.compile(r"\d+(?:\.\d+)?")


@register("sheet")
def fetch(config: SourceConfig, fetcher: Fetcher | None = None) -> Iterator[RawItem]:
    """Rows of the sheet file(s) at ``config.location``."""
    location = config.location.strip()
    if location.startswith(("http://", "https://")):
        with fetcher_for(config, fetcher) as http:
            try:
                response = http.get(location)
            except Rejected as exc:
                raise SourceError(exc.reason, exc.detail) from None
        yield from read_sheet(urlsplit(response.url).path.rsplit("/", 1)[-1], response.content)
        return
    path = Path(location)
    if not path.exists():
        raise SourceError("not_found", f"no file or folder at {location}")
    files = sorted(p for p in path.iterdir() if _is_sheet(p)) if path.is_dir() else [path]
    for file in files:
        yield from read_sheet(file.name, file.read_bytes())


def _is_sheet(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in SUFFIXES and not path.name.startswith(("~$", "."))


def read_sheet(name: str, data: bytes) -> Iterator[RawItem]:
    """Items from one spreadsheet file's bytes; an unreadable file is one quarantined item.

    The whole file is read before the first item is given, so a file that breaks half-way is
    one rejection, never a partial listing (which would close the postings it leaves out)."""
    try:
        items = list(iter_sheet(name, data))
    except UndecodableText as exc:
        yield rejected_item("encoding", f"{name}: {exc.detail}", name)
        return
    except PARSE_ERRORS as exc:
        yield rejected_item("unparseable", f"{name}: {type(exc).__name__}: {exc}", name)
        return
    yield from items


def iter_sheet(name: str, data: bytes) -> Iterator[RawItem]:
    """Items from one spreadsheet file's bytes, one row at a time (XLSX in openpyxl's read-only
    mode, CSV through a reader over the text): memory does not grow with the rows. A file that
    cannot be read raises ``UndecodableText`` or one of ``PARSE_ERRORS`` when it is met; a table
    without a header row is one quarantined item."""
    seen: Counter[str] = Counter()
    for table_name, rows in _tables(name, data):
        yield from _table_items(f"{name}{table_name}", rows, seen)


def _tables(name: str, data: bytes) -> Iterator[tuple[str, Iterator[list[Any]]]]:
    suffix = Path(name).suffix.lower()
    if suffix == ".xlsx":
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            for sheet in book.worksheets:
                yield f"#{sheet.title}", (list(row) for row in sheet.iter_rows(values_only=True))
        finally:
            book.close()
    elif suffix == ".xls":
        xls = xlrd.open_workbook(file_contents=data)
        for sheet in xls.sheets():
            yield f"#{sheet.name}", (_xls_row(sheet, i, xls.datemode) for i in range(sheet.nrows))
    else:
        text = decode_bytes(data)[0]
        try:
            dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
        except csv.Error:
            dialect = csv.excel
        yield "", csv.reader(io.StringIO(text), dialect)


def _xls_row(sheet: Any, index: int, datemode: int) -> list[Any]:
    return [_xls_value(cell, datemode) for cell in sheet.row(index)]


def _xls_value(cell: xlrd.sheet.Cell, datemode: int) -> Any:
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, datemode)
    return cell.value if cell.ctype != xlrd.XL_CELL_EMPTY else None


def _cell_text(value: Any) -> str:
    """A cell as text: dates as ISO dates, 5.0 as "5", None as ""."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_field(header: str) -> str | None:
    """The standard field a column header names (the longest known name in it wins), or None."""
    folded = re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).lower()
    if folded in EXACT:
        return EXACT[folded]
    best, length = None, 0
    for field, names in HEADERS.items():
        for known in names:
            if known in folded and len(known) > length:
                best, length = field, len(known)
    return best


def _header_row(rows: list[list[Any]]) -> tuple[int, dict[int, tuple[str, str]]] | None:
    """(row index, column → (field, header)) of the first row naming a title and another field."""
    for index, row in enumerate(rows[:10]):
        columns = {}
        for col, cell in enumerate(row):
            header = _cell_text(cell)
            field = header_field(header) if header else None
            if field and field != IGNORED:
                columns[col] = (field, header)
        fields = {f for f, _ in columns.values()}
        if "title" in fields and len(fields) >= 2:
            return index, columns
    return None


def _table_items(label: str, rows: Iterator[list[Any]], seen: Counter[str]) -> Iterator[RawItem]:
    rows = iter(rows)
    head = list(itertools.islice(rows, 10))
    found = _header_row(head)
    if found is None:
        if any(any(_cell_text(c) for c in row) for row in itertools.chain(head, rows)):
            yield rejected_item("unparseable", f"{label}: no header row with a job title column", label)
        return
    header_index, columns = found
    body = itertools.chain(head[header_index + 1:], rows)
    for number, row in enumerate(body, start=header_index + 2):
        cells = {col: _cell_text(row[col]) if col < len(row) else "" for col in columns}
        if not any(cells.values()):
            continue
        fields = _row_fields(cells, columns)
        if not fields.get("external_id"):
            fields["external_id"] = _content_id(fields, seen)
        raw = {columns[col][1]: text for col, text in cells.items() if text}
        yield RawItem(fields=fields, excerpt=excerpt({"file": label, "row": number, **raw}))


def _row_fields(cells: dict[int, str], columns: dict[int, tuple[str, str]]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for col, text in cells.items():
        field, header = columns[col]
        if not text:
            continue
        if field == "pay_text" and _BARE_NUMBER.fullmatch(text):
            text = f"{text}元{_unit_from_header(header)}"  # "150" under 日薪(元) is 150元/天
        if field == "description" and field in fields:
            fields[field] = f"{fields[field]}\n{header}：{text}"
        elif field == "description":
            fields[field] = f"{header}：{text}"
        else:
            fields.setdefault(field, text)
    return fields


_HEADER_UNITS = (("时薪|小时", "/小时"), ("日薪|/天|/日", "/天"), ("周", "/周"), ("年薪|/年", "/年"))


def _unit_from_header(header: str) -> str:
    for pattern, unit in _HEADER_UNITS:
        if re.search(pattern, header):
            return unit
    return "/月"


def _content_id(fields: dict[str, str], seen: Counter[str]) -> str:
    """A stable id from what the row is (title, employer, place), numbered for repeats in a file."""
    key = "|".join(re.sub(r"\s+", "", unicodedata.normalize("NFKC", fields.get(f, "")))
                   for f in ("title", "employer", "place_text"))
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
    seen[digest] += 1
    return f"sheet-{digest}" if seen[digest] == 1 else f"sheet-{digest}-{seen[digest]}"
