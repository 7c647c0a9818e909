from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs_ingest.normalise import (
    clean_text,
    parse_date,
    parse_employment_type,
    parse_headcount,
    parse_housing,
    parse_wage,
)

TODAY = date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4500-6000元/月", (4500, 6000)),
        ("月薪5000元以上", (5000, None)),
        ("4K-6K", (4000, 6000)),
        ("5千-8千", (5000, 8000)),
        ("5-8千", (5000, 8000)),
        ("3500~4500", (3500, 4500)),
        ("日结150元", (3900, 3900)),
        ("200元/天", (5200, 5200)),
        ("时薪22元", (4576, 4576)),
        ("18元/小时", (3744, 3744)),
        ("年薪6万-8万", (5000, 6667)),
        ("最高8000", (None, 8000)),
        ("计件工资，多劳多得", (None, None)),
        ("面议", (None, None)),
        ("", (None, None)),
        (None, (None, None)),
    ],
)
def test_pay_becomes_cny_per_month(text, expected):
    assert parse_wage(text) == expected


@given(st.text(max_size=60))
def test_pay_parser_never_raises_and_orders_the_range(text):
    low, high = parse_wage(text)
    for value in (low, high):
        assert value is None or 100 <= value <= 1_000_000
    if low is not None and high is not None:
        assert low <= high


@given(st.integers(1000, 20000), st.integers(0, 5000))
def test_any_written_range_round_trips(low, extra):
    assert parse_wage(f"{low}-{low + extra}元/月") == (low, low + extra)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027-03-31", date(2027, 3, 31)),
        ("2027/3/31", date(2027, 3, 31)),
        ("2027年3月31日", date(2027, 3, 31)),
        ("3天前", date(2026, 11, 25)),
        ("昨天", date(2026, 11, 27)),
        ("46000", date(2025, 12, 9)),  # an Excel serial
        ("长期有效", None),
        ("2026-13-45", None),
        ("", None),
    ],
)
def test_dates(text, expected):
    assert parse_date(text, TODAY) == expected


def test_housing_meals_type_and_headcount():
    assert parse_housing("包吃包住，五险一金") == (True, True)
    assert parse_housing("包住，不包吃") == (True, False)
    assert parse_housing("不包住，餐补") == (False, False)
    assert parse_employment_type("日结") == "day_labour"
    assert parse_employment_type("兼职") == "part_time"
    assert parse_employment_type("季节工") == "seasonal"
    assert parse_employment_type("full-time") == "full_time"
    assert parse_headcount("招2名") == 2
    assert parse_headcount("若干") is None


def test_clean_text_strips_scripts_and_handlers():
    dirty = '<p>招焊工<script>alert(1)</script><img src=x onerror=alert(2)> &amp; 学徒</p>'
    clean = clean_text(dirty)
    assert clean == "招焊工 & 学徒"
    assert "<" not in clean and "onerror" not in clean and "alert" not in clean
