"""Plain-words reasons, built from the same signals that made the score (Chinese or English)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from matching.occupations import Occupation
from matching.types import PostingDoc

MAX_PARTS = 6  # the six a reason could always have (distance, pay, warning, housing, occupation, words)
FRESH_DAYS = 7  # a posting this young says so ("3天前发布")
TYPE_WORDS = {"zh": {"full_time": "长期工", "part_time": "兼职", "day_labour": "零工", "seasonal": "季节工"},
              "en": {"full_time": "full-time", "part_time": "part-time", "day_labour": "day labour",
                     "seasonal": "seasonal work"}}
# The one wording of the bureau trust label (the site's catalogue says the same: "人社局发布").
BUREAU_WORDS = {"zh": "人社局发布", "en": "posted by the county job bureau"}
# What a job card shows beside the reason, so the reason there leaves them out (join_parts).
CARD_FACTS = ("distance", "wage", "housing", "type", "trust")
# Which parts survive when there are more than MAX_PARTS (lower first), and the order they are shown in.
PRIORITY = ("distance", "wage", "warning", "occupation", "housing", "type", "trust", "terms", "fresh")
SHOWN = ("distance", "wage", "type", "warning", "housing", "occupation", "terms", "trust", "fresh")

# English names of the occupations rural workers most often name; others keep the Chinese name.
ENGLISH_NAMES = {
    "6-18-02-04": "Welder", "6-30-05-01": "Forklift / crane operator", "4-10-01-06": "Domestic helper",
    "5-01-02-02": "Horticultural worker", "5-03-02-01": "Livestock keeper", "5-03-02-02": "Poultry keeper",
    "4-02-05-01": "Loader / porter", "4-10-08-01": "Delivery rider", "4-02-02-02": "Truck driver",
    "4-03-02-01": "Chinese cook", "4-03-02-05": "Restaurant server", "4-09-08-01": "Cleaner",
    "4-07-05-01": "Security guard", "4-10-01-05": "Elderly carer", "6-05-01-03": "Sewing machinist",
    "6-29-01-04": "Steel fixer", "6-29-01-01": "Bricklayer", "6-29-04-01": "Decorator / finisher",
    "6-31-05-00": "Packer", "6-31-03-05": "Quality inspector", "4-12-01-01": "Car mechanic",
    "6-29-03-05": "Air-conditioning installer", "4-02-06-02": "Stock sorter", "4-01-02-04": "Cashier",
    "6-06-03-01": "Carpenter", "4-02-07-08": "Courier", "6-31-01-03": "Electrician",
}


def format_wage(wage_min: int | None, wage_max: int | None, lang: str = "zh") -> str:
    """Monthly pay in plain words: "月薪4500–6000元" / "¥4,500–6,000 a month", "工资面议"."""
    if lang == "en":
        return _format_wage_en(wage_min, wage_max)
    if wage_min and wage_max and wage_min != wage_max:
        return f"月薪{wage_min}–{wage_max}元"
    if wage_min and wage_max:
        return f"月薪{wage_min}元"
    if wage_min:
        return f"月薪{wage_min}元起"
    if wage_max:
        return f"月薪最高{wage_max}元"
    return "工资面议"


def _format_wage_en(wage_min: int | None, wage_max: int | None) -> str:
    if wage_min and wage_max and wage_min != wage_max:
        return f"¥{wage_min:,}–{wage_max:,} a month"
    if wage_min or wage_max:
        amount = f"¥{(wage_min or wage_max):,} a month"
        return amount if wage_min and wage_max else (f"from {amount}" if wage_min else f"up to {amount}")
    return "pay negotiable"


def format_distance(distance_km: float | None, lang: str = "zh") -> str | None:
    """"离家12公里" / "12 km from home"; under 1 km (same place) reads "就在附近" / "close to home"."""
    if distance_km is None:
        return None
    if distance_km < 1:
        return "close to home" if lang == "en" else "就在附近"
    return f"{distance_km:.0f} km from home" if lang == "en" else f"离家{distance_km:.0f}公里"


def housing_words(posting: PostingDoc, lang: str = "zh") -> str | None:
    """"包吃住", "包住", "包吃" (or the English) or nothing."""
    key = (posting.housing, posting.meals)
    words = {"zh": {(True, True): "包吃住", (True, False): "包住", (False, True): "包吃"},
             "en": {(True, True): "housing and meals provided", (True, False): "housing provided",
                    (False, True): "meals provided"}}
    return words["en" if lang == "en" else "zh"].get(key)


def occupation_words(occupation: Occupation | None, lang: str = "zh") -> str | None:
    """"和你说的“电焊”是同一类活（焊工）" / "same kind of work as '电焊' (Welder)"."""
    if occupation is None:
        return None
    said = occupation.evidence
    if lang == "en":
        name = ENGLISH_NAMES.get(occupation.code, occupation.name)
        return f"same kind of work as '{said}' ({name})"
    if said == occupation.name:
        return f"同一类活：{occupation.name}"
    return f"和你说的“{said}”是同一类活（{occupation.name}）"


def terms_words(terms: tuple[str, ...], lang: str = "zh") -> str | None:
    """The shared words: "和你说的“电焊、工地”对得上" / "matches your words 'welding, site'"."""
    if not terms:
        return None
    if lang == "en":
        return "matches your words '" + ", ".join(terms) + "'"
    return "和你说的“" + "、".join(terms) + "”对得上"


def type_words(posting: PostingDoc, fit: float | None, lang: str = "zh") -> tuple[str | None, str | None]:
    """(the type, as a plus, when the worker asked for it; a warning when they asked for another)."""
    words = TYPE_WORDS["en" if lang == "en" else "zh"].get(posting.employment_type or "")
    if words is None or fit is None or fit == 0.5:
        return None, None
    if fit >= 1:
        return words, None
    return None, (f"{words}, not the kind you asked for" if lang == "en" else f"是{words}，不是你要的类型")


def trust_words(posting: PostingDoc, lang: str = "zh") -> str | None:
    """"人社局发布，另见2个渠道" / "posted by a job bureau; also on 2 other sites", or nothing."""
    en = lang == "en"
    parts = []
    if posting.source_trust in ("official", "bureau"):
        parts.append(BUREAU_WORDS["en" if en else "zh"])
    if posting.sightings > 1:
        others = posting.sightings - 1
        plural = "s" if others > 1 else ""
        parts.append(f"also on {others} other site{plural}" if en else f"另见{others}个渠道")
    return ("; " if en else "，").join(parts) or None


def fresh_words(posting: PostingDoc, today: date | None, lang: str = "zh") -> str | None:
    """"3天前发布" / "posted 3 days ago" for a posting under ``FRESH_DAYS`` old, else nothing."""
    if today is None or posting.posted_at is None:
        return None
    days = max((today - posting.posted_at).days, 0)
    if days > FRESH_DAYS:
        return None
    if lang == "en":
        return "posted today" if days == 0 else f"posted {days} day{'s' if days > 1 else ''} ago"
    return "今天发布" if days == 0 else f"{days}天前发布"


def warnings(wage_short: bool, type_warning: str | None, availability: float | None,
             lang: str = "zh") -> str | None:
    """What lowered the score: pay under the expectation, another type, the worker's busy months."""
    en = lang == "en"
    parts = ["pay below what you asked for" if en else "工资低于你的期望"] if wage_short else []
    if type_warning:
        parts.append(type_warning)
    if availability is not None and availability < 0.5:
        parts.append("runs in months you said you are busy" if en else "要在你没空的月份上工")
    return ("; " if en else "，").join(parts) or None


