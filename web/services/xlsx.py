"""XLSX exports: rows of plain values → a workbook with a styled header, formula text neutralised.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
("CSV/formula injection"); every text cell that starts so gets a leading apostrophe, which makes
Excel, WPS and LibreOffice show it as text. Numbers, booleans and dates stay typed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from io import BytesIO
from typing import Any

from flask import Response, send_file
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from web.services.imports import safe_cell  # the one rule for formula-like text

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F6F50")
MAX_SHEET_TITLE = 31


def neutralise(value: Any) -> Any:
    """A cell value that a spreadsheet shows and never evaluates."""
    if value is None or isinstance(value, bool | int | float | date | datetime):
        if isinstance(value, datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)  # XLSX has no time zones; values are UTC
        return value
    return safe_cell(str(value))


def workbook_bytes(rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]] | None = None,
                   sheet: str = "data", heading: Sequence[str] = ()) -> bytes:
    """The rows as one sheet: ``columns`` are (key, header label); default: the first row's keys.

    ``heading`` lines (title, scope, date, filters) come first, bold, then an empty row.
    """
    if columns is None:
        first = next(iter(rows := list(rows)), None)
        columns = [(key, key) for key in (first.keys() if first else ())]
    out = BytesIO()
    write_workbook(out, rows, columns, sheet, heading)
    return out.getvalue()


def write_workbook(target: Any, rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]],
                   sheet: str = "data", heading: Sequence[str] = ()) -> int:
    """Write the rows to ``target`` (a path or binary file) as they come (openpyxl write-only:
    memory flat in the rows); the number of rows written. Same layout as ``workbook_bytes``."""
    book = Workbook(write_only=True)
    title = "".join(c for c in sheet if c not in "\\/?*[]:")[:MAX_SHEET_TITLE]
    ws = book.create_sheet(title=title or "data")
    for line in heading:
        cell = WriteOnlyCell(ws, value=neutralise(str(line)))
        cell.font = Font(bold=True)
        ws.append([cell])
    if heading:
        ws.append([])
    header = []
    for _, label in columns:
        cell = WriteOnlyCell(ws, value=neutralise(str(label)))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)
    written = 0
    for row in rows:
        ws.append([neutralise(_plain(row.get(key))) for key, _ in columns])
        written += 1
    book.save(target)
    return written


def _plain(value: Any) -> Any:
    """Lists become 、-joined text; everything else stays as it is."""
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    return value


def send_xlsx(rows: Iterable[Mapping[str, Any]], filename: str,
              columns: Sequence[tuple[str, str]] | None = None, heading: Sequence[str] = ()) -> Response:
    """A download response holding the rows as ``filename`` (an .xlsx name; non-ASCII is fine)."""
    return xlsx_response(workbook_bytes(rows, columns, sheet=filename.rsplit(".", 1)[0], heading=heading),
                         filename)


def xlsx_response(data: bytes, filename: str) -> Response:
    """A finished workbook as a download (never cached: it holds personal data)."""
    response = send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response
