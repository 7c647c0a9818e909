"""Pure normalisation of the messy fields real postings carry: pay, dates, type, housing, text.

Pay rule (documented in README): every amount becomes CNY per month. 元/天 and 日结 × 26
working days, 元/小时 and 时薪 × 208 hours, 元/周 × 4.33, 年薪 ÷ 12; "K"/"千" × 1,000 and
"万" × 10,000; "X以上" gives a minimum only and "X以下" a maximum only; 面议, 计件 and other
text without a figure give no numbers. The original text is always kept beside the numbers.
"""

from __future__ import annotations

import html
import re
import unicodedata
from datetime import date, timedelta

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
    if re.search(r"年薪|/年|元/年|per year|annual", text, re.I):
        return 1 / 12
    if re.search(r"时薪|/小时|元/时|/h\b|per hour|hourly", text, re.I):
        return HOURS_PER_MONTH
    if re.search(r"日结|日薪|/天|元/日|/日|per day|daily", text, re.I):
        return DAYS_PER_MONTH
    if re.search(r"周薪|/周|per week|weekly", text, re.I):
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


EMPLOYMENT_TYPES = ("full_time", "part_time", "day_labour", "seasonal")
_TYPE_PATTERNS = (
    ("day_labour", r"日结|临时工|零工|day labou?r|daily"),
    ("seasonal", r"季节|采摘季|农忙|seasonal"),
    ("part_time", r"兼职|小时工|part[- ]?time"),
    ("full_time", r"全职|长期|正式|full[- ]?time"),
)


def parse_employment_type(*texts: str | None) -> str | None:
    """Map 全职/兼职/日结/季节工 (or English) to full_time, part_time, day_labour, seasonal."""
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
        meals = bool(re.search(r"包吃|包食宿|包三餐|工作餐|食堂|meals", joined, re.I))
    return housing, meals


def parse_headcount(text: str | None) -> int | None:
    """"10人", "招2名", "5" -> the number; "若干" or nothing -> None."""
    match = re.search(r"(\d{1,5})", _fold(str(text) if text is not None else ""))
    return int(match.group(1)) if match else None


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\u3000]+")


def clean_text(text: str | None, limit: int = 5000) -> str:
    """Turn possibly-HTML text into plain, safe text: tags and scripts removed, entities decoded."""
    raw = str(text or "")
    raw = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", raw, flags=re.I | re.S)
    plain = html.unescape(_TAG.sub(" ", raw))
    plain = unicodedata.normalize("NFKC", plain)
    lines = [_SPACE.sub(" ", line).strip() for line in plain.splitlines()]
    return "\n".join(line for line in lines if line)[:limit]
