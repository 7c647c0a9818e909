"""The sheet kind: CSV in UTF-8, UTF-8 with BOM and GBK, XLSX and XLS, files and a watched folder.

XLSX files are written here with openpyxl and XLS files with xlwt (a test-only dependency),
so no binary fixture is committed; xlrd reads the XLS back exactly as it reads a bureau's.
"""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwt

from jobs_ingest.pipeline import process_items, run_source
from jobs_ingest.records import BatchResult, PostingRecord
from jobs_ingest.sources.sheet import header_field, read_sheet
from tests.jobs_ingest.localserver import SITES, TODAY, Site, local_source

CSV = SITES / "sheets" / "jobs-utf8.csv"
HEADERS = ["岗位编号", "岗位名称", "用人单位", "工作地点", "日薪（元）", "招聘人数", "截止日期", "岗位职责",
           "任职要求", "联系方式"]
ROWS = [
    ["XS-01", "钢筋工", "镇雄县建工集团有限公司", "镇雄县", 280, 20, datetime(2027, 4, 30), "钢筋绑扎",
     "有经验", "13800000009"],
    ["XS-02", "砌砖工", "镇雄县建工集团有限公司", "镇雄县", 300.0, 10, datetime(2026, 10, 1), "砌砖抹灰",
     None, None],
]


def run_sheet(gazetteer: Any, location: Path | str) -> BatchResult:
    return run_source(local_source("sheet", str(location)), gazetteer, TODAY)


def by_title(batch: BatchResult) -> dict[str, PostingRecord]:
    return {r.title: r for r in batch.records}


def write_xlsx(path: Path) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "岗位"
    sheet.append(["镇雄县2026年冬季用工需求"])  # a caption row above the headers
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    book.save(path)
    return path


def write_xls(path: Path) -> Path:
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("岗位")
    dated = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for col, header in enumerate(HEADERS):
        sheet.write(0, col, header)
    for r, row in enumerate(ROWS, start=1):
        for col, value in enumerate(row):
            if isinstance(value, datetime):
                sheet.write(r, col, value, dated)
            elif value is not None:
                sheet.write(r, col, value)
    book.save(str(path))
    return path


def check_csv_batch(batch: BatchResult) -> None:
    assert [r.reason for r in batch.rejections] == ["missing_title"]
    jobs = by_title(batch)
    assert set(jobs) == {"电焊工", "缝纫工", "采茶工", "普工"}
    welder = jobs["电焊工"]
    assert welder.employer == "榕江县宏达钢构有限公司" and welder.place_code.startswith("522632")
    assert (welder.wage_min, welder.wage_max) == (4500, 6000) and welder.headcount == 5
    assert welder.valid_through == date(2027, 3, 31) and welder.housing
    assert welder.description == "岗位要求:持焊工证优先,三年以上经验"
    sewing = jobs["缝纫工"]
    assert (sewing.wage_min, sewing.wage_max) == (3500, 3500) and sewing.headcount == 10
    assert sewing.valid_through == date(2027, 3, 31)  # the Excel serial 46477
    tea = jobs["采茶工"]
    assert tea.employer == "雷山县银球茶业有限公司" and (tea.wage_min, tea.wage_max) == (3900, 3900)
    assert tea.valid_through is None and tea.meals
    assert all("13800000" not in r.excerpt for r in [*batch.rejections])


def test_utf8_csv(gazetteer: Any) -> None:
    check_csv_batch(run_sheet(gazetteer, CSV))


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_csv_in_other_encodings(gazetteer: Any, tmp_path: Path, encoding: str) -> None:
    text = CSV.read_text(encoding="utf-8")
    path = tmp_path / f"jobs-{encoding}.csv"
    path.write_bytes(text.encode(encoding))
    check_csv_batch(run_sheet(gazetteer, path))


def check_excel_batch(batch: BatchResult) -> None:
    assert batch.rejections == [] and batch.errors == []
    jobs = by_title(batch)
    rebar, brick = jobs["钢筋工"], jobs["砌砖工"]
    assert rebar.external_id == "XS-01" and brick.external_id == "XS-02"
    assert (rebar.wage_min, rebar.wage_max) == (7280, 7280)  # 280 under 日薪(元) is a day rate
    assert rebar.headcount == 20 and rebar.valid_through == date(2027, 4, 30) and not rebar.expired
    assert brick.expired and brick.valid_through == date(2026, 10, 1)
    assert rebar.description == "岗位职责:钢筋绑扎\n任职要求:有经验"
    assert rebar.place_code.startswith("530627")


