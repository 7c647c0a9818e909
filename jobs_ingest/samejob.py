"""Whether two postings are the same job: ``same_job(a, b) -> Match(same, why)``.

The same job reaches us many ways: a bureau's JSON-LD page and its RSS feed, two pages of one
source, a row repeated in a sheet, an aggregator's copy, a re-post with small edits. Each
rendering words it differently ("榕江县招聘电焊工5名 月薪4500-6000元" vs "电焊工"), so the
judgment compares what a worker would call the job, field by field:

- title: recruitment noise removed (招聘/急招/高薪, headcounts, pay, bracketed tags, the place
  the posting is at, "某某厂招聘" before the job); the cores must be equal, or one inside the
  other, or share 60% of character pairs;
- employer: 有限公司/股份/集团 and leading place names removed, one inside the other; names
  that differ by a character are different firms (顺达物流, 通达物流); an abbreviation
  (中建三局一 for 中建三局第一建设工程) is no evidence either way, nor is a bureau or a missing
  name; two different branches (白云分公司 vs 番禺分公司) disagree;
- place: the adcodes contain each other (榕江县 within 黔东南州), and at township level the
  乡/镇/街道 named in the place text agree ("鸭溪镇工业园区3号厂房" is still 鸭溪镇);
  a missing township on one side is no disagreement;
- pay: the monthly ranges overlap within 10% (an open "3000以上" reaches up); missing agrees;
- text: character 3-gram Jaccard, or overlap of the shorter text (a truncated copy).

- dates: posted (or valid-until) dates more than half a year apart are two rounds of
  recruiting (this season's 采茶工 and last season's), never one job;

Any disagreement keeps two postings apart (a false merge hides a real job from a worker).
Agreement then needs enough evidence: a near-identical text, or the same title core with the
same employer and place and a second fact (pay or text), and so on (``_enough``). Two texts
that both describe work and share little are two jobs. Two items one source listed under two
ids (``one_source=True``) must repeat each other nearly word for word (``_verbatim``).
The function is symmetric. Measured by ``python -m bench.dedupe FILE.jsonl``.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Protocol

from jobs_ingest.text import to_simplified
from places.gazetteer import default_gazetteer


class Comparable(Protocol):
    """What the judgment reads from a posting (PostingRecord has all of it)."""

    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def employer(self) -> str | None: ...
    @property
    def place_code(self) -> str | None: ...
    @property
    def place_text(self) -> str: ...
    @property
    def wage_min(self) -> int | None: ...
    @property
    def wage_max(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class Match:
    """The verdict on a pair and the reason, in a few words (for logs and the bench)."""

    same: bool
    why: str

    def __bool__(self) -> bool:
        return self.same


_NOISE = re.compile(r"[\W_]+")
_DIGITS = re.compile(r"\d+|[一二三四五六七八九十]+(?=[号分局厂店线区车])")
_THOUSANDS = re.compile(r"(\d+(?:\.\d+)?)[k千]")


def fold(text: str | None) -> str:
    """Text reduced to what matters for matching: NFKC, Simplified, lower case, no 元/spaces/punctuation."""
    folded = to_simplified(unicodedata.normalize("NFKC", text or "")).lower()
    folded = _THOUSANDS.sub(lambda m: str(int(float(m.group(1)) * 1000)), folded)
    return _NOISE.sub("", folded.replace("元", ""))


def shingles(text: str, k: int = 3) -> set[str]:
    """Character k-grams of folded text (the text itself if shorter)."""
    folded = fold(text)
    if len(folded) <= k:
        return {folded} if folded else set()
    return {folded[i : i + k] for i in range(len(folded) - k + 1)}


def _jaccard(a: frozenset[str] | set[str], b: frozenset[str] | set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _contains_either(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a in b or b in a)


# --- titles -------------------------------------------------------------------------------

_BRACKETS = re.compile(r"【([^】]*)】|\[([^\]]*)\]|（([^）]*)）|\(([^)]*)\)|<([^>]*)>|《([^》]*)》")
_PLACE_TAG = re.compile(r"(?:省|市|州|县|区|旗|镇|乡|街道|园区|开发区)$")
_TAG_NOISE = re.compile(
    r"急招|急聘|诚聘|高薪|直招|招聘|聘请|热招|火热|紧急|推荐|置顶|日结|月结|周结|包吃住|包住|包吃|"
    r"五险一金|五险|社保|名额|若干|不限|男女|可兼职|兼职|全职|hot|urgent|new")
_HIRING = re.compile(r"^.*?(?:高薪诚聘|高薪招|急招|急聘|诚聘|直招|招聘|聘请|热招|长期招|大量招|hiring|"
                     r"(?<=[厂司店场社馆院园站队部])招)(?=.)")
_PAY_IN_TITLE = re.compile(
    r"(?:月薪|日薪|时薪|年薪|薪资|工资|待遇|底薪|综合工资|月入|日结)?[:：]?\s*\d[\d.,]*\s*[kK千万wW]?"
    r"(?:\s*[-~～至到]\s*\d[\d.,]*\s*[kK千万wW]?)?\s*(?:元|块|rmb|yuan)\s*(?:/|每|一)?\s*"
    r"(?:月|天|日|小时|时|周|年|个月)?(?:以上|以下|左右|起)?", re.I)
_HEADCOUNT = re.compile(r"(?:招|需|缺)?\s*\d{1,4}\s*(?:名|人|位)|若干名?|数名|多名|"
                        r"\b\d{1,4}\s*(?:people|persons|positions|workers)\b", re.I)
_EN_NOISE = re.compile(r"\b(?:urgent(?:ly)?|hiring|wanted|now|needed|recruit(?:ing|ment)?)\b", re.I)


def title_core(title: str, place_text: str = "") -> tuple[str, str]:
    """(core, qualifier) of a job title: "【急招】榕江县招聘电焊工5名 月薪4500-6000元" → ("电焊工", "").

    The qualifier is what a bracket said beyond noise ("普工（夜班）" → "夜班"): two different
    qualifiers are two different jobs.
    """
    text = to_simplified(unicodedata.normalize("NFKC", title or "")).lower()
    qualifiers = []
    for match in _BRACKETS.finditer(text):
        inner = next(g for g in match.groups() if g is not None)
        rest = fold(_TAG_NOISE.sub("", _PAY_IN_TITLE.sub("", _HEADCOUNT.sub("", inner))))
        if rest and not _PLACE_TAG.search(rest):  # 【鸭溪镇】 is where, said again, not which job
            qualifiers.append(rest)
    text = _BRACKETS.sub(" ", text)
    text = _PAY_IN_TITLE.sub(" ", text)
    text = _HEADCOUNT.sub(" ", text)
    text = _EN_NOISE.sub(" ", text)
    hired = _HIRING.sub("", text)  # "岷县洮河饭店招聘厨师" → "厨师"
    text = hired if fold(hired) else text
    core = fold(_TAG_NOISE.sub("", fold(text)))
    return _drop_place(core, fold(place_text)) or fold(title), "".join(sorted(qualifiers))


def _drop_place(core: str, place: str) -> str:
    """The title without a leading place its posting is at ("榕江县电焊工" at 榕江县古州镇 → "电焊工")."""
    for end in range(len(core) - 2, 1, -1):
        if core[:end] in place:
            return core[end:]
    return core


# --- employers ----------------------------------------------------------------------------

_COMPANY = re.compile(r"(?:股份有限公司|有限责任公司|有限公司|责任公司|集团公司|集团|公司|股份|有限)$")
_BRANCH = re.compile(r"^(.*?(?:有限公司|有限责任公司|公司|集团))(.+?)"
                     r"(?:分公司|分厂|分店|门店|店|营业部|分部|项目部)$")
_LEADING_PLACE = re.compile(r"^(?:[\u4e00-\u9fff]{1,7}?(?:省|自治区|自治州|市|县|区|旗)"
                            r"|[\u4e00-\u9fff]{1,4}州(?![市区县]))+")
_PUBLIC_OFFICE = re.compile(r"人力资源和社会保障|人社局|就业局|就业服务|就业创业|人才市场|零工市场|"
                            r"人力资源市场|公共招聘")


def employer_core(name: str | None) -> tuple[str, str]:
    """(core, branch) of an employer's name: "广州顺丰速运有限公司白云分公司" → ("顺丰速运", "白云").

    A bureau or job fair named as the employer is no employer at all: ("", "").
    """
    folded = fold(name)
    if not folded or _PUBLIC_OFFICE.search(folded):
        return "", ""
    branch = ""
    split = _BRANCH.match(folded)
    if split:
        folded, branch = split.group(1), split.group(2)
    elif folded.endswith("分公司"):
        folded = folded[: -len("分公司")]
    previous = ""
    while folded != previous:  # suffixes stack: 集团有限公司
        folded, previous = _COMPANY.sub("", folded), folded
    core = _LEADING_PLACE.sub("", folded)
    return (core if len(core) >= 2 else folded), _LEADING_PLACE.sub("", branch) or branch


# --- places -------------------------------------------------------------------------------

# A township in a place text: two to four characters and 镇/乡/街道/苏木, right after an
# administrative name (省, 市, 县, 区, 旗, 州 ends it), a space, a separator or the start.
_TOWN_IN_PLACE = re.compile(
    r"(?:(?<=[省市县区旗盟州])|(?<=[\s,，、;；:：(（])|^)"
    r"([^\W\d省市县区旗盟本该各全每][^\W\d省市县区旗盟本该各全每]{1,3}?)(镇|乡|街道|苏木)(?![镇村])")
# In running text ("负责四开乡辖区…") the name's start is unknown: the two characters before
# 乡/镇 (钟落潭镇 is read as 落潭镇; names are compared by their ends), not 城乡, 本镇, 返乡.
_TOWN_IN_TEXT = re.compile(r"(?=([^\W\d本该各全每到在回返去赴往于距离个等和与及或]"
                           r"[^\W\d城下返老家回本全各该每村集小古重乡镇外异同他])(镇|乡)(?![镇村]))")
_NOT_TOWNS = {"乡镇", "城乡", "村镇", "集镇", "小镇", "古镇", "重镇", "城镇", "下乡", "老乡", "家乡", "返乡"}


def townships(text: str | None, in_place: bool = True) -> frozenset[str]:
    """The 乡/镇/街道 named in a place text ("贵州省 遵义市播州区 鸭溪镇工业园区3号厂房" → {"鸭溪镇"}),
    or in running text (``in_place=False``: "负责四开乡辖区" → {"四开乡"})."""
    normal = to_simplified(unicodedata.normalize("NFKC", text or ""))
    pattern = _TOWN_IN_PLACE if in_place else _TOWN_IN_TEXT
    names = (f"{body}{kind}" for body, kind in pattern.findall(normal))
    return frozenset(n for n in names if n not in _NOT_TOWNS and not n.endswith(("城镇", "乡镇", "村镇")))


def _towns_meet(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two sets of township names share one (钟落潭镇 and 落潭镇 are one)."""
    return any(x.endswith(y) or y.endswith(x) for x in a for y in b)


