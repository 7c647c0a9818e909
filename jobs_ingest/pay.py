"""Pay text read as a rate (unit, low, high) in its own unit, and as CNY per month for matching.

The rule (README "Pay, dates and places"; docs/ARCHITECTURE.md):

- The text is read with full-width forms and Traditional characters folded (週薪, 時薪, 萬, 元／月).
- The **unit** is the one written next to the figure, in Chinese or English: a day (元/天, 元/日,
  元/工, 每工, 每个工, 工日, 日结, 日薪, 日工资, 每天, yuan/day, per day, daily …), an hour (元/小时,
  时薪, /hr, per hour, hourly …), a week (元/周, 周薪, weekly), a month (元/月, 月薪, RMB/月,
  k/month, a month, monthly …), a year (年薪, 万/年, per year, annual …) or a piece (元/件, 元/斤,
  元/吨, 元/平方, 每件, 每包, 每斤, 每箱 … just before the figure, per piece …); else the one unit
  the pay text names elsewhere ("工资150元，日结").
  Figures: 4,500, 6千, 6k, 1.2万, 三千五, 一万二 (``jobs_ingest.numerals``); ranges with -, ~,
  至, 到, —, to, 四五千 ("5-8千": the scale written once applies to both ends).
- "X以上", "X起", "X+", "最低X", "保底X", "月入过万" are a minimum only: the top is open
  (``open_ended``). So is a base pay with more on top of it ("底薪2200元，加班费另计", "基本工资X+提成").
  "X以下", "最高X", "不超过X", "up to X" are a maximum only: high X, low None, not open-ended.
  A range written high-to-low ("6000-5000") is read in order but flagged ``swapped`` and claims
  no monthly figure: the clerk's text may mean something else.
- A figure with no unit anywhere is read in the posting's context: the unit the posting's own
  words give that very figure ("装卸工 200元/天" over a bare "200元"); else on a day-labour posting (日结,
  零工, 临时工, day labour … in the pay text, title, type or description) one from 50 to 999 is a
  day rate and one from 3,000 up a month's pay; on an hourly one (小时工, 钟点工, hourly) one from 8
  to 100 is an hour's rate; elsewhere one from 1,000 to 50,000 is a month's pay. Anything else
  claims nothing. A rate read from context is shown but gives no monthly figure: the text did not
  say it, and a day-labour job may last a day.
- An overall figure (综合, 综合工资, 综合收入 …) is the pay over a base pay beside it ("基本工资2500元/月
  +加班费，综合4500-6000元/月" is 4,500-6,000 a month). Two different figures in the same unit
  ("小工 200元/天，大工 350元/天": two roles, or two alternatives) claim nothing: neither is the pay.
- Pay by the piece said in words with no figure ("按件计酬", "计件工资，多劳多得") is a piece rate
  with no figures.
- Nothing is claimed for 面议/negotiable, another currency, text naming two different units (by
  its figures, or, without one next to any figure, anywhere), a piece rate known only from 计件
  (no unit next to the figure), or a rate no worker is paid (more than 2,000 a day, 500 an hour …).
  Figures after 加班费, 补贴, 全勤奖, 押金 … are extras, not the pay; counts (8小时, 26天, 10人,
  18-45岁), dates, times and phone numbers are not figures.
- **Monthly**: a day × 26 working days, an hour × 208 hours, a week × 4.33, a year ÷ 12, a month
  as written, a piece none; rounded to whole yuan, kept only between 100 and 1,000,000.

Precision before recall: when unsure no figure is claimed; the original text is always shown.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, replace
from typing import Any, Literal, cast

from jobs_ingest.numerals import arabic_numerals
from jobs_ingest.text import html_to_text, tidy, to_simplified

Unit = Literal["month", "day", "hour", "piece", "week", "year"]
UNITS: tuple[Unit, ...] = ("month", "day", "hour", "piece", "week", "year")

DAYS_PER_MONTH = 26
HOURS_PER_MONTH = 208
WEEKS_PER_MONTH = 4.33
# Months per unit of a pay figure; a piece rate has no monthly equivalent (None).
PER_MONTH: dict[str, float | None] = {
    "month": 1, "day": DAYS_PER_MONTH, "hour": HOURS_PER_MONTH, "week": WEEKS_PER_MONTH,
    "year": 1 / 12, "piece": None,
}
MIN_BARE_MONTHLY = 1000  # a figure with no unit below this is no month's pay
MAX_BARE_MONTHLY = 50_000  # nor one above this (a year's? a typo?): too unsure to claim
DAY_LABOUR_MONTHLY_FROM = 3000  # on a day-labour posting, a bare figure is a month's from here up
# A bare figure read as the posting's own rate (day labour, hourly work) must be one it can be.
_CONTEXT_RATE = {"day": (50, 999), "hour": (8, 100)}
# No worker is paid outside these, per unit: such a figure is a misreading or a typo.
_PLAUSIBLE = {"hour": (1, 500), "day": (10, 2000), "week": (50, 20_000), "month": (500, 500_000),
              "year": (1000, 6_000_000), "piece": (0.01, 10_000)}


@dataclass(frozen=True)
class Pay:
    """A pay text read: its unit and figures in that unit (yuan), and CNY per month if claimed.

    ``unit`` None means no rate is claimed (then every figure is None); ``unit`` "piece" with no
    figures is pay by the piece at a rate not given. ``low``/``high`` are in order; one is None for a
    bound only: "5000以上" has high None and ``open_ended`` (the top is open), "3000以下" has low None
    and is not open-ended (an upper bound only). ``from_context``: the unit
    was read from the posting, not the pay text.
    """

    unit: Unit | None = None
    low: float | None = None
    high: float | None = None
    open_ended: bool = False
    swapped: bool = False
    monthly_low: int | None = None
    monthly_high: int | None = None
    from_context: bool = False


NO_PAY = Pay()
PIECE_RATE = Pay(unit="piece")  # paid by the piece, no figure given ("按件计酬")

_NUMBER = r"(\d+(?:\.\d+)?)\s*([kK千wW万](?![a-zA-Z])|)"
# Between a range's ends: its currency or unit, written twice ("3500元/月-4500元/月", "¥4000 - ¥6000").
_RANGE = (r"(?:\s*(?:元|块|rmb|yuan)?\s*(?:/\s*(?:月|天|日|小时|时|周|年))?\s*(?:-+|~+|〜|—+|–|至|到|to)"
          r"\s*(?:¥|rmb|cny)?\s*")
_FIGURE = re.compile(_NUMBER + _RANGE + _NUMBER + ")?", re.I)
_SCALE = {"": 1, "k": 1000, "K": 1000, "千": 1000, "w": 10000, "W": 10000, "万": 10000}
_THOUSANDS = re.compile(r"(?<![\d.])\d{1,3}(?:,\d{3})+(?![\d.])")
# Dates, clock times and phone numbers hold digits that are no pay: blanked before reading.
_NOT_PAY_DIGITS = re.compile(
    r"(?:19|20)\d{2}\s*([-/.])\s*(?:1[0-2]|0?[1-9])\s*\1\s*\d{1,2}(?!\d)|"
    r"(?:19|20)\d{2}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|"
    r"\d{1,2}\s*[:：]\s*\d{2}|\d{8,}|"
    r"(?:电话|手机|联系|微信|qq|tel|phone)\D{0,6}[\d\- ]{5,}", re.I)
# A figure right before one of these counts hours, days, people …, not money ("每天8小时").
_NOT_MONEY = re.compile(r"\s*(?:个|多)?(?:小时|钟头|天|日(?![结薪])|周|星期|月(?![结薪])|年(?!薪)|"
                        r"岁|人|名|点|号|路|楼|栋|层|室|件|斤|公斤|吨|亩|箱|平|[%％]|公里|米|"
                        r"h(?:ou)?rs?\b|days?\b|weeks?\b|months?\b|years?\b|people\b|persons?\b|"
                        r"km\b|m\b|kg\b)", re.I)
_NO_FIGURE = re.compile(r"面议|面谈|协商|商议|待遇从优|negotiable|\bTBD\b|\bDOE\b", re.I)
_FOREIGN = re.compile(r"\$|usd|美元|美金|eur|€|欧元|港币|hkd|日元|jpy|dollar", re.I)
_CUR = r"(?:(?:元|块钱?|人民币|rmb|cny|yuan|¥)\s*){0,2}"
_CONN = r"(?:/\s*|每\s*|一\s*|(?:per|a|an|each)\s+)"
_QUALIFIER = r"(?:\+|以上|起|左右|多)?"
# The unit written right after the figure: "230 yuan/day", "120元一天", "5000-6000 RMB/月".
_UNIT_WORDS = {
    "day": r"天|日|工作日|个工|工(?![作资人厂期种龄程地艺])|day(?![a-z])",
    "hour": r"小时|个小时|钟头|时|hour(?![a-z])|hr(?![a-z])|h(?![a-z])",
    "week": r"周|星期|week(?![a-z])",
    "month": r"月|个月|month(?![a-z])|mo(?![a-z])",
    "year": r"年|year(?![a-z])|yr(?![a-z])|annum",
    "piece": r"件|个(?![月小钟工])|只|箱|斤|公斤|单|亩|车|吨|趟|袋|包(?![吃住食宿工括含邮])|双|套|棵|株|"
             r"平方米?|平米|平|㎡|米|"
             r"kg(?![a-z])|piece(?![a-z])|pcs?(?![a-z])",
}
# What a piece rate is counted in, after 每 just before its figure ("每包0.2元", "每斤3元").
_PIECE_WORDS = (r"件|个(?![月小钟工])|只|双|套|条|包|袋|箱|盒|瓶|捆|打|斤|公斤|千克|吨|车|趟|单|亩|棵|株|"
                r"平方米?|平米")
_UNIT_ADVERBS = {"day": r"日结|日薪|daily|per\s*diem", "hour": r"hourly", "week": r"weekly|周结",
                 "month": r"monthly|月结", "year": r"annually|yearly", "piece": r"(?!)"}
_SUFFIX = {unit: re.compile(rf"^\s*{_QUALIFIER}\s*{_CUR}\s*{_QUALIFIER}\s*(?:/\s*人\s*)?"
                            rf"(?:{_CONN}(?:{words})|{_UNIT_ADVERBS[unit]})", re.I)
           for unit, words in _UNIT_WORDS.items()}
# A rate written out anywhere ("工资150元 包吃住 /天"): a slash or "per" only, since "每天工作8小时"
# says nothing about the pay's unit; nor does a count before the slash ("8小时/天", "26天/月").
_WRITTEN_RATE = {unit: re.compile(rf"(?:(?<![时天周月年人日])/\s*|per\s+)(?:{words})", re.I)
                 for unit, words in _UNIT_WORDS.items()}
# Words naming the unit before the figure, anywhere earlier in its sentence ("日结，150元").
# 计件 alone is a "?" unit: a figure after it may be a piece's rate, a day's or a month's.
_PREFIX_WORDS = {
    "day": r"日工资|日薪|日结|一天一结|当天结|天天结|按天|天薪|daily|per\s*diem",
    "hour": r"时薪|小时工资|按小时|计时工资|hourly",
    "week": r"周薪|周结|weekly",
    "month": r"月薪|月工资|月入|月收入|月综合|月均|月结|monthly",
    "year": r"年薪|年收入|annual|yearly",
    "unclear": r"计件|piece[- ]?rate|per\s+piece",
}
_PREFIX = re.compile("|".join(f"(?P<{unit}>{words})" for unit, words in _PREFIX_WORDS.items()), re.I)
# "每天150元", "per day: 230": a unit written just before the figure.
_JUST_BEFORE = {"day": r"每天|每日|一天|每个?工(?:作?日)?|一个工|per\s+day",
                "hour": r"每小时|一小时|per\s+hour", "week": r"每周",
                "month": r"每月|每个月|per\s+month", "year": r"每年|per\s+year",
                "piece": rf"每\s*(?:{_PIECE_WORDS})"}
_JUST_BEFORE_RE = {unit: re.compile(rf"(?:{words})\s*[:：]?\s*{_CUR}\s*$", re.I)
                   for unit, words in _JUST_BEFORE.items()}
_SENTENCE_END = re.compile(r"[。；;!?！？\n]|\.\s")
_CLAUSE_END = re.compile(r"[，,。；;、!?！？\n]|\.\s")
# A figure right after one of these is an extra (overtime, allowance, bonus, deposit), not the pay.
_EXTRA = re.compile(r"(?<!含)(?:加班费?|补贴|补助|津贴|奖金?|全勤|满勤|提成|押金|路费|车费|介绍费|餐补|房补|"
                    r"饭补|话补|overtime|bonus|allowance|subsidy|deposit|commission)[^)）\d]{0,6}$", re.I)
# A figure after one of these is the whole pay, over a base pay beside it ("综合4500-6000元/月").
_OVERALL = re.compile(r"综合[^\d]{0,6}$")
# Paid by the piece, said in words ("按件计酬", "计件工资，多劳多得"): a piece rate with no figure.
_PIECE_BASIS = re.compile(r"(?<![不非])(?:计件|按(?:件|斤|箱|包|产量)(?:计|算|付|结))|"
                          r"piece[- ]?rate|per\s+piece", re.I)
# A base pay ("底薪2200元") with more on top of it later ("加班费另计", "+提成") is a minimum.
_BASE_BEFORE = re.compile(r"(?:底薪|基本工资|基本薪资|保底)\D{0,6}$")
_MORE_AFTER = re.compile(r"(?<![无不没免])(?:加班|提成|绩效|计件|另计|奖金)")
_MINIMUM_AFTER = re.compile(r"以上|起|\+|多(?!劳)|保底|不封顶|or more|and above|or above|and up\b", re.I)
_MAXIMUM_AFTER = re.compile(r"以下|以内|(?<!不)封顶|or less|max", re.I)
_MINIMUM_BEFORE = re.compile(r"(?:最低|不低于|至少|保底|at least|from|starting at|min(?:imum)?)\D{0,6}$",
                             re.I)
_MAXIMUM_BEFORE = re.compile(r"(?:最高|最多|不超过|不高于|up to|at most|no more than|max(?:imum)?)\D{0,6}$",
                             re.I)
# A posting that says it is day labour / hourly work: its bare figure may be a day's / an hour's.
_DAY_LABOUR = re.compile(r"日结|一天一结|当天结|天天结|零工|临时工|按天|日工资|日薪|day[- ]labou?r|"
                         r"daily\s+(?:pay|wage)|paid\s+daily|per\s*diem", re.I)
_HOURLY = re.compile(r"小时工|钟点工|按小时|时薪|计时工资|hourly", re.I)


@dataclass(frozen=True)
class _Figure:
    """One figure or range found in the text, with the unit written next to it (if any)."""

    start: int
    end: int
    low: float
    high: float
    swapped: bool
    unit: str | None  # a Unit, "unclear" (计件 before it), or None (nothing next to it)


def _fold(text: str) -> str:
    """Full-width forms and Traditional characters folded: "週薪１０００元" reads as "周薪1000元"."""
    return to_simplified(unicodedata.normalize("NFKC", text or "").strip())


def _prepared(text: str | None) -> str:
    folded = _THOUSANDS.sub(lambda m: m.group(0).replace(",", ""), _fold(text or ""))
    folded = arabic_numerals(folded)
    return _NOT_PAY_DIGITS.sub(lambda m: " " * len(m.group(0)), folded)


def parse_pay(text: str | None, context: str = "") -> Pay:
    """Read pay text as a rate in its own unit and, where claimed, CNY per month.

    ``context`` is the rest of the posting (title, type, description): it decides what a figure
    with no unit is. See the module docstring for the rule.
    """
    folded = _prepared(text)
    if not folded or _NO_FIGURE.search(folded) or _FOREIGN.search(folded):
        return NO_PAY
    figures = _figures_in(folded)
    if not figures:
        return PIECE_RATE if _PIECE_BASIS.search(folded) else NO_PAY
    overall = [figure for figure in figures if _OVERALL.search(_CLAUSE_END.split(folded[:figure.start])[-1])]
    figures = overall or figures  # "基本工资2500元/月+加班费，综合4500-6000元/月": the 综合 figure is the pay
    units = {figure.unit for figure in figures if figure.unit}
    if len(units) > 1 or units == {"unclear"}:
        return NO_PAY  # two different rates, or 计件 with a figure of unknown kind
    if units:
        unit = units.pop()
        if len({(f.low, f.high) for f in figures if f.unit == unit}) > 1:
            return NO_PAY  # "小工 200元/天，大工 350元/天": two rates for two roles, no one pay
        return _read(folded, next(f for f in figures if f.unit == unit), unit)
    named = _text_units(folded)
    if len(named) == 1 and named != {"unclear"}:
        return _read(folded, figures[0], named.pop())
    if named:
        return NO_PAY
    return _bare(folded, figures[0], context)


def _figures_in(folded: str) -> list[_Figure]:
    """Every figure in the text that is money: not a count, not an extra (加班费20元/小时)."""
    found = []
    for match in _FIGURE.finditer(folded):
        clause = _CLAUSE_END.split(folded[:match.start()])[-1]
        if _NOT_MONEY.match(folded, match.end()) or _EXTRA.search(clause):
            continue
        low, high, swapped = _ends(match)
        if high <= 0:
            continue
        found.append(_Figure(match.start(), match.end(), low, high, swapped, _adjacent_unit(folded, match)))
    return found


def _ends(match: re.Match[str]) -> tuple[float, float, bool]:
    """(low, high, swapped) of a figure or range; "5-8千": the scale written once applies to both."""
    first = float(match.group(1)) * _SCALE[match.group(2)]
    if match.group(3) is None:
        return first, first, False
    high_scale = _SCALE[match.group(4)]
    second = float(match.group(3)) * high_scale
    if not match.group(2) and high_scale != 1:
        # "5-8千" is 5,000-8,000, "5000-8千" is 5,000-8,000 too: take the reading closer to the other end.
        scaled = float(match.group(1)) * high_scale
        first = min((first, scaled), key=lambda value: abs(math.log(max(value, 1e-9) / second)))
    return min(first, second), max(first, second), first > second


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


def _bare(folded: str, figure: _Figure, context: str) -> Pay:
    """A figure with no unit in its text, read in the posting's context (see the module rule)."""
    stated = _stated_in(context, figure)
    if stated is not None and stated.unit != "month":
        return stated  # "装卸工 200元/天" over a bare "200元"; a month's the rules below claim
    whole = f"{folded} {_fold(context)}"
    day, hour = bool(_DAY_LABOUR.search(whole)), bool(_HOURLY.search(whole))
    if not (day or hour):
        if MIN_BARE_MONTHLY <= figure.high <= MAX_BARE_MONTHLY:
            return _read(folded, figure, "month")
        return stated or NO_PAY
    if figure.low >= DAY_LABOUR_MONTHLY_FROM and figure.high <= MAX_BARE_MONTHLY:
        return _read(folded, figure, "month")  # no day's or hour's pay is that high
    if day == hour:
        return stated or NO_PAY  # both, so neither
    unit = "day" if day else "hour"
    least, most = _CONTEXT_RATE[unit]
    if least <= figure.low and figure.high <= most:
        return _read(folded, figure, unit, from_context=True)
    return stated or NO_PAY


