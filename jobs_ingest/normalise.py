"""Pure normalisation of the messy fields real postings carry: pay, dates, type, housing, text.

Pay rule (documented in README): every amount becomes CNY per month. 元/天 and 日结 × 26
working days, 元/小时 and 时薪 × 208 hours, 元/周 × 4.33, 年薪 ÷ 12; "K"/"千" × 1,000 and
"万" × 10,000; "X以上" gives a minimum only and "X以下" a maximum only; 面议, 计件 and other
text without a figure give no numbers. The original text is always kept beside the numbers.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from jobs_ingest.text import html_to_text, tidy

DAYS_PER_MONTH = 26
HOURS_PER_MONTH = 208
WEEKS_PER_MONTH = 4.33

_NUMBER = r"(\d+(?:\.\d+)?)\s*([kK千wW万]?)"
_RANGE = re.compile(_NUMBER + r"\s*(?:-|~|～|—|–|至|到)\s*" + _NUMBER)
_SINGLE = re.compile(_NUMBER)
_SCALE = {"": 1, "k": 1000, "K": 1000, "千": 1000, "w": 10000, "W": 10000, "万": 10000}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _per_month_factor(text: str) -> float:
    # "120元一天", "20元每小时": the unit written out right after 元 is as common as the
    # slash (but "每天工作8小时" elsewhere in the text says nothing about pay).
    if re.search(r"年薪|/年|元\s*[一每]\s*年|per year|annual", text, re.I):
        return 1 / 12
    if re.search(r"时薪|/小时|元\s*[一每]\s*小时|元/时|/h\b|per hour|hourly", text, re.I):
        return HOURS_PER_MONTH
    if re.search(r"日结|日薪|/天|元\s*[一每]\s*天|元/日|/日|per day|daily", text, re.I):
        return DAYS_PER_MONTH
    if re.search(r"周薪|/周|元\s*[一每]\s*周|per week|weekly", text, re.I):
        return WEEKS_PER_MONTH
    return 1


def parse_wage(text: str | None) -> tuple[int | None, int | None]:
    """Parse pay text to (min, max) CNY per month; (None, None) when it states no figure."""
    folded = _fold(text or "")
    if not folded or re.search(r"面议|待遇从优|计件(?!.*\d)|negotiable", folded, re.I):
        return None, None
    factor = _per_month_factor(folded)
    match = _RANGE.search(folded)
    if match:
        # "5-8千": the unit written once applies to both ends.
        high_scale = _SCALE[match.group(4)]
        low_scale = _SCALE[match.group(2)] if match.group(2) else high_scale
        low = float(match.group(1)) * low_scale
        high = float(match.group(3)) * high_scale
        low, high = sorted((low, high))
        return _plausible(low * factor), _plausible(high * factor)
    match = _SINGLE.search(folded)
    if not match:
        return None, None
    amount = _plausible(float(match.group(1)) * _SCALE[match.group(2)] * factor)
    if re.search(r"以下|以内|最高|up to", folded, re.I):
        return None, amount
    if re.search(r"以上|起|不低于|至少|from|\+", folded, re.I):
        return amount, None
    return amount, amount


# schema.org unitText values and the UN/CEFACT unitCode ones, as the pay rule's units.
_SALARY_UNITS = {"HOUR": "/小时", "HUR": "/小时", "DAY": "/天", "WEEK": "/周", "WEE": "/周",
                 "MONTH": "/月", "MON": "/月", "YEAR": "/年", "ANN": "/年"}


def parse_base_salary(value: Any, currency: str | None = None) -> tuple[int | None, int | None, str]:
    """(min, max, text) from a schema.org baseSalary: a number, MonetaryAmount or QuantitativeValue.

    The amounts go through the same rule as parse_wage (the text is written so that it does).
    Other currencies keep their text but give no numbers: converting needs a rate we do not have.
    """
    if isinstance(value, list):
        value = value[0] if value else None
    outer = value if isinstance(value, dict) else {"value": value}
    inner = outer.get("value")
    inner = inner if isinstance(inner, dict) else {"value": inner}
    cur = str(outer.get("currency") or inner.get("currency") or currency or "CNY").strip().upper()
    unit_name = str(inner.get("unitText") or outer.get("unitText") or inner.get("unitCode") or "")
    unit = _SALARY_UNITS.get(unit_name.strip().upper(), "")  # no unit: a month, as in parse_wage
    low = _amount(inner.get("minValue", outer.get("minValue")))
    high = _amount(inner.get("maxValue", outer.get("maxValue")))
    single = _amount(inner.get("value"))
    if single is None and low is None and high is None:
        free = inner.get("value")
        text = clean_text(str(free), limit=200) if isinstance(free, str) else ""
        return (*parse_wage(text), text) if cur == "CNY" else (None, None, text)
    text = _salary_text(low, high, single, "元" if cur == "CNY" else f" {cur}", unit)
    return (*parse_wage(text), text) if cur == "CNY" else (None, None, text)


def _amount(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value if isinstance(value, int | float) else str(value).replace(",", "").strip())
    except (ValueError, OverflowError):
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _figure(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _salary_text(low: float | None, high: float | None, single: float | None, cur: str, unit: str) -> str:
    if low is not None and high is not None:
        return f"{_figure(low)}-{_figure(high)}{cur}{unit}"
    if low is not None:
        return f"{_figure(low)}{cur}{unit}以上"
    if high is not None:
        return f"{_figure(high)}{cur}{unit}以下"
    assert single is not None
    return f"{_figure(single)}{cur}{unit}"


def _plausible(monthly: float) -> int | None:
    """Round to whole yuan; figures no monthly wage can be (below 100 or above 1,000,000) drop."""
    value = int(round(monthly))
    return value if 100 <= value <= 1_000_000 else None


_DATE_FORMS = (
    re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})$"),
)
_EXCEL_EPOCH = date(1899, 12, 30)


def parse_date(text: str | None, today: date) -> date | None:
    """Parse ISO, 2027/3/31, 2027年3月31日, Excel serials and 3天前/昨天/今天; None if none."""
    folded = _fold(str(text) if text is not None else "")
    if not folded or re.search(r"长期|不限|open", folded, re.I):
        return None
    for form in _DATE_FORMS:
        match = form.search(folded)
        if match:
            try:
                return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
            except ValueError:
                return None
    if re.fullmatch(r"\d{5}(?:\.\d+)?", folded):
        return _EXCEL_EPOCH + timedelta(days=int(float(folded)))
    relative = re.fullmatch(r"(\d+)\s*(天|周|个月|小时|分钟)前", folded)
    if relative:
        n = int(relative.group(1))
        unit = relative.group(2)
        days = {"天": n, "周": 7 * n, "个月": 30 * n}.get(unit, 0)
        return today - timedelta(days=days)
    return {"今天": today, "刚刚": today, "昨天": today - timedelta(days=1),
            "前天": today - timedelta(days=2)}.get(folded)


CHINA_TIME = timezone(timedelta(hours=8), "CST")


def parse_datetime(value: Any) -> datetime | None:
    """An aware UTC datetime from ISO text, RFC 822, epoch seconds/millis or a datetime; else None.

    Times without a zone are China Standard Time (UTC+8, no daylight saving): that is what
    Chinese sources mean when they leave it out.
    """
    moment: datetime | None
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        moment = _from_epoch(float(value))
    else:
        moment = _parse_datetime_text(_fold(str(value or "")))
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=CHINA_TIME)
    return moment.astimezone(UTC)


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds, as JavaScript-backed APIs send them
        seconds /= 1000
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def _parse_datetime_text(text: str) -> datetime | None:
    if not text:
        return None
    if re.fullmatch(r"\d{10}(?:\d{3})?(?:\.\d+)?", text):
        return _from_epoch(float(text))
    iso = re.sub(r"^(\d{4})[/.](\d{1,2})[/.](\d{1,2})", r"\1-\2-\3", text).replace("Z", "+00:00")
    iso = re.sub(r"^(\d{4})-(\d)(?=-)", r"\1-0\2", iso)
    iso = re.sub(r"^(\d{4}-\d{2})-(\d)(?!\d)", r"\1-0\2", iso)
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None


EMPLOYMENT_TYPES = ("full_time", "part_time", "day_labour", "seasonal")
# schema.org employmentType values are matched too: TEMPORARY and PER_DIEM are what 临时工
# and 日结 mean; CONTRACTOR, INTERN, VOLUNTEER and OTHER map to none of the four.
_TYPE_PATTERNS = (
    ("day_labour", r"日结|临时工|零工|day labou?r|daily|per[_ ]diem|temporary"),
    ("seasonal", r"季节|采摘季|农忙|seasonal"),
    ("part_time", r"兼职|小时工|part[-_ ]?time"),
    ("full_time", r"全职|长期|正式|full[-_ ]?time"),
)


def parse_employment_type(*texts: str | None) -> str | None:
    """Map 全职/兼职/日结/季节工, English or schema.org values to one of EMPLOYMENT_TYPES."""
    joined = " ".join(_fold(t or "") for t in texts)
    for value, pattern in _TYPE_PATTERNS:
        if re.search(pattern, joined, re.I):
            return value
    return None


def parse_housing(*texts: str | None) -> tuple[bool, bool]:
    """(housing, meals) from benefit text: 包吃住, 包住, 提供宿舍, 包吃, 免费工作餐 …"""
    joined = " ".join(_fold(t or "") for t in texts)
    if re.search(r"不包住|不提供(?:住宿|宿舍)|无宿舍", joined):
        housing = False
    else:
        housing = bool(re.search(r"包吃住|包食宿|包住|提供(?:住宿|宿舍)|免费住宿|员工宿舍|"
                                 r"住宿|dormitory|accommodation|housing", joined, re.I))
    if re.search(r"不包吃|不包餐", joined):
        meals = False
    else:
        meals = bool(re.search(r"包吃|包食宿|包[一二三早午晚]餐|管饭|管吃|供餐|工作餐|食堂|meals",
                               joined, re.I))
    return housing, meals


def parse_headcount(text: str | None) -> int | None:
    """"10人", "招2名", "5" -> the number; "若干" or nothing -> None."""
    match = re.search(r"(\d{1,5})", _fold(str(text) if text is not None else ""))
    return int(match.group(1)) if match else None


def clean_text(text: str | None, limit: int = 5000) -> str:
    """Turn possibly-HTML text into plain, safe text (nh3): no tag, script or handler survives."""
    return tidy(html_to_text(str(text) if text is not None else ""), limit)