def _place_prefix(code: str | None) -> str | None:
    """The significant part of an adcode: 52 (province), 5226 (city) or 522632 (county)."""
    if not code:
        return None
    for length in (2, 4):
        if set(code[length:]) <= {"0"}:
            return code[:length]
    return code[:6]


# --- text ---------------------------------------------------------------------------------

# Labelled facts a feed or detail page repeats in its text ("用人单位：…；工作地点：…"): compared
# field by field above, they would only make two renderings of one job look alike or apart.
_FACT_LABELS = (r"用人单位|招聘单位|单位名称|企业名称|公司名称|用工单位|工作地点|工作地址|上班地点|地点|"
                r"地址|薪资待遇|工资待遇|薪酬待遇|薪资|工资|月薪|待遇|招聘人数|需求人数|人数|截止日期|"
                r"截止时间|报名截止|有效期至|有效期|联系人|联系电话|联系方式|电话|岗位名称|职位名称|"
                r"招聘岗位|发布日期|发布时间|信息来源|来源")
_TEXT_LABELS = r"岗位要求|岗位职责|任职要求|任职条件|工作内容|岗位描述|职位描述|要求|福利待遇|福利"
_PLACE_LABELS = r"工作地点|工作地址|上班地点|地点|地址"
_NEXT = rf"[；;。\n|,，]|\s*(?:{_FACT_LABELS}|{_TEXT_LABELS})\s*[:：]"
# A value ends at a separator, a comma, the next label, or (but for a place, which may hold
# single spaces) a space: "薪资：1800元/月 负责城区道路清扫" keeps its duty text.
_LABELLED = re.compile(rf"(?:{_PLACE_LABELS})\s*[:：].*?(?={_NEXT}|\s{{2,}}|$)"
                       rf"|(?:{_FACT_LABELS})\s*[:：]\s*\S*?(?={_NEXT}|\s|$)")
