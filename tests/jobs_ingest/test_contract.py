"""Contract: every JobPosting example from schema.org and Google parses into a posting.

The examples live in ../shared/data (beside the repository); the test skips when it is absent.
Each one is embedded in a page the way a site would carry it, parsed by the jsonld kind's page
parser and normalised by the pipeline. Title, place and pay must come through wherever the
example gives them (pay in another currency keeps its text and, by our rule, no CNY figures).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from jobs_ingest.pipeline import build_record
from jobs_ingest.records import PostingRecord, RawItem
from jobs_ingest.schemaorg import parse_page, posting_fields
from tests.jobs_ingest.localserver import TODAY

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"
SCHEMAORG = SHARED / "schemaorg-jobposting-examples"
GOOGLE = SHARED / "google-jobposting-examples"
PAGE_URL = "https://example.org/jobs/page.html"


def _examples() -> list[Path]:
    if not SHARED.is_dir():
        return []
    return sorted((SCHEMAORG / "jsonld").glob("*.json")) + sorted(GOOGLE.glob("*.json"))


def _microdata_blocks() -> list[tuple[str, str]]:
    blocks_file = SCHEMAORG / "jobposting_example_blocks.txt"
    if not blocks_file.is_file():
        return []
    text = blocks_file.read_text(encoding="utf-8")
    found = []
    for example in re.split(r"(?=^TYPES: )", text, flags=re.M)[1:]:
        name = example.split()[1]
        micro = example.split("MICRODATA:", 1)[1].split("RDFA:", 1)[0].strip()
        if "itemscope" in micro:
            found.append((name, micro))
    return found


def _parse(html: str) -> list[PostingRecord]:
    page = parse_page(html, PAGE_URL)
    assert page.broken == []
    shared = len(page.postings) > 1
    items = [RawItem(fields=posting_fields(p, PAGE_URL, shared), excerpt="") for p in page.postings]
    return [build_record(item, _gazetteer(), TODAY) for item in items]


def _gazetteer() -> Any:
    from places import default_gazetteer

    return default_gazetteer()


def _currency(example: dict[str, Any]) -> str:
    salary = example.get("baseSalary")
    if isinstance(salary, dict) and salary.get("currency"):
        return str(salary["currency"])
    return str(example.get("salaryCurrency") or "CNY")


def _given(example: dict[str, Any]) -> dict[str, bool]:
    return {
        "title": bool(example.get("title") or example.get("name")),
        "place": bool(example.get("jobLocation") or example.get("applicantLocationRequirements")),
        "pay": "baseSalary" in example or "estimatedSalary" in example,
    }


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/data is not beside the repository")
@pytest.mark.parametrize("path", _examples(), ids=lambda p: p.name)
def test_every_jsonld_example_parses(path: Path) -> None:
    example = json.loads(path.read_text(encoding="utf-8"))
    html = f'<html><head><script type="application/ld+json">{json.dumps(example)}</script></head></html>'
    (record,) = _parse(html)
    given = _given(example)
    assert record.title
    if given["place"]:
        assert record.place_text
    if given["pay"]:
        assert record.wage_text and re.search(r"\d", record.wage_text)
        assert (record.wage_min is not None) == (_currency(example) == "CNY")


@pytest.mark.skipif(not SCHEMAORG.is_dir(), reason="../shared/data is not beside the repository")
@pytest.mark.parametrize(("name", "block"), _microdata_blocks(), ids=[n for n, _ in _microdata_blocks()])
def test_every_microdata_example_parses(name: str, block: str) -> None:
    records = _parse(f"<html><body>{block}</body></html>")
    assert records and all(r.title for r in records)


def test_the_examples_are_there_when_shared_is() -> None:
    if not SHARED.is_dir():
        pytest.skip("../shared/data is not beside the repository")
    assert len(_examples()) >= 14 and _microdata_blocks()


def test_google_examples_in_detail() -> None:
    path = GOOGLE / "standard_job_posting.json"
    if not path.is_file():
        pytest.skip("../shared/data is not beside the repository")
    example = json.loads(path.read_text(encoding="utf-8"))
    (record,) = _parse(f'<script type="application/ld+json">{json.dumps(example)}</script>')
    assert record.external_id == "1234567" and record.employer == "Google"
    assert record.place_text == "CA Mountain View 1600 Amphitheatre Pkwy" and record.place_code is None
    assert record.wage_text == "40 USD/小时" and record.wage_min is None
    assert record.employment_type is None and record.valid_through.isoformat() == "2024-03-18"
    assert record.expired  # 2024 is past
    remote = json.loads((GOOGLE / "work_from_home_job_posting.json").read_text(encoding="utf-8"))
    (home,) = _parse(f'<script type="application/ld+json">{json.dumps(remote)}</script>')
    assert home.place_text == "USA(远程)" and home.employment_type == "full_time"
