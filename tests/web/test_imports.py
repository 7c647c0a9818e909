"""Bureau spreadsheet import: per-row report, idempotent re-upload, limits and refusals. An
upload is queued as a job; ``_import`` runs the job as the runner would and opens its page."""

from __future__ import annotations

import io
import os
import re
import zipfile
from typing import Any

import openpyxl
import pytest
import xlwt
from sqlalchemy import func, select

from tests.web.staff import csrf_token, log_in  # staff_world: the fixture, from tests/web/conftest.py
from web.models import Posting, PostingEmbedding, PostingSource, Source
from web.services.imports import MAX_ROWS, TEMPLATE_HEADERS, safe_cell

HEADER = ["岗位名称", "用人单位", "工作地点", "薪资待遇", "福利待遇", "招聘人数"]
ROWS = [
    ["电焊工", "榕江县导入测试厂", "榕江县古州镇", "5000-7000元/月", "包吃住", "3"],
    ["普工", "榕江县导入测试二厂", "贵州省榕江县", "4000元/月", "", "10"],
    ["", "没有岗位名称的厂", "榕江县", "4000元/月", "", ""],
    ["采茶工", "从江县某茶厂", "从江县", "3000元/月", "", ""],
]


@pytest.fixture
def world(staff_world: Any) -> Any:
    """The staff world with every object loaded: a request's teardown removes the test session,
    and an expired object cannot be refreshed once detached."""
    for group in (staff_world.users, staff_world.workers, staff_world.postings, staff_world.places):
        for obj in group.values():
            assert obj.id
    return staff_world


def _csv(rows: list[list[str]], encoding: str = "utf-8") -> bytes:
    return "\n".join(",".join(r) for r in [HEADER, *rows]).encode(encoding)


def _xlsx(rows: list[list[Any]]) -> bytes:
    book = openpyxl.Workbook()
    for r in [HEADER, *rows]:
        book.active.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _xls(rows: list[list[Any]]) -> bytes:
    book = xlwt.Workbook()
    sheet = book.add_sheet("岗位")
    for i, r in enumerate([HEADER, *rows]):
        for j, v in enumerate(r):
            sheet.write(i, j, v)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(client: Any, name: str, data: bytes, **extra: str) -> Any:
    token = csrf_token(client, "/bureau/import")
    form = {"csrf_token": token, "file": (io.BytesIO(data), name), **extra}
    return client.post("/bureau/import", data=form, content_type="multipart/form-data")


def run_jobs(client: Any) -> int:
    """Run the queued import jobs in the test's session, as ``flask jobs run`` does."""
    from web.extensions import db
    from web.services.import_jobs import run_queued_jobs

    app = client.application
    with app.app_context():
        return run_queued_jobs(db.session, app.extensions["jiujin"])


def _import(client: Any, name: str, data: bytes) -> Any:
    """Upload, run the job, and open the job's page; a file refused at upload is its 400 page."""
    response = _upload(client, name, data)
    if response.status_code != 303:
        return response
    assert "/bureau/import/jobs/" in response.location
    assert run_jobs(client) == 1
    return client.get(response.location)


def _postings(db_session: Any) -> int:
    return db_session.scalar(select(func.count(Posting.id)))


@pytest.mark.parametrize(("name", "make"), [
    ("jobs.csv", lambda: _csv(ROWS)), ("jobs-gbk.csv", lambda: _csv(ROWS, "gbk")),
    ("jobs.xlsx", lambda: _xlsx(ROWS)), ("jobs.xls", lambda: _xls(ROWS)),
])
def test_import_reports_each_row_and_a_second_upload_changes_nothing(
        client: Any, db_session: Any, world: Any, name: str, make: Any) -> None:
    log_in(client, world.users["bureau"])
    before = _postings(db_session)
    page = _import(client, name, make())
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text
    assert "count-new\">2<" in text and "count-rejected\">2<" in text
    assert "缺少岗位名称" in text and "工作地点不在本县" in text
    assert '<td>4</td><td></td><td>未导入</td>' in text  # the row number of the bad row
    assert _postings(db_session) == before + 2
    source = db_session.scalar(select(Source).where(Source.name == "bureau-522632"))
    assert source.trust == "bureau" and source.kind == "manual"
    welder = db_session.scalar(select(Posting).where(Posting.source_id == source.id,
                                                     Posting.title == "电焊工"))
    assert (welder.wage_min, welder.wage_max, welder.housing, welder.meals) == (5000, 7000, True, True)
    assert welder.place.code == "522632000000" and welder.headcount == 3
    assert db_session.scalar(select(PostingEmbedding).where(PostingEmbedding.posting_id == welder.id))

    again = _import(client, name, make()).get_data(as_text=True)
    assert "count-new\">0<" in again and "count-unchanged\">2<" in again
    assert _postings(db_session) == before + 2
    sightings = select(func.count(PostingSource.id)).where(PostingSource.source_id == source.id)
    assert db_session.scalar(sightings) == 2