_LABEL_ONLY = re.compile(rf"(?:{_TEXT_LABELS})\s*[:：]")


def content(description: str) -> str:
    """A description without the labelled facts it repeats (employer, place, pay, dates, contacts)."""
    normal = unicodedata.normalize("NFKC", description or "")
    return _LABEL_ONLY.sub(" ", _LABELLED.sub(" ", normal))


def _subsequence(short: str, long: str, same_end: bool = True) -> bool:
    """Whether ``short`` may abbreviate ``long`` (仓管员 of 仓库管理员): its characters in order,
    the same first one (two for names: 中建三局一 of 中建三局第一建设工程) and the same last one."""
    if len(short) < 3 or len(short) >= len(long) or short[0] != long[0]:
        return False
    if (short[-1] != long[-1]) if same_end else (short[1] != long[1]):
        return False
    rest = iter(long)
    return all(char in rest for char in short)


# --- the judgment -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Prepared:
    """A posting reduced to what the judgment compares, computed once per posting."""

    title: str
    qualifier: str
    employer: str
    branch: str
    place: str | None
    place_text: str
    township: frozenset[str]
    towns: frozenset[str]
    wage: tuple[float, float] | None
    text: frozenset[str]
    url: str | None
    posted: date | None = None
    valid_through: date | None = None
    body: str = ""  # the description without its labelled facts (where two near-copies differ)


