"""The pipeline's handling of the optional fields and of sources that fail part-way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from jobs_ingest import pipeline
from jobs_ingest.pipeline import build_record, process_items, run_source
from jobs_ingest.records import RawItem, SourceConfig
from jobs_ingest.sources.common import SourceError, rejected_item
from tests.jobs_ingest.localserver import TODAY


def item(**fields: Any) -> RawItem:
    return RawItem(fields={"external_id": "x1", "title": "焊工", **fields}, excerpt="{}")


def test_a_source_verdict_is_quarantined_with_its_reason(gazetteer: Any) -> None:
    bad = rejected_item("too_large", "page over the cap", "https://a.example/big\n…", external_id="big")
    batch = process_items([bad, item()], gazetteer, TODAY)
    (rejection,) = batch.rejections
    assert (rejection.reason, rejection.external_id) == ("too_large", "big")
    assert rejection.detail == "page over the cap"
    assert rejection.excerpt.startswith("https://a.example/big") and len(batch.records) == 1


def test_geo_coordinates_win_and_bad_ones_are_ignored(gazetteer: Any) -> None:
    given = build_record(item(place_text="榕江县", lat="25.93", lon=108.52), gazetteer, TODAY)
    assert (given.lat, given.lon) == (25.93, 108.52) and given.place_code.startswith("522632")
    centroid = build_record(item(place_text="榕江县"), gazetteer, TODAY)
    for lat, lon in ((0, 0), (95, 10), ("nan", "nan"), ("北纬", "东经"), (None, 108)):
        assert (build_record(item(place_text="榕江县", lat=lat, lon=lon), gazetteer, TODAY).lat
                == centroid.lat)


def test_structured_pay_is_used_when_the_text_has_none(gazetteer: Any) -> None:
    salary = {"currency": "CNY", "value": {"minValue": 150, "maxValue": 180, "unitText": "DAY"}}
    record = build_record(item(wage_struct=salary), gazetteer, TODAY)
    assert (record.wage_min, record.wage_max, record.wage_text) == (3900, 4680, "150-180元/天")
    texted = build_record(item(pay_text="月薪5000元", wage_struct=salary), gazetteer, TODAY)
    assert (texted.wage_min, texted.wage_text) == (5000, "月薪5000元")


def test_traditional_text_and_scripts_are_cleaned(gazetteer: Any) -> None:
    record = build_record(item(title="電焊工<script>x()</script>", employer="宏達鋼構", place_text="榕江縣",
                               description="包吃住<img src=x onerror=y()>", pay_text="日結150元"),
                          gazetteer, TODAY)
    assert (record.title, record.employer, record.description) == ("电焊工", "宏达钢构", "包吃住")
    assert record.place_code is not None and record.wage_min == 3900


def test_only_web_addresses_become_links(gazetteer: Any) -> None:
    for bad in ("javascript:alert(1)", "data:text/html,<script>", "ftp://x/y"):
        record = build_record(item(url=bad), gazetteer, TODAY)
        assert record.url is None and record.canonical_url is None
    assert build_record(item(url="https://a.example/j/1?utm_source=x"), gazetteer, TODAY).canonical_url == (
        "https://a.example/j/1")


def test_the_update_time_is_kept_and_hashed(gazetteer: Any) -> None:
    old = build_record(item(updated_text="2026-11-20T10:00:00+08:00"), gazetteer, TODAY)
    new = build_record(item(updated_text="2026-11-27T10:00:00+08:00"), gazetteer, TODAY)
    assert old.updated_at < new.updated_at and old.content_hash != new.content_hash


def _breaks_midway(config: SourceConfig, http: object = None) -> Iterator[RawItem]:
    yield item(external_id="first")
    yield item(external_id="second")
    raise SourceError("malformed", "the listing broke after two items")


def test_items_before_a_source_error_are_kept_and_the_error_reported(gazetteer: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline, "fetch_items", _breaks_midway)
    batch = run_source(SourceConfig(name="t", kind="any"), gazetteer, TODAY)
    assert [r.external_id for r in batch.records] == ["first", "second"]
    assert batch.errors == ["malformed: the listing broke after two items"]
