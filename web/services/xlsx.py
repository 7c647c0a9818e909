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
    rows = list(rows)
    if columns is None:
        columns = [(key, key) for key in (rows[0].keys() if rows else ())]
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
    for row in rows:
        ws.append([neutralise(_plain(row.get(key))) for key, _ in columns])
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _plain(value: Any) -> Any:
    """Lists become 、-joined text; everything else stays as it is."""
    if isinstance(value, list | tuple | set):
        return "、".join(str(v) for v in value)
    return value


def send_xlsx(rows: Iterable[Mapping[str, Any]], filename: str,
              columns: Sequence[tuple[str, str]] | None = None, heading: Sequence[str] = ()) -> Response:
    """A download response holding the rows as ``filename`` (an .xlsx name; non-ASCII is fine)."""
    data = workbook_bytes(rows, columns, sheet=filename.rsplit(".", 1)[0], heading=heading)
    response = send_file(BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=filename)
    response.headers["Cache-Control"] = "no-store"
    return response