def prepare(posting: Comparable) -> Prepared:
    """What ``same_job`` compares, computed once (the index keeps these)."""
    title, qualifier = title_core(posting.title, posting.place_text)
    employer, branch = employer_core(posting.employer)
    employer = _drop_place(employer, fold(posting.place_text))  # 西吉宏远土石方 at 宁夏西吉县
    low, high = posting.wage_min, posting.wage_max
    wage = None
    if low is not None or high is not None:
        wage = (float(low if low is not None else 0), float(high if high is not None else "inf"))
    description = posting.description or ""
    return Prepared(
        title=title, qualifier=qualifier,
        employer=employer, branch=branch, place=_place_prefix(posting.place_code),
        place_text=fold(posting.place_text), township=townships(posting.place_text),
        towns=townships(description, in_place=False) | townships(posting.place_text),
        wage=wage, text=frozenset(shingles(content(description))), body=content(description),
        url=getattr(posting, "canonical_url", None),
        posted=getattr(posting, "posted_at", None), valid_through=getattr(posting, "valid_through", None),
    )


def _numbers_differ(a: str, b: str) -> bool:
    """Both name numbers, and not the same ones."""
    numbers_a, numbers_b = _DIGITS.findall(a), _DIGITS.findall(b)
    return bool(numbers_a) and bool(numbers_b) and numbers_a != numbers_b


def _title_verdict(a: Prepared, b: Prepared) -> str:
    """"same", "close" or "" (they disagree)."""
    return _titles(a.title, a.qualifier, b.title, b.qualifier)


@lru_cache(maxsize=65_536)  # a batch has few distinct title cores and judges them many times
def _titles(title_a: str, qualifier_a: str, title_b: str, qualifier_b: str) -> str:
    if qualifier_a and qualifier_b and not _contains_either(qualifier_a, qualifier_b):
        return ""
    if title_a == title_b:
        return "same"
    if _numbers_differ(title_a, title_b):  # 2号线操作工, 3号线操作工
        return ""
    if _contains_either(title_a, title_b) or _jaccard(shingles(title_a, 2), shingles(title_b, 2)) >= 0.6:
        return "close"
    if _subsequence(title_a, title_b) or _subsequence(title_b, title_a):
        return "close"
    if _same_words_reordered(title_a, title_b):  # 采摘枸杞 / 枸杞采摘工
        return "close"
    return ""


def _same_words_reordered(a: str, b: str) -> bool:
    """The shorter title's characters (three or more, each once) all appear in the longer, which
    adds at most a 工/员/人 ending: the same words in another order, not another job."""
    short, long = sorted((a, b), key=len)
    if len(short) < 3 or len(set(short)) != len(short) or len(long) - len(short) > 1:
        return False
    extra = set(long) - set(short)
    return set(short) <= set(long) and extra <= {"工", "员", "人"}


