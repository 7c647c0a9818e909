"""Pure normalisation of the messy fields real postings carry: pay, dates, type, housing, text.

Pay lives in ``jobs_ingest.pay`` (the rule is its docstring); its public names are importable
from here too, as they always were.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from jobs_ingest.pay import (  # noqa: F401 (re-exported: the pay rule's old home)
    DAY_LABOUR_MONTHLY_FROM,
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    MIN_BARE_MONTHLY,
    WEEKS_PER_MONTH,
    Pay,
    parse_base_salary,
    parse_pay,
    parse_wage,
    pay_unit,
)
from jobs_ingest.text import html_to_text, tidy


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


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
    """Turn possibly-HTML text into plain, safe text (nh3): no tag, script or handler survives.

    Repeated until nothing changes: folding and dropping control characters can make markup
    of what was not ("<\x1f?" → "<?", "＜script＞" → "<script>"); each pass only removes
    characters or undoes one level of escaping, so it ends. A result with no "<" and no "&"
    holds neither markup nor an escape, so it is final after one pass (the usual case)."""
    cleaned = tidy(html_to_text(str(text) if text is not None else ""), limit)
    while "<" in cleaned or "&" in cleaned:
        again = tidy(html_to_text(cleaned), limit)
        if again == cleaned:
            break
        cleaned = again
    return cleaned
