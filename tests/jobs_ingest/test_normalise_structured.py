"""schema.org pay, timestamps, employment types and free-text fields; property tests for the parsers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs_ingest.freetext import extract_fields, pay_phrase
from jobs_ingest.normalise import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    parse_base_salary,
    parse_date,
    parse_datetime,
    parse_employment_type,
    parse_wage,
)

TODAY = date(2026, 11, 28)
UNITS = ["HOUR", "DAY", "WEEK", "MONTH", "YEAR"]
KEYS = ["value", "minValue", "maxValue", "unitText", "currency", "@type"]
DATE_FORMS = ["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}.{m}.{d}", "{y}{m:02d}{d:02d}"]


def money(unit: str, **value: object) -> dict[str, object]:
    return {"@type": "MonetaryAmount", "currency": "CNY",
            "value": {"@type": "QuantitativeValue", "unitText": unit, **value}}


@pytest.mark.parametrize(
    ("salary", "expected"),
    [
        (money("MONTH", minValue=4000, maxValue=6000), (4000, 6000)),
        (money("HOUR", value=22), (22 * HOURS_PER_MONTH, 22 * HOURS_PER_MONTH)),
        (money("DAY", minValue=150, maxValue=180), (150 * DAYS_PER_MONTH, 180 * DAYS_PER_MONTH)),
        (money("WEEK", value=1000), (4330, 4330)),
        (money("YEAR", minValue=60000, maxValue=96000), (5000, 8000)),
        (money("MONTH", minValue=5000), (5000, None)),
        (money("MONTH", maxValue=7000), (None, 7000)),
        ({"@type": "QuantitativeValue", "value": "4,500", "unitText": "month"}, (4500, 4500)),
        ({"currency": "CNY", "value": {"value": 150, "unitCode": "DAY"}}, (3900, 3900)),
        (5000, (5000, 5000)),
        ("4000-6000元/月", (4000, 6000)),
        ([money("MONTH", value=3000)], (3000, 3000)),
        ({"currency": "CNY", "value": {"value": "面议"}}, (None, None)),
        ({"value": {"value": float("inf")}}, (None, None)),
        ({"value": {"minValue": -5, "maxValue": 3000}}, (None, 3000)),
        (10**400, (None, None)),
        (None, (None, None)),
    ],
)
def test_base_salary_becomes_cny_per_month(salary: object, expected: tuple[int | None, int | None]) -> None:
    assert parse_base_salary(salary)[:2] == expected


def test_other_currencies_keep_their_text_but_no_numbers() -> None:
    salary = {"@type": "MonetaryAmount", "currency": "USD",
              "value": {"@type": "QuantitativeValue", "value": 40.0, "unitText": "HOUR"}}
    assert parse_base_salary(salary) == (None, None, "40 USD/小时")
    assert parse_base_salary("100000", currency="USD") == (None, None, "100000 USD")


@given(st.integers(1, 100_000), st.integers(0, 100_000), st.sampled_from(UNITS))
def test_structured_pay_follows_the_same_rule_as_text(low: int, extra: int, unit: str) -> None:
    high = low + extra
    wage_min, wage_max, text = parse_base_salary(money(unit, minValue=low, maxValue=high))
    suffix = {"HOUR": "元/小时", "DAY": "元/天", "WEEK": "元/周", "MONTH": "元/月", "YEAR": "元/年"}[unit]
    assert (wage_min, wage_max) == parse_wage(f"{low}-{high}{suffix}")
    assert text == f"{low}-{high}{suffix}"


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(
        st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=8,
)


@given(JSONISH)
def test_structured_pay_never_raises_and_stays_plausible(value: object) -> None:
    low, high, text = parse_base_salary(value)
    assert isinstance(text, str)
    for figure in (low, high):
        assert figure is None or 100 <= figure <= 1_000_000
    if low is not None and high is not None:
        assert low <= high


@given(st.dates(date(1990, 1, 1), date(2099, 12, 31)),
       st.sampled_from(DATE_FORMS))
def test_any_written_date_round_trips(day: date, form: str) -> None:
    assert parse_date(form.format(y=day.year, m=day.month, d=day.day), TODAY) == day


@given(st.dates(date(1950, 1, 1), date(2099, 12, 31)))
def test_excel_serials_round_trip(day: date) -> None:
    serial = (day - date(1899, 12, 30)).days
    assert parse_date(str(serial), TODAY) == day
    assert parse_date(f"{serial}.5", TODAY) == day  # a time of day in the serial


@given(st.integers(0, 365), st.sampled_from(["天", "周", "个月"]))
def test_relative_dates_count_back_from_today(n: int, unit: str) -> None:
    days = {"天": n, "周": 7 * n, "个月": 30 * n}[unit]
    assert parse_date(f"{n}{unit}前", TODAY) == TODAY - timedelta(days=days)


@given(st.text(max_size=40))
def test_date_parser_never_raises(text: str) -> None:
    result = parse_date(text, TODAY)
    assert result is None or isinstance(result, date)


@given(st.datetimes(datetime(2000, 1, 1), datetime(2090, 1, 1)), st.integers(-12, 14))
def test_iso_timestamps_round_trip_to_utc(moment: datetime, hours: int) -> None:
    aware = moment.replace(microsecond=0, tzinfo=timezone(timedelta(hours=hours)))
    assert parse_datetime(aware.isoformat()) == aware.astimezone(UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20T10:00:00+08:00", datetime(2026, 11, 20, 2, tzinfo=UTC)),
        ("2026-11-20 10:00:00", datetime(2026, 11, 20, 2, tzinfo=UTC)),  # no zone: China time
        ("2026/11/20 10:00", datetime(2026, 11, 20, 2, tzinfo=UTC)),
        ("2026-11-25T16:00:00Z", datetime(2026, 11, 25, 16, tzinfo=UTC)),
        ("Fri, 20 Nov 2026 09:00:00 +0800", datetime(2026, 11, 20, 1, tzinfo=UTC)),
        (1795500000, datetime.fromtimestamp(1795500000, UTC)),
        ("1795500000000", datetime.fromtimestamp(1795500000, UTC)),
        ("刚刚", None), ("", None), (None, None),
    ],
)
def test_timestamps(value: object, expected: datetime | None) -> None:
    assert parse_datetime(value) == expected


@given(st.text(max_size=40) | st.integers() | st.floats())
def test_timestamp_parser_never_raises(value: object) -> None:
    result = parse_datetime(value)
    assert result is None or result.tzinfo is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [("FULL_TIME", "full_time"), ("PART_TIME", "part_time"), ("TEMPORARY", "day_labour"),
     ("PER_DIEM", "day_labour"), ("CONTRACTOR", None), ("INTERN", None), ("全职", "full_time"),
     ("Full-time", "full_time")],
)
def test_schema_org_employment_types(text: str, expected: str | None) -> None:
    assert parse_employment_type(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("120元一天", (3120, 3120)), ("20元每小时", (4160, 4160)), ("月薪5000元，每天工作8小时", (5000, 5000))],
)
def test_units_written_out_after_yuan(text: str, expected: tuple[int, int]) -> None:
    assert parse_wage(text) == expected


def test_free_text_fields_of_a_feed_item() -> None:
    found = extract_fields("榕江县招聘电焊工5名 月薪4500-6000元",
                           "用人单位：榕江县宏达钢构有限公司；工作地点：贵州省黔东南州榕江县古州镇；"
                           "包吃住，截止日期：2027年3月31日")
    assert found == {"employer": "榕江县宏达钢构有限公司", "place_text": "贵州省黔东南州榕江县古州镇",
                     "pay_text": "月薪4500-6000元", "valid_through_text": "2027年3月31日",
                     "headcount_text": "5名"}


def test_free_text_without_labels_finds_phrases_or_nothing() -> None:
    assert extract_fields("【日结】花都区物流园装卸工", "日结180元/天，2027-01-15前报名，需10人") == {
        "place_text": "花都区", "pay_text": "日结180元/天", "valid_through_text": "2027-01-15",
        "headcount_text": "需10人"}
    assert extract_fields("Welder", "negotiable") == {}
    assert pay_phrase("待遇面议") == "面议" and pay_phrase("招5人 4k-6k") == "4k-6k"