def _employer_verdict(a: Prepared, b: Prepared) -> str:
    """"agree", "unknown" or "" (they disagree)."""
    if not (a.employer and b.employer):
        return "unknown"
    if a.branch and b.branch and not _contains_either(a.branch, b.branch):
        return ""
    if _numbers_differ(a.employer, b.employer):  # 第一建筑公司, 第二建筑公司; 测试企业12, 测试企业123
        return ""
    if _contains_either(a.employer, b.employer):
        return "agree"
    # A place written at the end or in the middle (顺丰速运北京大兴 / 大兴顺丰速运, 物业长安 /
    # 长安万科物业服务): the names without their places, if enough is left, one inside the other.
    bare_a, bare_b = _without_places(a.employer), _without_places(b.employer)
    if len(bare_a) >= 2 and len(bare_b) >= 2 and _contains_either(bare_a, bare_b):
        return "agree"
    # An abbreviation (中建三局一 for 中建三局第一建设工程) may be the same firm or a sister firm.
    abbreviated = _subsequence(a.employer, b.employer, False) or _subsequence(b.employer, a.employer, False)
    return "unknown" if abbreviated else ""


def _place_verdict(a: Prepared, b: Prepared) -> str:
    """"township", "agree", "unknown" or "" (they disagree), at township level where both say."""
    if a.place and b.place and not (a.place.startswith(b.place) or b.place.startswith(a.place)):
        return ""
    if a.township and b.township:
        return "township" if _towns_meet(a.township, b.township) else ""
    if a.towns and b.towns and not _towns_meet(a.towns, b.towns):
        return ""
    if a.place and b.place:
        return "agree" if min(len(a.place), len(b.place)) >= 6 else "region"
    if not (a.place or b.place) and _contains_either(a.place_text, b.place_text):
        return "agree"
    return "unknown"


def _pay_verdict(a: Prepared, b: Prepared, slack: float = 0.1) -> str:
    """"agree", "unknown" or "" (the ranges are clearly apart)."""
    if a.wage is None or b.wage is None:
        return "unknown"
    if a.wage[0] <= b.wage[1] * (1 + slack) and b.wage[0] <= a.wage[1] * (1 + slack):
        return "agree"
    return ""


def _text_verdict(a: Prepared, b: Prepared) -> str:
    """"strong", "some", "none" (both say enough and share little) or "unknown"."""
    if not a.text or not b.text:
        return "unknown"
    if a.text == b.text:
        return "strong"  # short, but word for word
    shared = len(a.text & b.text)
    smaller = min(len(a.text), len(b.text))
    jaccard, overlap = shared / len(a.text | b.text), shared / smaller
    if smaller >= 6 and (jaccard >= 0.5 or overlap >= 0.8):
        return "strong"
    if smaller >= 6 and (jaccard >= 0.2 or overlap >= 0.4):
        return "some"
    return "none" if smaller >= 6 else "unknown"


def _places_where_they_differ(a: str, b: str) -> str:
    """Where two near-identical texts differ only in what they name: a labour office's one
    template "组织劳动力赴浙江义乌务工" and "…赴江苏苏州吴中务工" are two jobs. The places (counties,
    cities, provinces) named in the differing spans of each side, when neither side's lies within
    the other's; "" when they do not disagree."""
    spans_a, spans_b = [], []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            spans_a.append(a[max(0, i1 - 2) : i2 + 2])
            spans_b.append(b[max(0, j1 - 2) : j2 + 2])
    codes_a, codes_b = _named_places(" ".join(spans_a)), _named_places(" ".join(spans_b))
    if not codes_a or not codes_b:
        return ""
    related = any(x.startswith(y) or y.startswith(x) for x in codes_a for y in codes_b)
    return "" if related else f"{sorted(codes_a)} / {sorted(codes_b)}"


@lru_cache(maxsize=65_536)
def _without_places(name: str) -> str:
    """An employer's name with the places it names (counties, cities, provinces) taken out."""
    mentions = default_gazetteer().mentions(name)
    for start, end, _hits in reversed(mentions):
        name = name[:start] + name[end:]
    return name


def _named_places(text: str) -> set[str]:
    """The adcode prefixes (province 2, city 4, county 6 digits) of places named in ``text``
    unambiguously (one place per name)."""
    found = set()
    for _start, _end, hits in default_gazetteer().mentions(text):
        if len(hits) == 1:
            place = hits[0]
            found.add(place.code[: {"province": 2, "city": 4}.get(place.level, 6)])
    return found


# Two postings dated this far apart are two rounds of recruiting (this year's 采茶工 and last
# year's), however alike: a re-post with small edits comes within weeks, a new season's within a
# year. Half a year, decided from the calendar of seasonal work, not fitted to any set.
ROUND_GAP_DAYS = 180


