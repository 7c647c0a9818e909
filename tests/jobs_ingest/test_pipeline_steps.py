"""The pipeline's ordered steps: formula cells refused, typed fields taken as given, a caller's
own steps run after the standard ones."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from jobs_ingest.pipeline import STEPS, Draft, build_record, process_items
from jobs_ingest.records import RawItem, Rejected

TODAY = date(2026, 11, 28)


def item(**fields: Any) -> RawItem:
    base = {"external_id": "x1", "title": "电焊工", "place_text": "榕江县古州镇", "pay_text": "5000元/月"}
    return RawItem(fields={**base, **fields}, excerpt=str(fields))


@pytest.mark.parametrize(("key", "value"), [
    ("title", "=1+1"), ("title", '=HYPERLINK("http://evil.example","点我")'), ("title", "+电焊工"),
    ("title", "-电焊工"), ("title", "@SUM(A1)"), ("title", "  =cmd|' /C calc'!A0"),
    ("employer", "=HYPERLINK(\"http://evil.example\")"), ("place_text", "+1+1"), ("pay_text", "=5000"),
    ("description", "=HYPERLINK(\"http://evil.example\",\"点我\")"), ("description", "@A1"),
])
def test_a_formula_like_cell_is_rejected_never_published(gazetteer: Any, key: str, value: str) -> None:
    with pytest.raises(Rejected) as refused:
        build_record(item(**{key: value}), gazetteer, TODAY)
    assert refused.value.reason == "formula" and key in refused.value.detail


@pytest.mark.parametrize(("key", "value"), [("pay_text", "-"), ("description", "- 会电焊\n- 能吃苦"),
                                            ("description", "+ 包吃住"), ("title", "电焊工=焊工")])
def test_text_that_only_looks_like_it_is_kept(gazetteer: Any, key: str, value: str) -> None:
    assert build_record(item(**{key: value}), gazetteer, TODAY).title.startswith("电焊工")


def test_batch_quarantines_formula_rows(gazetteer: Any) -> None:
    batch = process_items([item(external_id="a", title="=1+1"), item(external_id="b")], gazetteer, TODAY)
    assert [r.external_id for r in batch.records] == ["b"]
    assert [r.reason for r in batch.rejections] == ["formula"]


def test_typed_fields_pass_through_without_text(gazetteer: Any) -> None:
    record = build_record(item(pay_text="", wage_min=3000, wage_max=4500, housing=False, meals=True,
                               description="包住", employment_type="seasonal", headcount=12,
                               valid_through=date(2027, 3, 31), posted_at=TODAY), gazetteer, TODAY)
    assert (record.wage_min, record.wage_max, record.wage_text) == (3000, 4500, "3000-4500元/月")
    assert (record.housing, record.meals) == (False, True)  # the tick wins over the text
    assert (record.employment_type, record.headcount) == ("seasonal", 12)
    assert (record.valid_through, record.posted_at, record.expired) == (date(2027, 3, 31), TODAY, False)


def test_typed_past_date_is_expired(gazetteer: Any) -> None:
    assert build_record(item(valid_through=date(2026, 1, 1)), gazetteer, TODAY).expired


def test_a_callers_step_runs_after_the_standard_ones(gazetteer: Any) -> None:
    seen: list[dict[str, Any]] = []

    def only_rongjiang(draft: Draft) -> None:
        seen.append(dict(draft.values))
        if not str(draft.values["place_code"] or "").startswith("522632"):
            raise Rejected("place_outside_county", draft.values["place_text"])

    assert build_record(item(), gazetteer, TODAY, steps=(only_rongjiang,)).place_code.startswith("522632")
    assert {"title", "place_code", "wage_min", "valid_through"} <= set(seen[0])  # every standard value
    with pytest.raises(Rejected, match="place_outside_county"):
        build_record(item(place_text="从江县"), gazetteer, TODAY, steps=(only_rongjiang,))
    assert STEPS[0].__name__ == "refuse_formulas"  # nothing reads a cell before the formula check
