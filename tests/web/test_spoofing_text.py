"""Bidi overrides and control characters never reach a stored posting: ingestion's text cleaning
removes them from every field (sources and the bureau's own vacancies go the same way), and the
0008g migration cleans postings stored before."""

from __future__ import annotations

import importlib.util
from datetime import date
from typing import Any

from sqlalchemy import select

from jobs_ingest.normalise import clean_text
from jobs_ingest.pipeline import build_record
from jobs_ingest.records import RawItem
from jobs_ingest.text import BIDI, drop_unsafe
from web.config import ROOT
from web.models import Employer, Posting

SPOOF = "高薪\u202egpj.exe\u202d焊工招聘"
UNSAFE = BIDI + "\x00\x07\x1b\x7f\x9b"


def _clean_of_unsafe(text: str | None) -> bool:
    return not any(ch in (text or "") for ch in UNSAFE)


def test_cleaning_removes_bidi_and_controls() -> None:
    """Overrides, embeddings, isolates, marks, BEL, ESC, NUL, DEL and C1 go; words and lines stay."""
    assert clean_text(SPOOF) == "高薪gpj.exe焊工招聘"
    hostile = "包吃\u2066住\u2069\x07\x1b[31m月薪\u200e5000\u200f\n第二行"
    assert clean_text(hostile) == "包吃住[31m月薪5000\n第二行"
    assert drop_unsafe("a\tb\nc\x00d\u202ee") == "a\tb\ncde"


def test_every_field_of_an_ingested_posting_is_cleaned(gazetteer: Any) -> None:
    """Title, description, employer, place and pay text, id and URL of a hostile item."""
    item = RawItem(fields={"external_id": "id-1\x00\u202e", "title": SPOOF, "url": "https://x.example/1\x1b",
                           "description": "要求\u202e吃苦\x07耐劳", "employer": "某\u2067公司\u2069",
                           "place_text": "榕江县\u200f", "pay_text": "5000\u202d元/月"}, excerpt="")
    record = build_record(item, gazetteer, date(2026, 11, 28))
    assert record.title == "高薪gpj.exe焊工招聘" and record.external_id == "id-1"
    for value in (record.description, record.employer, record.place_text, record.wage_text, record.url):
        assert _clean_of_unsafe(value), value
    assert record.place_code == "522632000000" and record.wage_min == 5000


def test_a_bureau_vacancy_is_cleaned(client: Any, db_session: Any, staff_world: Any) -> None:
    """What a bureau types goes through the same cleaning (the form and the API alike)."""
    vacancy = {"title": SPOOF, "employer": "茶叶\u202e合作社", "place": "榕江县古州镇",
               "requirements": "能吃苦\u2066，有\u202d经验"}
    created = client.post("/api/v1/bureau/vacancies", json=vacancy,
                          headers={"Authorization": f"Bearer {staff_world.tokens['bureau']}"})
    assert created.status_code == 201, created.get_json()
    posting = db_session.get(Posting, created.get_json()["id"])
    assert posting.title == "高薪gpj.exe焊工招聘"
    assert _clean_of_unsafe(posting.description) and _clean_of_unsafe(posting.employer.name)


def _migration() -> Any:
    path = ROOT / "migrations" / "versions" / "0008g_clean_posting_text.py"
    spec = importlib.util.spec_from_file_location("m0008g", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_cleans_stored_postings(db_session: Any, staff_world: Any) -> None:
    """Postings stored under the old rules lose the characters; a spoofed employer name that equals
    another's once cleaned is merged into it."""
    posting = db_session.get(Posting, staff_world.postings["own"].id)
    honest = Employer(name="茶叶合作社")
    spoofed = Employer(name="茶叶\u202e合作社")
    db_session.add_all([honest, spoofed])
    db_session.flush()
    posting.title, posting.description, posting.employer_id = SPOOF, "要求\x07吃苦", spoofed.id
    posting.wage_text = "5000\u202d元"
    db_session.commit()
    honest_id, spoofed_id = honest.id, spoofed.id
    migration = _migration()
    migration._clean_postings(db_session.connection())
    migration._clean_employers(db_session.connection())
    db_session.expire_all()
    posting = db_session.get(Posting, staff_world.postings["own"].id)
    assert posting.title == "高薪gpj.exe焊工招聘"
    assert (posting.description, posting.wage_text) == ("要求吃苦", "5000元")
    assert posting.employer_id == honest_id
    assert db_session.scalar(select(Employer).where(Employer.id == spoofed_id)) is None
