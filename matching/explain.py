"""Plain-words reasons, built from the same signals that made the score."""

from __future__ import annotations

from matching.types import PostingDoc


def format_wage(wage_min: int | None, wage_max: int | None) -> str:
    """Monthly pay in plain words: "月薪4500–6000元", "月薪5000元起", "工资面议"."""
    if wage_min and wage_max and wage_min != wage_max:
        return f"月薪{wage_min}–{wage_max}元"
    if wage_min and wage_max:
        return f"月薪{wage_min}元"
    if wage_min:
        return f"月薪{wage_min}元起"
    if wage_max:
        return f"月薪最高{wage_max}元"
    return "工资面议"


def format_distance(distance_km: float | None) -> str | None:
    """"离家12公里"; under 1 km (same place) reads "就在附近"."""
    if distance_km is None:
        return None
    if distance_km < 1:
        return "就在附近"
    return f"离家{distance_km:.0f}公里"


def housing_words(posting: PostingDoc) -> str | None:
    """"包吃住", "包住", "包吃" or nothing."""
    if posting.housing and posting.meals:
        return "包吃住"
    if posting.housing:
        return "包住"
    if posting.meals:
        return "包吃"
    return None


def explain(posting: PostingDoc, distance_km: float | None, terms: tuple[str, ...],
            wage_short: bool) -> str:
    """One line: "离家12公里 · 月薪4500–6000元 · 包住 · 和你说的“电焊、工地”对得上"."""
    parts = [format_distance(distance_km), format_wage(posting.wage_min, posting.wage_max)]
    if wage_short:
        parts.append("工资低于你的期望")
    parts.append(housing_words(posting))
    if terms:
        parts.append("和你说的“" + "、".join(terms) + "”对得上")
    return " · ".join(p for p in parts if p)
