"""English words for common rural trades, read as entries of the (Chinese) classification.

The classification's names and aliases are Chinese, and ``OccupationIndex`` reads only texts that
are mostly Chinese: "I can drive a forklift" named no occupation at all (a worker who writes in
English counted as 未识别工种). Reading such a text by its multilingual USE vector alone is not
precise enough to stand on its own: against the names' vectors, "I am an electrician" is nearest
to 电工电器工程技术人员 (an engineer, 2-02), "greenhouse worker" to 园林绿化工 (4-09), "sewing
machine operator" to 缝制机械装配调试工 (6-21), and a wrong occupation is worse than none.

So a text that is not mostly Chinese is read through this small glossary, written by the team
(no outside word list): each pattern is an unambiguous English name of one trade and points at
the entry a county clerk would file it under. Words that name no single trade ("driver",
"worker", "labourer", "operator" alone) are left out on purpose: no match means no guess.
Patterns match whole words of the lower-cased text, hyphens read as spaces.
"""

from __future__ import annotations

import re
import unicodedata

# (pattern, code): the first entry whose pattern a text holds, in the order they appear in the text.
ENGLISH_TRADES: tuple[tuple[str, str], ...] = (
    (r"fork ?lifts?(?: (?:driver|operator)s?)?", "6-30-05-01"),  # 起重装卸机械操作工 (叉车司机)
    (r"weld(?:er|ers|ing)?", "6-18-02-04"),  # 焊工
    (r"electricians?", "6-31-01-03"),  # 电工
    (r"plumbers?|plumbing", "6-29-03-04"),  # 管工
    (r"cooks?|cooking|chefs?|kitchen (?:helper|hand|assistant)s?", "4-03-02-01"),  # 中式烹调师
    (r"dish ?washers?|dish ?washing|waiters?|waitress(?:es)?", "4-03-02-05"),  # 餐厅服务员
    (r"cleaners?|cleaning|janitors?", "4-09-08-01"),  # 保洁员
    # 保安员
    (r"security (?:guard|officer|staff)s?|guards?|watchm[ae]n|doorm[ae]n|gatekeepers?", "4-07-05-01"),
    (r"nann(?:y|ies)|babysit(?:ter|ters|ting)?|house ?maids?|maids?|domestic (?:helper|worker|work)s?",
     "4-10-01-06"),  # 家政服务员
    (r"child ?care(?: worker)?s?|child ?minders?", "4-10-01-03"),  # 保育师
    # 养老护理员
    (r"elderly care|care (?:of|for) (?:the )?elderly|care ?givers? for (?:the )?elderly", "4-10-01-05"),
    (r"construction (?:worker|labou?rer|site worker)s?|construction (?:site|work)|building site|builders?",
     "6-29-00-00"),  # 建筑施工人员
    (r"brick ?lay(?:er|ers|ing)|lay(?:ing)? bricks|masons?|masonry", "6-29-01-01"),  # 砌筑工
    (r"steel fixers?|rebar(?: worker)?s?", "6-29-01-04"),  # 钢筋工
    (r"scaffold(?:er|ers|ing)", "6-29-01-05"),  # 架子工
    (r"tilers?|tiling", "6-29-04-01"),  # 装饰装修工
    (r"carpent(?:er|ers|ry)|wood ?workers?", "6-06-03-02"),  # 机械木工 (木工)
    (r"excavators?(?: (?:driver|operator)s?)?|diggers?(?: (?:driver|operator)s?)?|backhoes?|bulldozers?"
     r"|wheel loaders?",
     "6-30-05-05"),  # 挖掘铲运和桩工机械司机
    (r"green ?houses?|fruit pick(?:er|ers|ing)|tea pick(?:er|ers|ing)|orchards?", "5-01-02-02"),  # 园艺工
    (r"farm ?(?:worker|hand|labou?rer)s?|farm work|farming|farmers?|crop growing", "5-01-02-01"),  # 农艺工
    (r"pig farm(?:er|ers|ing)?|livestock|cattle|pig ?s?ty", "5-03-02-01"),  # 家畜饲养员
    (r"poultry|chicken farm(?:er|ers|ing)?", "5-03-02-02"),  # 家禽饲养员
    (r"(?:delivery|truck|lorry|van) drivers?|(?:drive|driving) (?:a )?(?:truck|lorry|van)s?|trucking",
     "4-02-02-02"),  # 道路货运汽车驾驶员
    (r"couriers?|parcel delivery", "4-02-07-08"),  # 快递员
    (r"(?:food )?delivery riders?|food delivery", "4-10-08-01"),  # 网约配送员
    # 缝纫工
    (r"sewing(?: machine)?(?: operators?| workers?)?|seamstress(?:es)?|garment workers?", "6-05-01-03"),
    (r"loaders?|porters?|loading and unloading", "4-02-05-01"),  # 装卸搬运工
    (r"packers?|packing|packaging", "6-31-05-00"),  # 包装工
    (r"(?:car|auto|motor) mechanics?|car repair", "4-12-01-01"),  # 汽车维修工
    (r"hair ?dressers?|barbers?", "4-10-03-02"),  # 美发师
)
_PATTERNS = [(re.compile(rf"\b(?:{pattern})\b"), code) for pattern, code in ENGLISH_TRADES]


def english_trade_codes(text: str) -> list[str]:
    """The codes of the trades an English text names, in the order it names them (none: []).

    A name inside a longer one of another trade counts as the longer one only ("pig farmer" is
    a livestock keeper, not also a crop farmer; "wheel loader" a machine, not a porter)."""
    folded = " ".join(unicodedata.normalize("NFKC", text).lower().replace("-", " ").split())
    spans = [(m.start(), m.end(), code) for pattern, code in _PATTERNS for m in pattern.finditer(folded)]
    kept = [(start, code) for start, end, code in spans
            if not any(s <= start and end <= e and (e - s) > (end - start) for s, e, _ in spans)]
    return list(dict.fromkeys(code for _, code in sorted(kept)))
