"""Fields pulled out of free text (feed items): labelled parts first, then telling phrases.

Bureau feeds put everything in a title and a paragraph: "工作地点：榕江县古州镇；月薪4000-6000元；
招聘5人；截止日期：2027年3月31日". Labelled parts are reliable; without a label we take the first
phrase that the normaliser can read (a figure with a pay word, a county-like name), and leave the
field empty otherwise: an empty field is better than a guessed one.
"""

from __future__ import annotations

import re
import unicodedata

from jobs_ingest.normalise import parse_wage

_PART_END = r"[；;。\n|]|\s{2,}|$"
_LABELS = {
    "place_text": ("工作地点", "工作地址", "上班地点", "地点", "地址", "work location", "location"),
    "pay_text": ("薪资待遇", "工资待遇", "薪酬待遇", "薪资", "工资", "薪酬", "月薪", "待遇", "salary", "pay"),
    "employer": ("招聘单位", "用人单位", "单位名称", "企业名称", "公司名称", "employer", "company"),
    "valid_through_text": ("截止日期", "截止时间", "报名截止", "有效期至", "有效期", "deadline"),
    "headcount_text": ("招聘人数", "需求人数", "人数"),
    "benefits_text": ("福利待遇", "福利"),
    "type_text": ("用工形式", "工作性质", "岗位类型"),
}
_PAY_PHRASE = re.compile(r"[^\d，,；;。\n\s]{0,6}\d[\d.]*\s*[kK千万wW]?"
                         r"\s*(?:[-~～至到]\s*\d[\d.]*\s*[kK千万wW]?)?"
                         r"\s*(?:元|块)(?:\s*(?:/|每)\s*(?:月|天|日|小时|时|周|年))?(?:以上|以下|左右|起)?")
_K_RANGE = re.compile(r"\d+(?:\.\d+)?\s*[kK千]\s*[-~～至到]\s*\d+(?:\.\d+)?\s*[kK千]")
_PLACE_PHRASE = re.compile(r"(?:[\u4e00-\u9fff]{2,9}?(?:省|自治区|市|自治州|州|地区|盟|县|区|旗)){1,3}")
_HEADCOUNT = re.compile(r"(?:招聘?|需|急招)?\s*(\d{1,4})\s*(?:名|人|位)")
_DATE = r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)"
_DEADLINE = re.compile(r"(?:截止|有效期至|报名至|止于)[^\d]{0,6}" + _DATE
                       + r"|" + _DATE + r"\s*(?:前|截止|止)")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def labelled(text: str, labels: tuple[str, ...]) -> str:
    """The value after the first of ``labels`` followed by a colon, up to the end of its part."""
    folded = _fold(text)
    for label in labels:
        match = re.search(re.escape(label) + r"\s*[:：]\s*(.+?)(?:" + _PART_END + ")", folded, re.I)
        if match and match.group(1).strip():
            return match.group(1).strip()
    return ""


def pay_phrase(text: str) -> str:
    """The first phrase with a figure and 元 (or "4k-6k") that parse_wage reads, or 面议."""
    folded = _fold(text)
    for match in [*_PAY_PHRASE.finditer(folded), *_K_RANGE.finditer(folded)]:
        phrase = match.group(0).strip(" ：:")
        if parse_wage(phrase) != (None, None):
            return phrase
    return "面议" if "面议" in folded else ""


def place_phrase(text: str) -> str:
    """The first run of administrative names ("贵州省黔东南州榕江县") in the text, if any."""
    match = _PLACE_PHRASE.search(_fold(text))
    return match.group(0) if match else ""


def deadline_phrase(text: str) -> str:
    """A date written as a deadline ("截止2027年3月31日", "2027-03-31前"), if any."""
    match = _DEADLINE.search(_fold(text))
    if not match:
        return ""
    return re.sub(r"\s+", "", match.group(1) or match.group(2))


def extract_fields(title: str, body: str) -> dict[str, str]:
    """Standard fields found in a feed item's title and plain-text body."""
    text = f"{title}\n{body}"
    found = {field: labelled(text, labels) for field, labels in _LABELS.items()}
    if not found["pay_text"] or parse_wage(found["pay_text"]) == (None, None):
        found["pay_text"] = pay_phrase(text) or found["pay_text"]
    found["place_text"] = found["place_text"] or place_phrase(title) or place_phrase(body)
    found["valid_through_text"] = found["valid_through_text"] or deadline_phrase(text)
    if not found["headcount_text"]:
        match = _HEADCOUNT.search(_fold(text))
        found["headcount_text"] = match.group(0) if match else ""
    return {k: v for k, v in found.items() if v}
