"""Chinese numerals in pay text: converted where they hold 百/千/万, left alone everywhere else."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs_ingest.numerals import arabic_numerals
from jobs_ingest.pay import parse_pay

_DIGITS = "零一二三四五六七八九"


def chinese(number: int, two: bool = False) -> str:
    """The full written form of 100 ≤ number < 100,000 ("一千零五十", "两万三千")."""
    out, zero, started = "", False, False
    for value, name in ((10000, "万"), (1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit == 0:
            zero = zero or started
            continue
        if zero:
            out, zero = out + "零", False
        word = "两" if two and digit == 2 and name in "百千万" and name else _DIGITS[digit]
        out, started = out + word + name, True
    return out


@given(st.integers(100, 99_999), st.booleans())
def test_any_written_number_reads_back(number: int, two: bool) -> None:
    assert arabic_numerals(chinese(number, two)) == str(number)


@given(st.integers(1000, 50_000))
def test_a_monthly_pay_in_words_is_read(number: int) -> None:
    pay = parse_pay(f"月薪{chinese(number)}元")
    assert (pay.unit, pay.low, pay.high, pay.monthly_low) == ("month", number, number, number)


@pytest.mark.parametrize(("text", "expected"), [
    ("月薪三千五", "月薪3500"),          # a last digit after a power is one power down
    ("一万二", "12000"),
    ("四五千", "4000-5000"),             # neighbouring digits: a range
    ("七八千一个月", "7000-8000一个月"),  # 一 before 个月 counts the month
    ("一百五一天", "150一天"),
    ("月入过万", "月入1万以上"),
    ("五险一金", "五险一金"),            # no 百/千/万: as written
    ("万一下雨", "万一下雨"),            # does not start with a digit
    ("千万别迟到", "千万别迟到"),
    ("三班倒，一天", "三班倒，一天"),
    ("第十一", "第十一"),
])
def test_numerals_in_context(text: str, expected: str) -> None:
    assert arabic_numerals(text) == expected