def explain_parts(posting: PostingDoc, distance_km: float | None, terms: tuple[str, ...],
                  wage_short: bool, occupation: Occupation | None = None, lang: str = "zh",
                  signals: Mapping[str, float] | None = None, today: date | None = None
                  ) -> tuple[tuple[str, str], ...]:
    """The reason's parts in the order shown, each as (kind, words): kinds are ``SHOWN``.

    ``signals`` (the pair's features) and ``today`` add the employment type, busy months, the
    publisher and freshness when they moved the score; at most ``MAX_PARTS`` parts are kept.
    """
    signals = signals or {}
    plus_type, type_warning = type_words(posting, signals.get("employment_type"), lang)
    if occupation is not None:  # the occupation already says these words
        terms = tuple(t for t in terms if t not in occupation.evidence and occupation.evidence not in t)
    parts = {"distance": format_distance(distance_km, lang),
             "wage": format_wage(posting.wage_min, posting.wage_max, lang),
             "warning": warnings(wage_short, type_warning, signals.get("availability"), lang),
             "occupation": occupation_words(occupation, lang), "housing": housing_words(posting, lang),
             "type": plus_type, "trust": trust_words(posting, lang), "terms": terms_words(terms, lang),
             "fresh": fresh_words(posting, today, lang)}
    kept = [k for k in PRIORITY if parts[k]][:MAX_PARTS]
    return tuple((k, str(parts[k])) for k in SHOWN if k in kept)


def explain(posting: PostingDoc, distance_km: float | None, terms: tuple[str, ...],
            wage_short: bool, occupation: Occupation | None = None, lang: str = "zh",
            signals: Mapping[str, float] | None = None, today: date | None = None) -> str:
    """One line: "离家12公里 · 月薪4500–6000元 · 包住 · 和你说的“电焊”是同一类活（焊工）"."""
    parts = explain_parts(posting, distance_km, terms, wage_short, occupation, lang, signals, today)
    return join_parts(parts)


def join_parts(parts: tuple[tuple[str, str], ...], leave_out: tuple[str, ...] = ()) -> str:
    """The reason's parts as one line, without the kinds in ``leave_out`` (a card that shows
    distance, pay, housing and the job's type beside the reason leaves those out)."""
    return " · ".join(words for kind, words in parts if kind not in leave_out)


def explain_worker(posting: PostingDoc, wage_expectation: int | None, distance_km: float | None,
                   beyond_reach: bool, terms: tuple[str, ...], occupation: Occupation | None,
                   lang: str = "zh") -> str:
    """One line about a candidate for a vacancy: "家离这里12公里 · 期望月薪5000元 · 同一类活：焊工"."""
    en = lang == "en"
    parts: list[str | None] = []
    if distance_km is not None:
        parts.append(f"lives {distance_km:.0f} km away" if en else f"家离这里{distance_km:.0f}公里")
    if beyond_reach:
        parts.append("willing to move; housing provided" if en else "愿意外出，这里包住")
    if wage_expectation:
        parts.append(f"expects ¥{wage_expectation:,} a month" if en else f"期望月薪{wage_expectation}元")
        top = posting.wage_max or posting.wage_min
        if top and top < wage_expectation:
            parts.append("expects more than this job pays" if en else "期望高于这里的工资")
    if occupation is not None:
        name = ENGLISH_NAMES.get(occupation.code, occupation.name) if en else occupation.name
        parts.append(f"same kind of work: {name} ('{occupation.evidence}')" if en
                     else f"同一类活：{name}（说过“{occupation.evidence}”）")
        terms = tuple(t for t in terms if t not in occupation.evidence and occupation.evidence not in t)
    if terms:
        parts.append("mentions '" + ", ".join(terms) + "'" if en else "提到“" + "、".join(terms) + "”")
    return " · ".join(p for p in parts if p)
