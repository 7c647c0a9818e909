"""Pay units in Chinese and English: a day, hour or year rate is never stored as a month's pay."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs_ingest.normalise import parse_base_salary, parse_wage, pay_unit
from jobs_ingest.pipeline import build_record
from jobs_ingest.records import RawItem

CASES = [
    # a day: × 26 working days
    ("230 yuan/day", (5980, 5980)),
    ("320 yuan/day", (8320, 8320)),
    ("230 RMB/day", (5980, 5980)),
    ("230 CNY/day", (5980, 5980)),
    ("230 RMB per day", (5980, 5980)),
    ("230 yuan a day", (5980, 5980)),
    ("230/day", (5980, 5980)),
    ("230 yuan daily", (5980, 5980)),
    ("Daily wage: 230 yuan", (5980, 5980)),
    ("200-250 yuan/day", (5200, 6500)),
    ("日工资200元", (5200, 5200)),
    ("日薪200元", (5200, 5200)),
    ("日结150元", (3900, 3900)),
    ("工资150元，日结", (3900, 3900)),
    ("每天150元", (3900, 3900)),
    ("200元/天", (5200, 5200)),
    ("200元/日", (5200, 5200)),
    ("120元一天", (3120, 3120)),
    ("150元/天以上", (3900, None)),
    # an hour: × 208 hours
    ("22 CNY/hour", (4576, 4576)),
    ("18 yuan an hour", (3744, 3744)),
    ("20 yuan per hour", (4160, 4160)),
    ("20/hr", (4160, 4160)),
    ("Hourly: 20 yuan", (4160, 4160)),
    ("时薪22元", (4576, 4576)),
    ("每小时20元", (4160, 4160)),
    ("18元/小时", (3744, 3744)),
    # a month: as written
    ("月薪5000元以上", (5000, None)),
    ("每月4500元", (4500, 4500)),
    ("4500-6000元/月", (4500, 6000)),
    ("5000-6000 RMB/月", (5000, 6000)),
    ("4,500–6,000 yuan a month", (4500, 6000)),
    ("4,500 to 6,000 yuan per month", (4500, 6000)),
    ("CNY 4500-6000/month", (4500, 6000)),
    ("5000 yuan monthly", (5000, 5000)),
    ("Monthly pay 5000 yuan", (5000, 5000)),
    ("3000起", (3000, None)),
    ("3000元/月起", (3000, None)),
    ("月薪5000元，每天工作8小时", (5000, 5000)),
    ("每天工作8小时，工资5000元", (5000, 5000)),
    ("Piece rate, skilled workers earn 8000+ per month", (8000, None)),
    ("计件，熟练工月入8000元以上", (8000, None)),
    ("3500~4500", (3500, 4500)),
    # a year: ÷ 12
    ("年薪6万-8万", (5000, 6667)),
    ("60000 yuan per year", (5000, 5000)),
    ("60,000 yuan a year", (5000, 5000)),
    ("60000/year", (5000, 5000)),
    ("Annual salary 60000 yuan", (5000, 5000)),
    # no monthly figure
    ("计件工资，多劳多得", (None, None)),
    ("计件 0.5元/件", (None, None)),
    ("计件，150元", (None, None)),
    ("2 yuan per piece", (None, None)),
    ("130元", (None, None)),  # a bare figure no month's pay can be
    ("150元/天，月薪4500元", (None, None)),  # two rates in two units: which one is meant is unclear
    ("工资150元 包吃住 /天 或 /月", (None, None)),  # two units, neither next to the figure
    ("面议", (None, None)),
    ("Negotiable", (None, None)),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_pay_units_in_chinese_and_english(text: str, expected: tuple[int | None, int | None]) -> None:
    assert parse_wage(text) == expected


def test_the_table_is_large_and_covers_both_languages() -> None:
    assert len(CASES) >= 40
    assert sum(text.isascii() for text, _ in CASES) >= 20


@pytest.mark.parametrize("text", ["130元", "150-180元", "工资200"])
@pytest.mark.parametrize(
    "context", ["招临时工 搬运", "日结零工", "按天算", "Day labour, loading trucks", "day-labor", "daily pay"]
)
def test_a_bare_figure_on_a_day_labour_posting_is_no_months_pay(text: str, context: str) -> None:
    assert parse_wage(text, context) == (None, None)
    assert pay_unit(text, context) is None


def test_a_bare_figure_elsewhere_stays_a_month() -> None:
    assert parse_wage("4500元", "电焊工 全职 包吃住") == (4500, 4500)
    assert parse_wage("4500元/月", "日结零工") == (4500, 4500)  # a written unit wins over the posting
    assert parse_wage("200元/天", "日结零工") == (5200, 5200)


def test_a_structured_salary_without_a_unit_on_a_day_labour_posting() -> None:
    assert parse_base_salary({"value": 230}, context="临时工")[:2] == (None, None)
    per_day = {"value": {"value": 230, "unitText": "DAY"}}
    assert parse_base_salary(per_day, context="临时工")[:2] == (5980, 5980)


_DAY_HOUR_SUFFIXES = [
    "元/天",
    "元/日",
    "元一天",
    "元每天",
    " yuan/day",
    " RMB/day",
    " CNY/day",
    " per day",
    " yuan a day",
    "/day",
    " yuan daily",
    "元/小时",
    "元每小时",
    " yuan per hour",
    " an hour",
    "/hour",
    "/hr",
    " yuan hourly",
    "元/时",
    "/小时",
]
_DAY_HOUR_PREFIXES = ["日工资", "日薪", "日结", "每天", "时薪", "每小时", "Daily: ", "Hourly ", "daily pay "]
_FILLER = st.sampled_from(["", "急招", "包吃住，", "普工 ", "Pay: ", "工资", "待遇：", "Wanted, "])


@given(
    st.integers(1, 100_000),
    st.integers(0, 5000),
    st.booleans(),
    _FILLER,
    _FILLER,
    st.sampled_from(_DAY_HOUR_PREFIXES),
    st.sampled_from(_DAY_HOUR_SUFFIXES),
    st.booleans(),
)
def test_a_day_or_hour_rate_never_yields_its_bare_number_as_a_month(
    number: int,
    extra: int,
    is_range: bool,
    before: str,
    after: str,
    prefix: str,
    suffix: str,
    use_prefix: bool,
) -> None:
    figure = f"{number}-{number + extra}" if is_range else str(number)
    text = f"{before}{prefix}{figure}元 {after}" if use_prefix else f"{before}{figure}{suffix} {after}"
    low, high = parse_wage(text)
    assert low != number
    assert high != (number + extra if is_range else number)


def _item(title: str, pay: str, description: str = "") -> RawItem:
    return RawItem(
        fields={
            "external_id": "x1",
            "title": title,
            "pay_text": pay,
            "description": description,
            "place_text": "榕江县",
        },
        excerpt="{}",
    )


@pytest.mark.parametrize(
    ("title", "pay", "description", "expected"),
    [
        ("Warehouse loader", "230 yuan/day", "", (5980, 5980)),
        ("搬运工", "130元", "临时工，干完就走", (None, None)),
        ("Loader (day labour)", "130 yuan", "", (None, None)),
        ("电焊工", "4500元", "长期，包吃住", (4500, 4500)),
    ],
)
def test_ingest_stores_pay_by_its_unit(
    title: str, pay: str, description: str, expected: tuple[int | None, int | None], gazetteer
) -> None:
    record = build_record(_item(title, pay, description), gazetteer, date(2026, 11, 28))
    assert (record.wage_min, record.wage_max) == expected
    assert record.wage_text == pay  # the original text is kept, so pages show 原文


@pytest.mark.parametrize(("text", "expected"), [
    ("7000~10800", (7000, 10800)),   # no day's pay is that high: a month's, even on day labour
    ("4500", (4500, 4500)),
    ("200", (None, None)),           # a day's, perhaps: no monthly figure
    ("2500", (None, None)),          # could be either on a day-labour posting: say nothing
])
def test_a_bare_figure_on_a_day_labour_posting_is_monthly_only_when_it_must_be(text, expected):
    assert parse_wage(text, context="临时工 零工 日结") == expected
