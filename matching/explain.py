"""Plain-words reasons, built from the same signals that made the score (Chinese or English)."""

from __future__ import annotations

from matching.occupations import Occupation
from matching.types import PostingDoc

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


def explain(posting: PostingDoc, distance_km: float | None, terms: tuple[str, ...],
            wage_short: bool, occupation: Occupation | None = None, lang: str = "zh") -> str:
    """One line: "离家12公里 · 月薪4500–6000元 · 包住 · 和你说的“电焊”是同一类活（焊工）"."""
    en = lang == "en"
    parts = [format_distance(distance_km, lang), format_wage(posting.wage_min, posting.wage_max, lang)]
    if wage_short:
        parts.append("pay below what you asked for" if en else "工资低于你的期望")
    parts.append(housing_words(posting, lang))
    parts.append(occupation_words(occupation, lang))
    if occupation is not None:  # the occupation already says these words
        terms = tuple(t for t in terms if t not in occupation.evidence and occupation.evidence not in t)
    parts.append(terms_words(terms, lang))
    return " · ".join(p for p in parts if p)


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