def _another_round(a: Prepared, b: Prepared) -> str:
    """Why the two are different rounds of recruiting ("" if they are not): both posted, or
    both valid until, dates more than ``ROUND_GAP_DAYS`` apart."""
    for name in ("posted", "valid_through"):
        one, other = getattr(a, name), getattr(b, name)
        if one is not None and other is not None and abs((one - other).days) > ROUND_GAP_DAYS:
            return f"another round: {name} {one} / {other}"
    return ""


def judge(a: Prepared, b: Prepared, strict: bool = False) -> Match:
    """``same_job`` on prepared postings (what the index calls for each candidate)."""
    rounds = _another_round(a, b)
    if rounds:
        return Match(False, rounds)
    title = _title_verdict(a, b)
    if not title:
        if strict or not _reworded(a, b):
            return Match(False, f"titles differ: {a.title} / {b.title}")
        title = "reworded"
    employer = _employer_verdict(a, b)
    if not employer:
        return Match(False, f"employers differ: {a.employer}{a.branch} / {b.employer}{b.branch}")
    place = _place_verdict(a, b)
    if not place:
        return Match(False, f"places differ: {a.place or a.place_text} {sorted(a.towns)} / "
                            f"{b.place or b.place_text} {sorted(b.towns)}")
    pay = _pay_verdict(a, b)
    if not pay:
        return Match(False, f"pay differs: {a.wage} / {b.wage}")
    text = _text_verdict(a, b)
    if text == "strong" and a.body != b.body:
        named = _places_where_they_differ(a.body, b.body)
        if named:
            return Match(False, f"the texts name different places: {named}")
    verdicts = f"title {title}, employer {employer}, place {place}, pay {pay}, text {text}"
    if strict:
        return Match(_verbatim(title, employer, place, pay, text, a, b), f"{verdicts} (one source)")
    return Match(_enough(title, employer, place, pay, text, a.url is not None and a.url == b.url),
                 verdicts)


_ENDINGS = frozenset("工员人师傅")


def _reworded(a: Prepared, b: Prepared) -> bool:  # symmetric
    """Titles that say one job in other words (冲压工 / 冲床工, 民宿服务员 / 客房服务员): they
    share two characters beyond the 工/员/师 endings; whether the rest is the same job is left to
    every other field, which must agree fully (``_enough``)."""
    return len((set(a.title) & set(b.title)) - _ENDINGS) >= 2


def _enough(title: str, employer: str, place: str, pay: str, text: str, same_url: bool) -> bool:
    """Whether agreeing fields are evidence enough (nothing disagreed to get here).

    Two texts that both describe the work and share little ("none") are two jobs, whatever
    else agrees: the same employer's 服装区导购 and 家电区导购.
    """
    located = place in ("township", "agree")
    if title == "reworded":  # another wording of the title: everything else must say one job
        return employer == "agree" and located and text == "strong"  # pay, when both say, agreed above
    if same_url and title == "same":
        return True
    if text == "none":
        return False
    if text == "strong":
        return located or employer == "agree" or (place == "region" and title == "same")
    facts = (pay == "agree") + (text == "some") + (place == "township") + (title == "same")
    if employer == "agree" and located:
        # One employer, one place, titles one inside the other and the same stated pay: one
        # job written shorter on one side (注塑工 / 注塑操作工), even where a side has no text.
        return facts >= 2 or (pay == "agree" and title == "close" and text != "none")
    return located and title == "same" and pay == "agree" and text == "some"


def _verbatim(title: str, employer: str, place: str, pay: str, text: str, a: Prepared, b: Prepared) -> bool:
    """The bar for two items one source listed separately (two ids): the same job said again
    nearly word for word — a second page, a repeated row, a re-post with small edits."""
    both_or_neither = employer == "agree" or not (a.employer or b.employer)
    # One source names a job's place the same way each time: two different place texts
    # (航站楼 / 货运区, 北滘（格兰仕） / 容桂（科龙）) are two jobs, one inside the other is detail.
    same_place = _contains_either(a.place_text, b.place_text) or a.place_text == b.place_text
    same_pay = pay == "agree" or (a.wage is None and b.wage is None)
    wordless = not a.text and not b.text
    said_again = text == "strong" or (wordless and title == "same")
    return both_or_neither and same_place and same_pay and said_again


def same_job(a: Comparable, b: Comparable, one_source: bool = False) -> Match:
    """Whether two postings are the same job, and why (see the module docstring).

    ``one_source``: both were listed by one source under two ids, which is itself a sign of
    two jobs, so only a near-verbatim repeat counts (``_verbatim``).
    """
    return judge(prepare(a), prepare(b), strict=one_source)