def test_xlsx(gazetteer: Any, tmp_path: Path) -> None:
    check_excel_batch(run_sheet(gazetteer, write_xlsx(tmp_path / "岗位.xlsx")))


def test_xls(gazetteer: Any, tmp_path: Path) -> None:
    check_excel_batch(run_sheet(gazetteer, write_xls(tmp_path / "岗位.xls")))


def test_a_watched_folder_reads_every_sheet_and_quarantines_bad_files(gazetteer: Any, tmp_path: Path) -> None:
    shutil.copy(CSV, tmp_path / "a.csv")
    write_xlsx(tmp_path / "b.xlsx")
    write_xls(tmp_path / "c.XLS")
    (tmp_path / "~$b.xlsx").write_bytes(b"lock file")  # Office's lock file: ignored
    (tmp_path / "notes.txt").write_text("不是表格", encoding="utf-8")
    (tmp_path / "d.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    batch = run_sheet(gazetteer, tmp_path)
    # b.xlsx and c.XLS hold the same two jobs (same 岗位编号): one posting each, two duplicates.
    assert len(batch.records) == 6 and batch.duplicates == 2 and batch.errors == []
    assert sorted(r.reason for r in batch.rejections) == ["missing_title", "unparseable"]
    assert next(r for r in batch.rejections if r.reason == "unparseable").detail.startswith("d.xlsx")


def test_ids_survive_resaving_reordering_and_renaming(gazetteer: Any, tmp_path: Path) -> None:
    lines = CSV.read_text(encoding="utf-8").splitlines()
    first = {r.title: r.external_id for r in run_sheet(gazetteer, CSV).records}
    reordered = [lines[0], lines[1], *reversed(lines[2:])]
    moved = tmp_path / "榕江县岗位（重新保存）.csv"
    moved.write_bytes("\n".join(reordered).encode("gbk"))
    second = {r.title: r.external_id for r in run_sheet(gazetteer, moved).records}
    assert first == second and all(v.startswith("sheet-") for v in first.values())


def test_repeated_rows_in_a_file_get_numbered_ids() -> None:
    data = "岗位名称,用人单位,工作地点,工资\n普工,甲厂,榕江县,4000\n普工,甲厂,榕江县,4500\n".encode()
    ids = [item.fields["external_id"] for item in read_sheet("x.csv", data)]
    assert len(set(ids)) == 2 and ids[1] == f"{ids[0]}-2"


def test_a_sheet_without_a_title_column_is_quarantined(gazetteer: Any) -> None:
    batch = process_items(read_sheet("x.csv", "姓名,电话\n张三,138\n".encode()), gazetteer, TODAY)
    assert [r.reason for r in batch.rejections] == ["unparseable"]


def test_undecodable_bytes_are_quarantined_or_read(gazetteer: Any) -> None:
    batch = process_items(read_sheet("x.csv", b"\xff\xfe\x00\xd8"), gazetteer, TODAY)
    assert batch.records == [] and batch.fetched == 1


def test_a_missing_path_is_an_error(gazetteer: Any, tmp_path: Path) -> None:
    batch = run_sheet(gazetteer, tmp_path / "nowhere")
    assert batch.errors and batch.errors[0].startswith("not_found")


def test_a_sheet_from_a_url(site: Site, gazetteer: Any) -> None:
    check_csv_batch(run_sheet(gazetteer, site.url("/sheets/jobs-utf8.csv")))


@pytest.mark.parametrize(
    ("header", "field"),
    [("岗位名称", "title"), ("薪资待遇（元/月）", "pay_text"), ("福利待遇", "benefits_text"),
     ("用人单位", "employer"), ("单位名称", "employer"), ("工作地点", "place_text"),
     ("招聘人数", "headcount_text"),
     ("截止日期", "valid_through_text"), ("岗位要求", "description"), ("岗位职责", "description"),
     ("发布日期", "posted_text"), ("联系方式", "-"), ("岗位编号", "external_id"), ("ID", "external_id"),
     ("paid", None), ("工 资", "pay_text")],
)
def test_chinese_headers(header: str, field: str | None) -> None:
    assert header_field(header) == field
