"""What a clerk's messy upload becomes: repeated rows and rows already stored are duplicates of
that posting (never 新增), rows past their deadline are "已过期，未上架" and not put up, and a
formula-like cell is never published (UTF-8 CSV, GBK CSV, XLSX alike)."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, or_, select

from tests.web.staff import log_in  # staff_world: the fixture, from tests/web/conftest.py
from tests.web.test_imports import _import
from tests.web.test_imports import world as world  # noqa: F401 - a fixture
from web.models import ImportJob, ImportJobRow, Posting, Source

HEADER = ["岗位名称", "用人单位", "工作地点", "薪资待遇", "截止日期"]
WELDER = ["电焊工", "榕江县重复测试厂", "榕江县古州镇", "6千", "2099-12-31"]
ROWS = [
    WELDER,
    WELDER,  # the same row again: a duplicate of the row above
    ["装卸工", "榕江县重复测试厂", "榕江县古州镇", "5000元以上", "2020-01-31"],  # past its deadline
    ["=1+1", "榕江县重复测试厂", "榕江县古州镇", "4000", ""],
    ['=HYPERLINK("http://evil.example","点我")', "榕江县重复测试厂", "榕江县", "4000", ""],
    ["普工", "@SUM(A1)", "榕江县", "4000", ""],
    ["杂工", "榕江县重复测试厂", "+榕江县", "4500-6000", ""],
    ["搬运工", "榕江县重复测试厂", "-榕江县", "4000", ""],
]
EXPECTED = ["new", "duplicate", "expired", "rejected", "rejected", "rejected", "rejected", "rejected"]


def _csv(rows: list[list[str]], encoding: str) -> bytes:
    lines = [",".join('"' + c.replace('"', '""') + '"' for c in r) for r in [HEADER, *rows]]
    return "\r\n".join(lines).encode(encoding)


def _xlsx(rows: list[list[str]]) -> bytes:
    """Cells typed as text, as Excel keeps what a clerk pasted: openpyxl would write "=…" as a formula."""
    book = openpyxl.Workbook()
    sheet = book.active
    for r, values in enumerate([HEADER, *rows], start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _report(db_session: Any) -> list[ImportJobRow]:
    job = db_session.scalar(select(ImportJob).order_by(ImportJob.id.desc()).limit(1))
    return list(db_session.scalars(select(ImportJobRow).where(ImportJobRow.job_id == job.id)
                                   .order_by(ImportJobRow.seq)))


def _bureau_postings(db_session: Any) -> list[Posting]:
    source = select(Source.id).where(Source.name == "bureau-522632").scalar_subquery()
    return list(db_session.scalars(select(Posting).where(Posting.source_id == source)))


@pytest.mark.parametrize(("name", "make"), [
    ("jobs.csv", lambda: _csv(ROWS, "utf-8")), ("jobs-gbk.csv", lambda: _csv(ROWS, "gbk")),
    ("jobs.xlsx", lambda: _xlsx(ROWS)),
])
def test_messy_upload_row_by_row(client: Any, db_session: Any, world: Any, name: str, make: Any) -> None:
    log_in(client, world.users["bureau"])
    page = _import(client, name, make())
    text = page.get_data(as_text=True)
    rows = _report(db_session)
    assert [r.outcome for r in rows] == EXPECTED, text[text.find("import-state"):text.find("</dl>")]
    welder = [p for p in _bureau_postings(db_session) if p.title == "电焊工"]
    assert len(welder) == 1 and (welder[0].wage_min, welder[0].wage_max) == (6000, 6000)
    assert rows[1].posting_id == rows[0].posting_id == welder[0].id  # the duplicate names its posting
    assert rows[2].posting_id is None and not [p for p in _bureau_postings(db_session) if p.title == "装卸工"]
    assert {r.reason for r in rows[3:]} == {"formula"}
    formula = or_(*[Posting.title.startswith(c) for c in "=+-@"], Posting.place_text.startswith("+"))
    assert db_session.scalar(select(func.count(Posting.id)).where(formula)) == 0
    assert "已过期，未上架" in text and "与已有岗位相同（已合并）" in text and "像是公式" in text
    assert "count-new\">1<" in text and "count-expired\">1<" in text and "count-duplicate\">1<" in text


def test_a_row_already_stored_is_a_duplicate_not_new(client: Any, db_session: Any, world: Any) -> None:
    log_in(client, world.users["bureau"])
    _import(client, "first.csv", _csv([WELDER], "utf-8"))
    again = _import(client, "second.csv", _csv([["瓦工", "榕江县重复测试厂", "榕江县古州镇", "5000", ""],
                                                WELDER, WELDER], "utf-8")).get_data(as_text=True)
    rows = _report(db_session)
    assert [r.outcome for r in rows] == ["new", "unchanged", "duplicate"]
    assert rows[2].posting_id == rows[1].posting_id
    assert "count-new\">1<" in again and "count-duplicate\">1<" in again
    assert len([p for p in _bureau_postings(db_session) if p.title == "电焊工"]) == 1


def test_control_characters_in_an_id_cell_do_not_stop_the_upload(client: Any, db_session: Any,
                                                                  world: Any) -> None:
    """An id cell carrying NUL (which PostgreSQL cannot hold) is read as the pipeline stores it,
    so the job's id lookups never send it to the database: every row is imported."""
    log_in(client, world.users["bureau"])
    header = ["岗位编号", *HEADER]
    rows = [["A\x00B", *WELDER], ["C\x1bD", "瓦工", "榕江县重复测试厂", "榕江县古州镇", "5000", ""]]
    data = "\r\n".join(",".join('"' + c + '"' for c in r) for r in [header, *rows]).encode("utf-8")
    page = _import(client, "ids.csv", data)
    assert [r.outcome for r in _report(db_session)] == ["new", "new"], page.get_data(as_text=True)[-1500:]
    assert db_session.scalar(select(ImportJob.status).order_by(ImportJob.id.desc()).limit(1)) == "done"


def test_a_repeat_of_a_row_that_was_not_put_up_is_not_reported_as_merged(
        client: Any, db_session: Any, world: Any) -> None:
    """Two rows with one 编号, the first past its deadline: the first counts and is not put up,
    so the second is not either; neither may say 已合并 (there is no posting to merge into)."""
    log_in(client, world.users["bureau"])
    header = ["岗位编号", *HEADER]
    rows = [["X-1", "砌筑工", "榕江县重复测试厂", "榕江县古州镇", "5000", "2020-01-31"],
            ["X-1", "砌筑工", "榕江县重复测试厂", "榕江县古州镇", "5000", "2099-12-31"]]
    text = _import(client, "repeat.csv", _csv_with(header, rows)).get_data(as_text=True)
    report = _report(db_session)
    assert [r.outcome for r in report] == ["expired", "expired"]
    assert [r.posting_id for r in report] == [None, None]
    assert "count-duplicate\">0<" in text
    assert not [p for p in _bureau_postings(db_session) if p.title == "砌筑工"]


def _csv_with(header: list[str], rows: list[list[str]]) -> bytes:
    return "\r\n".join(",".join('"' + c + '"' for c in r) for r in [header, *rows]).encode("utf-8")
