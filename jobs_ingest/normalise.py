"""Pure normalisation of the messy fields real postings carry: pay, dates, type, housing, text.

Pay rule (documented in README): every amount becomes CNY per month, by the unit written next
to the figure, in Chinese or English (pay_unit): a day (元/天, 日结, 日薪, yuan/day, per day,
daily …) × 26 working days, an hour (元/小时, 时薪, /hour, /hr, hourly …) × 208 hours, a week
× 4.33, a year (年薪, per year, annual …) ÷ 12, a month (月薪, 元/月, RMB/月, a month, monthly …)
as it is. "K"/"千" × 1,000 and "万" × 10,000; "X以上"/"起" gives a minimum only and "X以下" a
maximum only. A figure with no unit is a month's pay, except when the pay text names a unit
elsewhere (that one, or none if it names two) or the posting says it is day labour (日结, 零工,
临时工, day labour …): then no numbers. 面议, piece rates (计件, 元/件, per piece) and text
without a figure give no numbers. The original text is always kept beside the numbers.
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
MIN_BARE_MONTHLY = 1000  # a figure with no unit below this is no month's pay
# Months per unit of a pay figure; a piece rate has no monthly equivalent (None).
_PER_MONTH: dict[str, float | None] = {
    "month": 1, "bare month": 1, "day": DAYS_PER_MONTH, "hour": HOURS_PER_MONTH,
    "week": WEEKS_PER_MONTH, "year": 1 / 12, "piece": None,
}

_NUMBER = r"(\d+(?:\.\d+)?)\s*([kK千wW万]?)"
_FIGURE = re.compile(_NUMBER + r"(?:\s*(?:-|~|～|—|–|至|到|to)\s*" + _NUMBER + ")?", re.I)
_SCALE = {"": 1, "k": 1000, "K": 1000, "千": 1000, "w": 10000, "W": 10000, "万": 10000}
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d.])")
# A figure right before one of these counts hours, days, people …, not money ("每天8小时").
_NOT_MONEY = re.compile(r"\s*(?:个|多)?(?:小时|钟头|天|日(?![结薪])|周|星期|月(?![结薪])|年(?!薪)|"
                        r"岁|人|名|点|号|[:：]\d|"
                        r"h(?:ou)?rs?\b|days?\b|weeks?\b|months?\b|years?\b|people\b|persons?\b)", re.I)
_CUR = r"(?:元|块钱?|人民币|rmb|cny|yuan|¥)?"
_CONN = r"(?:/\s*|每\s*|一\s*|(?:per|a|an|each)\s+)"
_QUALIFIER = r"(?:\+|以上|起|左右)?"
# The unit written right after the figure: "230 yuan/day", "120元一天", "5000-6000 RMB/月".
_UNIT_WORDS = {
    "day": r"天|日|工作日|day(?![a-z])",
    "hour": r"小时|个小时|钟头|时|hour(?![a-z])|hr(?![a-z])|h(?![a-z])",
    "week": r"周|星期|week(?![a-z])",
    "month": r"月|个月|month(?![a-z])|mo(?![a-z])",
    "year": r"年|year(?![a-z])|yr(?![a-z])",
    "piece": r"件|piece(?![a-z])|pc(?![a-z])",
}
_UNIT_ADVERBS = {"day": r"日结|日薪|daily|per\s*diem", "hour": r"hourly", "week": r"weekly",
                 "month": r"monthly|月结", "year": r"annually|yearly", "piece": r"计件"}
_SUFFIX = {unit: re.compile(rf"^\s*{_QUALIFIER}\s*{_CUR}\s*{_QUALIFIER}\s*"
                            rf"(?:{_CONN}(?:{words})|{_UNIT_ADVERBS[unit]})", re.I)
           for unit, words in _UNIT_WORDS.items()}
# A rate written out anywhere in the text ("工资150元 包吃住 /天"): a slash or "per" only, since
# "每天工作8小时" and "一个月" say nothing about the pay's unit.
_WRITTEN_RATE = {unit: re.compile(rf"(?:/\s*|per\s+)(?:{words})", re.I)
                 for unit, words in _UNIT_WORDS.items()}
# Words naming the unit before the figure, anywhere earlier in its sentence ("日结，150元").
_PREFIX_WORDS = {
    "day": r"日工资|日薪|日结|按天|daily|per\s*diem",
    "hour": r"时薪|小时工资|按小时|hourly",
    "week": r"周薪|weekly",
    "month": r"月薪|月工资|月入|月收入|月综合|monthly",
    "year": r"年薪|年收入|annual|yearly",
    "piece": r"计件|piece[- ]?rate|per\s+piece",
}
_PREFIX = re.compile("|".join(f"(?P<{unit}>{words})" for unit, words in _PREFIX_WORDS.items()), re.I)
# "每天150元", "per day: 230": a unit written just before the figure.
_JUST_BEFORE = {"day": r"每天|一天|per\s+day", "hour": r"每小时|per\s+hour", "week": r"每周",
                "month": r"每月|每个月|per\s+month", "year": r"每年|per\s+year", "piece": r"每件"}
_JUST_BEFORE_RE = {unit: re.compile(rf"(?:{words})\s*[:：]?\s*{_CUR}\s*$", re.I)
                   for unit, words in _JUST_BEFORE.items()}
_SENTENCE_END = re.compile(r"[。；;!?！？\n]|\.\s")
# A bare figure on a day-labour posting is not a month's pay ("零工 … 130元").
DAY_LABOUR_MONTHLY_FROM = 3000
_DAY_LABOUR = re.compile(r"日结|零工|临时工|按天|日工资|日薪|day[- ]labou?r|daily\s+(?:pay|wage)|per\s*diem",
                         re.I)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def _money_figure(text: str) -> re.Match[str] | None:
    """The first figure (or range) in the text that is not a count of hours, days or people."""
    for match in _FIGURE.finditer(text):
        if not _NOT_MONEY.match(text, match.end()):
            return match
    return None


def _adjacent_unit(text: str, match: re.Match[str]) -> str | None:
    """The unit written next to the figure: right after it, just before it, or earlier in its sentence."""
    after = text[match.end():]
    for unit, pattern in _SUFFIX.items():
        if pattern.match(after):
            return unit
    before = text[:match.start()]
    for unit, pattern in _JUST_BEFORE_RE.items():
        if pattern.search(before):
            return unit
    sentence = _SENTENCE_END.split(before)[-1]
    found = [m.lastgroup for m in _PREFIX.finditer(sentence)]
    return found[-1] if found else None


def _text_units(text: str) -> set[str]:
    """Every unit the text names anywhere, as a prefix word or a written-out rate ("/天", "per day")."""
    units = {m.lastgroup for m in _PREFIX.finditer(text) if m.lastgroup}
    units.update(unit for unit, pattern in _WRITTEN_RATE.items() if pattern.search(text))
    return units


def pay_unit(text: str | None, context: str = "") -> str | None:
    """The unit of the text's pay figure: month, day, hour, week, year or piece; None if unclear.

    A figure with no unit is a month's pay, unless the pay text names another unit
    elsewhere (two units is unclear) or the posting (``context``: title, type, description) is
    day labour.
    """
    folded = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), _fold(text or ""))
    match = _money_figure(folded)
    unit = _unit(folded, match, context) if match else None
    return "month" if unit == "bare month" else None if unit == "bare day labour" else unit


def _unit(folded: str, match: re.Match[str], context: str) -> str | None:
    unit = _adjacent_unit(folded, match)
    if unit:
        return unit
    named = _text_units(folded)
    if len(named) == 1:
        return named.pop()
    if named:
        return None
    return "bare day labour" if _DAY_LABOUR.search(f"{folded} {_fold(context)}") else "bare month"


def parse_wage(text: str | None, context: str = "") -> tuple[int | None, int | None]:
    """Parse pay text to (min, max) CNY per month; (None, None) when it states no figure.

    ``context`` is the rest of the posting (title, description): a figure without a unit on a
    day-labour posting gives no monthly numbers, nor does one under 1,000 without a unit ("130元").
    """
    folded = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), _fold(text or ""))
    if not folded or re.search(r"面议|待遇从优|计件(?!.*\d)|negotiable", folded, re.I):
        return None, None
    match = _money_figure(folded)
    unit = _unit(folded, match, context) if match else None
    if match is not None and unit == "bare day labour":
        # A day-labour posting's bare figure: 3,000 and up can only be a month's pay; below
        # that it may be a day's, so no monthly figure is claimed (the text is still shown).
        unit = "bare month" if _figures(match)[0] >= DAY_LABOUR_MONTHLY_FROM else None
    factor = _PER_MONTH.get(unit or "")
    if match is None or factor is None:
        return None, None
    low, high = _figures(match)
    if unit == "bare month" and high < MIN_BARE_MONTHLY:
        return None, None  # "130元" is a day's pay, not a month's
    if low != high:
        return _plausible(low * factor), _plausible(high * factor)
    return _bounds(folded, _plausible(low * factor))


def _figures(match: re.Match[str]) -> tuple[float, float]:
    """(low, high) of a figure or range; "5-8千": the unit written once applies to both ends."""
    if not match.group(3):
        single = float(match.group(1)) * _SCALE[match.group(2)]
        return single, single
    high_scale = _SCALE[match.group(4)]
    low = float(match.group(1)) * (_SCALE[match.group(2)] if match.group(2) else high_scale)
    high = float(match.group(3)) * high_scale
    low, high = sorted((low, high))
    return low, high


def _bounds(text: str, amount: int | None) -> tuple[int | None, int | None]:
    """One figure as a minimum ("以上", "起"), a maximum ("最高", "以下") or both ends."""
    if re.search(r"以下|以内|最高|up to|at most|no more than", text, re.I):
        return None, amount
    if re.search(r"以上|起|不低于|至少|from|at least|or more|and above|\+", text, re.I):
        return amount, None
    return amount, amount


# schema.org unitText values and the UN/CEFACT unitCode ones, as the pay rule's units.
_SALARY_UNITS = {"HOUR": "/小时", "HUR": "/小时", "DAY": "/天", "WEEK": "/周", "WEE": "/周",
                 "MONTH": "/月", "MON": "/月", "YEAR": "/年", "ANN": "/年"}


def parse_base_salary(value: Any, currency: str | None = None,
                      context: str = "") -> tuple[int | None, int | None, str]:
    """(min, max, text) from a schema.org baseSalary: a number, MonetaryAmount or QuantitativeValue.

    The amounts go through the same rule as parse_wage (the text is written so that it does).
    Other currencies keep their text but give no numbers: converting needs a rate we do not have.
    ``context`` is the rest of the posting, as for parse_wage.
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
        return (*parse_wage(text, context), text) if cur == "CNY" else (None, None, text)
    text = _salary_text(low, high, single, "元" if cur == "CNY" else f" {cur}", unit)
    return (*parse_wage(text, context), text) if cur == "CNY" else (None, None, text)


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
