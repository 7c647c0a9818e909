"""The pay reader (parse_pay): a development table of real-style strings, properties, and the scorer."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.pay_table import load_rows, main, score
from jobs_ingest.normalise import parse_pay as parse_pay_old_home
from jobs_ingest.pay import DAYS_PER_MONTH, NO_PAY, PER_MONTH, PIECE_RATE, Pay, parse_pay, parse_wage
from jobs_ingest.text import to_simplified

DEV_TABLE = Path(__file__).parent / "data" / "pay_dev.jsonl"
ROWS = load_rows(DEV_TABLE)


@pytest.mark.parametrize("row", ROWS, ids=[f"line{row.line}" for row in ROWS])
def test_the_development_table_reads_exactly(row) -> None:
    pay = parse_pay(row.text, row.context)
    got = (pay.unit, pay.low, pay.high, pay.open_ended, pay.swapped)
    assert got == (row.unit, row.low, row.high, row.open_ended, row.swapped)


def test_the_development_table_is_varied() -> None:
    assert len(ROWS) >= 80
    units = {row.unit for row in ROWS}
    assert units == {"month", "day", "hour", "week", "year", "piece", None}
    assert sum(row.text.isascii() for row in ROWS) >= 20
    assert sum(row.unit is None for row in ROWS) >= 15
    assert sum(row.swapped for row in ROWS) >= 3
    assert sum(row.low is None and row.high is not None and not row.open_ended for row in ROWS) >= 3  # 以下
    assert sum(bool(row.context) for row in ROWS) >= 8


def test_the_structured_reading_of_the_issue_examples() -> None:
    assert parse_pay("日工资200元") == Pay("day", 200, 200, monthly_low=5200, monthly_high=5200)
    assert parse_pay("5000以上") == Pay("month", 5000, None, open_ended=True, monthly_low=5000)
    assert parse_pay("6000-5000元/月") == Pay("month", 5000, 6000, swapped=True)
    assert parse_pay("面议") == NO_PAY
    assert parse_pay("130元", "搬运 日结") == Pay("day", 130, 130, from_context=True)
    assert parse_pay_old_home is parse_pay  # still importable from normalise


# Every spelling of a unit, with {f} for the figure. Each is a way real postings write it.
SPELLINGS = {
    "day": ["{f}元/天", "{f}元/日", "{f}元一天", "{f}元每天", "{f}块一天", "日工资{f}元", "日薪{f}",
            "日结{f}元", "每天{f}元", "{f} yuan/day", "{f} RMB per day", "{f} yuan a day", "{f}/day",
            "Daily wage: {f} yuan", "{f} yuan daily", "{f}元/工"],
    "hour": ["{f}元/小时", "{f}元每小时", "{f}元/时", "时薪{f}元", "每小时{f}元", "{f} yuan per hour",
             "{f}/hr", "{f} CNY/hour", "{f} yuan an hour", "Hourly: {f} yuan", "{f}/h"],
    "week": ["{f}元/周", "周薪{f}元", "{f} yuan a week", "{f} RMB/week", "每周{f}元"],
    "month": ["{f}元/月", "月薪{f}元", "{f} RMB/月", "{f} yuan per month", "{f}/month", "每月{f}元",
              "{f}元/个月", "月工资{f}", "Monthly pay {f} yuan", "{f} yuan monthly"],
    "year": ["{f}元/年", "年薪{f}元", "{f} yuan per year", "{f}/year", "{f} RMB a year",
             "Annual salary {f} yuan"],
    "piece": ["{f}元/件", "{f} yuan per piece", "每件{f}元", "{f}元一件"],
}
# The figures a rate in each unit may be, so that the reader claims them (see _PLAUSIBLE).
RANGES = {"day": (10, 2000), "hour": (5, 500), "week": (100, 20_000), "month": (1000, 100_000),
          "year": (20_000, 2_000_000), "piece": (1, 500)}
# Text made of what pay is written with, so that random cases come near real ones.
PAYISH = st.text(alphabet="0123456789.,，元块天日月年周时小件/-~至到以上下起最高万千百kK 日结零工计件面议每"
                          "一二两三五", max_size=40)
ANY_TEXT = st.text(max_size=80) | PAYISH
NOISE = st.sampled_from(["", "急招 ", "包吃住，", "普工 ", "Pay: ", "工资", "待遇：", "Wanted, ",
                         "五险一金 "])
TAILS = st.sampled_from(["", "，包吃住", " 五险一金", ", meals included", "，长期招聘", "（熟练工优先）"])


def _written(value: int, style: int) -> str:
    """A figure as postings write it: 4500, 4,500, 4.5千 / 4.5k, 1.2万."""
    if style == 1 and value >= 1000:
        return f"{value:,}"
    if style == 2 and value >= 1000 and value % 100 == 0:
        return f"{value / 1000:g}" + ("千" if value < 10000 else "k")
    if style == 3 and value >= 10000 and value % 1000 == 0:
        return f"{value / 10000:g}万"
    return str(value)


@st.composite
def rates(draw: st.DrawFn) -> tuple[str, str, int, int]:
    """(text, unit, low, high): a rate or range in one unit, written in one of its spellings."""
    unit = draw(st.sampled_from(sorted(SPELLINGS)))
    least, most = RANGES[unit]
    low = draw(st.integers(least, most))
    high = draw(st.integers(low, most)) if draw(st.booleans()) else low
    style = draw(st.integers(0, 3))
    if _written(low, style) == str(low) and _written(high, style) != str(high):
        style = 0  # "100-5千" is no way to write 100 to 5,000: both ends or neither in 千/k/万
    figure = _written(low, style) if low == high else f"{_written(low, style)}-{_written(high, style)}"
    text = draw(NOISE) + draw(st.sampled_from(SPELLINGS[unit])).format(f=figure) + draw(TAILS)
    return text, unit, low, high


@given(rates())
def test_a_rate_in_any_spelling_reads_back_as_written(rate: tuple[str, str, int, int]) -> None:
    text, unit, low, high = rate
    pay = parse_pay(text)
    assert (pay.unit, pay.low, pay.high, pay.open_ended, pay.swapped) == (unit, low, high, False, False)
    factor = PER_MONTH[unit]
    if factor is None:
        assert (pay.monthly_low, pay.monthly_high) == (None, None)
    else:
        assert pay.monthly_low == round(low * factor) or pay.monthly_low is None  # None: out of 100..1e6


@given(ANY_TEXT, st.text(max_size=40) | PAYISH)
def test_the_reader_never_raises_and_its_result_is_consistent(text: str, context: str) -> None:
    pay = parse_pay(text, context)
    if pay.unit is None:
        assert pay == NO_PAY
        return
    if pay.low is None and pay.high is None:
        assert pay == PIECE_RATE  # paid by the piece, no figure given
        return
    assert pay.open_ended == (pay.high is None)  # an upper bound only ("3000以下") is not open-ended
    if pay.low is not None and pay.high is not None:
        assert pay.low <= pay.high
    if pay.monthly_low is not None and pay.monthly_high is not None:
        assert pay.monthly_low <= pay.monthly_high
    if pay.swapped or pay.from_context:
        assert (pay.monthly_low, pay.monthly_high) == (None, None)
    assert parse_wage(text, context) == (pay.monthly_low, pay.monthly_high)


@given(ANY_TEXT, st.sampled_from(["面议", "薪资面议", "，可面议", "Negotiable", "待遇从优"]))
def test_saying_negotiable_never_creates_a_figure(text: str, negotiable: str) -> None:
    assert parse_pay(text + negotiable) == NO_PAY
    assert parse_pay(negotiable + text) == NO_PAY


_WORDS = ["包吃住", "五险一金", "长期招聘", "急招", "熟练工优先", "男女不限", "Meals provided", "Apply now",
          "工作轻松", "环境好"]


@given(ANY_TEXT, st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3))
def test_noise_never_creates_a_figure(text: str, words: list[str]) -> None:
    if parse_pay(text).unit is None:
        assert parse_pay(text + "，" + "，".join(words)).unit is None
        assert parse_pay("，".join(words) + "，" + text).unit is None


@given(rates(), st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3))
def test_noise_around_a_rate_changes_nothing(rate: tuple[str, str, int, int], words: list[str]) -> None:
    text = rate[0]
    assert parse_pay("，".join(words) + "，" + text + "。" + "，".join(words)) == parse_pay(text)


@given(st.sampled_from(sorted(SPELLINGS)), st.data())
def test_a_range_written_high_to_low_is_always_flagged(unit: str, data: st.DataObject) -> None:
    least, most = RANGES[unit]
    low = data.draw(st.integers(least, most - 1))
    high = data.draw(st.integers(low + 1, most))
    spelling = data.draw(st.sampled_from(SPELLINGS[unit]))
    pay = parse_pay(spelling.format(f=f"{high}-{low}"))
    assert (pay.unit, pay.low, pay.high, pay.swapped) == (unit, low, high, True)
    assert (pay.monthly_low, pay.monthly_high) == (None, None)  # flagged, never silently stored


@given(rates(), rates())
def test_two_rates_in_two_units_claim_nothing(first: tuple[str, str, int, int],
                                              second: tuple[str, str, int, int]) -> None:
    if first[1] != second[1]:
        assert parse_pay(f"{first[0]}；{second[0]}") == NO_PAY


@given(st.integers(50, 999), st.sampled_from(["元", "", "块"]),
       st.sampled_from(["搬运工 日结", "零工市场 装卸", "临时工，干完就走", "Loader (day labour)"]))
def test_a_bare_figure_on_a_day_labour_posting_is_a_day_rate_but_no_months_pay(
        figure: int, currency: str, context: str) -> None:
    assert parse_pay(f"{figure}{currency}", context) == Pay("day", figure, figure, from_context=True)
    assert parse_pay(f"{figure}{currency}") == NO_PAY  # without the context it claims nothing
    assert parse_pay(f"{figure}元/天", context).monthly_low == figure * DAYS_PER_MONTH


@given(st.integers(1000, 2999) | st.integers(50_001, 10**7))
def test_a_bare_figure_that_may_be_anything_on_day_labour_claims_nothing(figure: int) -> None:
    assert parse_pay(str(figure), "临时工 零工 日结") == NO_PAY


@given(st.integers(3000, 50_000))
def test_a_bare_figure_from_3000_on_day_labour_is_a_month(figure: int) -> None:
    assert parse_pay(str(figure), "临时工 零工 日结") == Pay("month", figure, figure, monthly_low=figure,
                                                          monthly_high=figure)


def _table(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    return path


def _row(text: str, unit: str | None, low: float | None, high: float | None,
         open_ended: bool = False, swapped: bool = False, context: str = "") -> dict[str, object]:
    return {"text": text, "context": context, "unit": unit, "low": low, "high": high,
            "open_ended": open_ended, "swapped": swapped}


def test_the_scorer_counts_each_kind_of_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _table(tmp_path, [
        _row("200元/天", "day", 200, 200),                   # exact
        _row("面议", None, None, None),                       # exact: nothing claimed, nothing expected
        _row("4500元/月", None, None, None),                  # false claim: the table says none
        _row("4500元/月", "day", 4500, 4500),                 # false claim: another unit
        _row("4500元/月", "month", 4000, 4500),               # false claim: another figure
        _row("面议", "month", 3000, 3000),                    # miss
        _row("5000以上", "month", 5000, None, open_ended=False),  # flag error
    ])
    result = score(load_rows(path))
    assert (result["rows"], result["exact"], result["false claim"], result["miss"], result["flag error"]) == (
        7, 2, 3, 1, 1)
    assert [item["line"] for item in result["wrong"]] == [3, 4, 5, 6, 7]
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "exact 2 (28.6%)  false claims 3  misses 1  flag errors 1" in out
    assert "line 6 miss: '面议'" in out


def test_the_scorer_names_a_malformed_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "200元/天", "unit": "day", "low": 200, "high": 200}\n{"unit": "day"}\n',
                    encoding="utf-8")
    with pytest.raises(SystemExit, match=r"bad.jsonl:2"):
        load_rows(path)


def _reading(text: str, context: str = "") -> tuple[object, ...]:
    pay = parse_pay(text, context)
    return (pay.unit, pay.low, pay.high, pay.open_ended)


@pytest.mark.parametrize(("text", "expected"), [
    ("週薪1000元", ("week", 1000, 1000, False)),          # 週 is 周, not a month
    ("週薪１０００元", ("week", 1000, 1000, False)),        # and full-width digits
    ("時薪25元", ("hour", 25, 25, False)),
    ("時薪２５元／小時", ("hour", 25, 25, False)),
    ("月薪1.2萬元", ("month", 12000, 12000, False)),
    ("月薪8千至1萬", ("month", 8000, 10000, False)),
    ("年薪10萬", ("year", 100000, 100000, False)),
    ("薪資4000元／月", ("month", 4000, 4000, False)),
    ("日薪２００元，當天結", ("day", 200, 200, False)),
    ("計件，每件0.5元", ("piece", 0.5, 0.5, False)),
    ("薪資面議", (None, None, None, False)),
])
def test_traditional_characters_and_full_width_forms_read_as_simplified(text: str, expected: tuple) -> None:
    assert _reading(text) == expected
    assert parse_pay(text) == parse_pay(to_simplified(unicodedata.normalize("NFKC", text)))


@pytest.mark.parametrize(("text", "low", "high", "open_ended"), [
    ("3000元以下", None, 3000, False),                    # an upper bound only: not open-ended
    ("最高可达8000元/月", None, 8000, False),
    ("月薪不超过3500元", None, 3500, False),
    ("不高于5000元/月", None, 5000, False),
    ("Up to 8,000 yuan a month", None, 8000, False),
    ("max 6000 per month", None, 6000, False),
    ("5000元以上", 5000, None, True),                     # a lower bound only: the top is open
    ("月薪5000起", 5000, None, True),
    ("不低于5000元/月", 5000, None, True),
    ("保底4000元/月", 4000, None, True),
    ("5000+", 5000, None, True),
])
def test_only_an_open_top_is_open_ended(text: str, low: float | None, high: float | None,
                                        open_ended: bool) -> None:
    assert _reading(text) == ("month", low, high, open_ended)


@pytest.mark.parametrize(("text", "expected"), [
    ("底薪2200元，加班费另计", ("month", 2200, None, True)),       # a base pay with more on top
    ("底薪3000元+提成", ("month", 3000, None, True)),
    ("基本工资2500元，绩效另算", ("month", 2500, None, True)),
    ("基本工资2800元/月，计件另计", ("month", 2800, None, True)),
    ("底薪3000元，包吃住，无加班", ("month", 3000, 3000, False)),   # nothing on top: the base is the pay
    ("基本工资2500元/月+加班费，综合4500-6000元/月", ("month", 4500, 6000, False)),  # the 综合 figure wins
    ("底薪2000，综合工资5000-7000元", ("month", 5000, 7000, False)),
    ("底薪2000元/月，综合收入6000元/月左右", ("month", 6000, 6000, False)),
    ("綜合薪資5000-6500元/月，底薪2500元/月", ("month", 5000, 6500, False)),
])
def test_a_base_pay_is_open_at_the_top_and_an_overall_figure_is_the_pay(text: str, expected: tuple) -> None:
    assert _reading(text) == expected


@pytest.mark.parametrize("text", ["每工220元", "一个工220元", "每个工220元", "220元/工日", "每工日220元",
                                  "点工，每工220元，包午饭"])
def test_a_workday_word_is_a_day_rate(text: str) -> None:
    assert parse_pay(text) == Pay("day", 220, 220, monthly_low=220 * DAYS_PER_MONTH,
                                  monthly_high=220 * DAYS_PER_MONTH)


@pytest.mark.parametrize("text", ["按件计酬", "计件工资，多劳多得", "按斤计酬", "计件制，多劳多得",
                                  "計件工資", "Paid per piece"])
def test_piece_pay_with_no_figure_is_a_piece_rate_with_no_figures(text: str) -> None:
    assert parse_pay(text) == PIECE_RATE
    assert parse_wage(text) == (None, None)


@pytest.mark.parametrize("text", ["不计件", "不计件，固定工资", "非计件岗位", "不按件计酬"])
def test_saying_it_is_not_piece_pay_claims_no_piece_rate(text: str) -> None:
    assert parse_pay(text) == NO_PAY


@pytest.mark.parametrize(("text", "figure"), [
    ("包装计件：每包0.2元", 0.2), ("每件0.5元", 0.5), ("每箱1.5元", 1.5), ("按斤计酬，每斤3元", 3),
    ("每个0.8元", 0.8), ("2元/包", 2), ("0.35元/件", 0.35), ("每公斤1.2元", 1.2), ("每双0.6元，计件", 0.6),
])
def test_a_measure_word_beside_the_figure_makes_a_piece_rate(text: str, figure: float) -> None:
    assert parse_pay(text) == Pay("piece", figure, figure)


@pytest.mark.parametrize("text", [
    "小工 200元/天，大工 350元/天",           # two roles
    "男工180元/天，女工150元/天",
    "普工4500元/月，技工6500元/月",
    "试用期3000元/月，转正4000元/月",          # two periods of the job
    "小工月入4000元，大工月入6000元",
    "日结150元或月结4000元",                    # two units (as before)
])
def test_two_different_rates_of_one_unit_claim_nothing(text: str) -> None:
    assert parse_pay(text) == NO_PAY


@pytest.mark.parametrize(("text", "expected"), [
    ("3500元/月-4500元/月", ("month", 3500, 4500, False)),        # one range written with its unit twice
    ("月薪5000元（5000元/月）", ("month", 5000, 5000, False)),     # one figure said twice
    ("200元/天，加班费30元/天", ("day", 200, 200, False)),         # an extra is no second rate
    ("4000元/月，全勤奖200元/月", ("month", 4000, 4000, False)),
])
def test_one_rate_said_twice_or_with_extras_is_still_read(text: str, expected: tuple) -> None:
    assert _reading(text) == expected


BLIND_TABLE = Path(__file__).parent / "data" / "pay_table_blind.jsonl"


def test_the_blind_table_reads_with_no_false_claim() -> None:
    """A table written blind: a helper who never saw this code or its dev table wrote 248 real-style
    pay strings and their readings from the grading rules alone. Scored once before anyone looked at
    its failures, the reader got 93.5% exact with 4 false claims (and 4 flag errors); the failures were
    then fixed as classes (Traditional characters, upper bounds, base pay plus extras, workday words,
    piece rates, two rates for two roles), and the table became this test. No row is excluded."""
    result = score(load_rows(BLIND_TABLE))
    assert result["rows"] == 248
    assert result["false claim"] == 0, result["wrong"]
    assert result["flag error"] == 0, result["wrong"]
    assert result["accuracy"] >= 0.98, result["wrong"]