def test_edited_row_arrives_as_an_update(client: Any, db_session: Any, world: Any) -> None:
    log_in(client, world.users["bureau"])
    _import(client, "a.csv", _csv(ROWS[:1]))
    changed = [ROWS[0][:3] + ["6000-8000元/月", "包吃住", "3"]]
    text = _import(client, "a.csv", _csv(changed)).get_data(as_text=True)
    assert "count-updated\">1<" in text
    welder = db_session.scalar(select(Posting).where(Posting.title == "电焊工",
                                                     Posting.external_id.like("sheet-%")))
    assert welder.wage_max == 8000


def test_too_many_rows_refuses_the_whole_file(client: Any, db_session: Any, world: Any) -> None:
    log_in(client, world.users["bureau"])
    before = _postings(db_session)
    rows = "\n".join(f"工{i},厂,榕江县,4000" for i in range(MAX_ROWS + 1))
    data = ("岗位名称,用人单位,工作地点,工资\n" + rows).encode()
    assert len(data) < 5 * 1024 * 1024
    page = _import(client, "big.csv", data)
    text = page.get_data(as_text=True)
    assert "没有导入任何内容" in text and 'role="status">没有导入' in text
    assert _postings(db_session) == before
    assert db_session.scalar(select(Source).where(Source.name == "bureau-522632")) is None


def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (200 * 1024 * 1024))
    return out.getvalue()


@pytest.mark.parametrize(("name", "data", "message"), [
    ("jobs.xlsx", b"<!doctype html><html><body><table><tr><td>x</td></tr></table></body>", "不是电子表格"),
    ("jobs.csv", b"<html><body>login</body></html>", "不是电子表格"),
    ("jobs.xls", b"PK\x03\x04 not an old excel file", "不是电子表格"),
    ("jobs.pdf", b"%PDF-1.4", "只能导入 XLSX、XLS 或 CSV"),
    ("jobs.csv", bytes(b for b in os.urandom(4000) if b) or b"\xff", "编码无法识别"),
    ("jobs.csv", "名字,年龄\n张三,30".encode(), "找不到表头"),
    ("jobs.xlsx", None, "解压后太大"),
])
def test_bad_files_are_refused_with_a_clear_message(client: Any, db_session: Any, world: Any,
                                                    name: str, data: bytes | None, message: str) -> None:
    log_in(client, world.users["bureau"])
    before = _postings(db_session)
    page = _import(client, name, data if data is not None else _zip_bomb())
    text = page.get_data(as_text=True)
    # Refused at the upload (400), or by the job's checking pass (the job page says so).
    assert page.status_code == 400 or 'role="status">没有导入' in text
    assert message in text
    assert _postings(db_session) == before


def test_file_over_the_size_limit_is_refused(client: Any, db_session: Any, world: Any) -> None:
    log_in(client, world.users["bureau"])
    page = _upload(client, "huge.csv", b"a" * (6 * 1024 * 1024))
    assert page.status_code == 400
    assert "文件太大了" in page.get_data(as_text=True)


def test_templates_have_the_header_and_an_example(client: Any, world: Any) -> None:
    log_in(client, world.users["bureau"])
    book = openpyxl.load_workbook(io.BytesIO(client.get("/bureau/import/template.xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0] == TEMPLATE_HEADERS and len(rows) == 2
    text = client.get("/bureau/import/template.csv").data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(TEMPLATE_HEADERS)


def test_report_download_neutralises_formulas(client: Any, db_session: Any, world: Any) -> None:
    log_in(client, world.users["bureau"])
    rows = [["=HYPERLINK(\"http://x\")", "厂", "从江县", "4000", "", ""]]
    page = _import(client, "f.csv", _csv(rows))
    link = re.search(r'href="([^"]+/report\.xlsx)"', page.get_data(as_text=True)).group(1)
    response = client.get(link)
    assert response.mimetype.endswith("spreadsheetml.sheet")
    cells = [c for row in openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True)
             for c in row]
    assert "'=HYPERLINK(\"http://x\")" in cells


def test_safe_cell() -> None:
    assert [safe_cell(v) for v in ("=1+1", "+86", "-5", "@SUM(A1)", "\tx", "电焊", 5, None)] == \
        ["'=1+1", "'+86", "'-5", "'@SUM(A1)", "'\tx", "电焊", 5, None]


def test_import_needs_the_bureau_role(client: Any, world: Any) -> None:
    for name in ("seeker", "collab"):
        log_in(client, world.users[name])
        assert client.get("/bureau/import").status_code == 403
    log_in(client, None)
    assert client.get("/bureau/import").status_code == 302