def _stated_in(context: str, figure: _Figure) -> Pay | None:
    """The posting's own words give this very figure a unit ("装卸工 200元/天" over a bare "200元")."""
    context = context[:2000]
    if _figure(figure.low) not in context and not re.search(r"[千万kKwW,]", context):
        return None  # the figure is nowhere in it (a quick test before reading it whole)
    pay = parse_pay(context)
    if pay.unit is None or {pay.low, pay.high} - {None} != {figure.low, figure.high}:
        return None
    return replace(pay, from_context=True, monthly_low=None, monthly_high=None)


def _read(folded: str, figure: _Figure, unit: str, from_context: bool = False) -> Pay:
    """The Pay of one figure in a known unit: its bounds, and the monthly figures if claimed."""
    least, most = _PLAUSIBLE[unit]
    if not (least <= figure.low and figure.high <= most):
        return NO_PAY
    low: float | None = figure.low
    high: float | None = figure.high
    if figure.low == figure.high:
        bound = _bound(folded, figure)
        low = None if bound == "max" else low
        high = None if bound == "min" else high
    factor = PER_MONTH[unit]
    claims = factor is not None and not from_context and not figure.swapped
    return Pay(unit=cast(Unit, unit), low=_tidy(low), high=_tidy(high),
               open_ended=high is None, swapped=figure.swapped, from_context=from_context,
               monthly_low=_monthly(low, factor) if claims else None,
               monthly_high=_monthly(high, factor) if claims else None)


def _bound(text: str, figure: _Figure) -> str | None:
    """"min" ("以上", "起", "+", "最低"), "max" ("以下", "最高", "up to") or None for one figure."""
    after = _CLAUSE_END.split(text[figure.end:])[0]
    before = _CLAUSE_END.split(text[:figure.start])[-1]
    if _MAXIMUM_AFTER.search(after) or _MAXIMUM_BEFORE.search(before):
        return "max"
    if _MINIMUM_AFTER.search(after) or _MINIMUM_BEFORE.search(before):
        return "min"
    if _BASE_BEFORE.search(before) and _MORE_AFTER.search(text[figure.end:]):
        return "min"
    return None


def _tidy(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _monthly(value: float | None, factor: float | None) -> int | None:
    """Round to whole yuan per month; figures no monthly wage can be (below 100 or above 1,000,000) drop."""
    if value is None or factor is None:
        return None
    monthly = int(round(value * factor))
    return monthly if 100 <= monthly <= 1_000_000 else None


def parse_wage(text: str | None, context: str = "") -> tuple[int | None, int | None]:
    """Parse pay text to (min, max) CNY per month; (None, None) when it claims no monthly figure."""
    pay = parse_pay(text, context)
    return pay.monthly_low, pay.monthly_high


def pay_unit(text: str | None, context: str = "") -> str | None:
    """The unit the pay text itself gives its figure (month, day, hour, week, year, piece); else None."""
    pay = parse_pay(text, context)
    return None if pay.from_context else pay.unit


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
    unit = _SALARY_UNITS.get(unit_name.strip().upper(), "")  # no unit: read as a bare figure
    low = _amount(inner.get("minValue", outer.get("minValue")))
    high = _amount(inner.get("maxValue", outer.get("maxValue")))
    single = _amount(inner.get("value"))
    if single is None and low is None and high is None:
        free = inner.get("value")
        text = tidy(html_to_text(free), 200) if isinstance(free, str) else ""
    else:
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
