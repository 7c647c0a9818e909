"""Deterministic demo data: county-bureau-style raw job postings and demo job seekers (stdlib only).

Roughly 55% of the postings are in western counties (local work) and 45% in their eastern
partner cities of the east–west collaboration pairs. Eight deliberately malformed postings,
each marked with a ``_demo_note`` key, are appended for the quarantine path.
"""

from __future__ import annotations

import datetime
import random

from jobs_ingest.sources.demo_templates import (
    AMBIGUOUS,
    EMPLOYERS,
    EN_SURNAMES,
    EXTRAS_EAST,
    EXTRAS_EN,
    EXTRAS_WEST,
    HONORIFICS,
    OCCUPATIONS,
    PLACES,
    SURNAMES,
    TITLE_PREFIXES,
    URL_TAILS,
    WELFARE_EAST,
    WELFARE_EN,
    WELFARE_PUBLIC,
    WELFARE_WEST,
    Employer,
    Occupation,
    Place,
)

DEFAULT_SEED = 20261128
DEFAULT_TODAY = datetime.date(2026, 11, 28)
N_VALID = 336
WEST_SHARE = 0.55
EXPIRED_SHARE = 0.05
URL_BASE = "https://demo.jiujin.local/jobs/"
XSS_PAYLOAD = "<script>alert(1)</script><img src=x onerror=alert(2)>"

# (county, occupation) postings that always exist, so every demo worker has good matches
# and welding jobs exist near 榕江 and in 广州 whatever the seed.
ANCHORS: tuple[tuple[str, str], ...] = (
    ("榕江县", "welder"), ("榕江县", "welder"), ("从江县", "welder"),
    ("从江县", "sewing"), ("从江县", "sewing"),
    ("西吉县", "excavator"), ("西吉县", "excavator"), ("西吉县", "driver"), ("同安区", "excavator"),
    ("临洮县", "greenhouse"), ("临洮县", "greenhouse"),
    ("凯里市", "forklift"), ("凯里市", "forklift"), ("白云区", "forklift"), ("花都区", "forklift"),
    ("北仑区", "assembly"), ("慈溪市", "assembly"), ("昭觉县", "public_welfare"), ("昭觉县", "sewing"),
    ("镇雄县", "mason"), ("镇雄县", "carpenter"), ("镇雄县", "renovation"),
    ("松江区", "renovation"), ("松江区", "mason"),
    ("雷山县", "tea"), ("雷山县", "tea"),
    ("隆德县", "caregiver"), ("隆德县", "caregiver"), ("隆德县", "cleaner"),
    ("岷县", "cook"), ("岷县", "cook"),
    ("黎平县", "express"), ("黎平县", "express"), ("白云区", "express"),
    ("西昌市", "driver"), ("西昌市", "driver"),
    ("白云区", "welder"), ("番禺区", "welder"), ("花都区", "welder"), ("同安区", "welder"),
    ("滨海新区", "welder"), ("西青区", "welder"), ("北仑区", "welder"), ("嘉定区", "welder"),
    ("凯里市", "welder"), ("西昌市", "welder"), ("原州区", "welder"), ("临洮县", "welder"),
)

DEMO_WORKERS: list[dict[str, object]] = [
    {"name": "杨师傅", "description": "会电焊，在工地干过三年，想在县城附近干",
     "home": "贵州省黔东南州榕江县古州镇", "max_commute_km": 30, "will_relocate": False,
     "wage_expectation": 5000, "availability": "随时可以上岗"},
    {"name": "吴大姐", "description": "在家带孩子，想找个离家近的活，会缝纫",
     "home": "从江县丙妹镇", "max_commute_km": 10, "will_relocate": False,
     "wage_expectation": 3000, "availability": "孩子上学的时间都可以"},
    {"name": "马建国", "description": "开过挖掘机，有B2驾照，外地也可以去",
     "home": "西吉县", "max_commute_km": 50, "will_relocate": True,
     "wage_expectation": 7000, "availability": "下个月可以上岗"},
    {"name": "李秀兰", "description": "种过大棚蔬菜，想找农业方面的活",
     "home": "临洮", "max_commute_km": 20, "will_relocate": False,
     "wage_expectation": None, "availability": "农忙（5-6月）回家"},
    {"name": "Li Wei", "description": "I can drive a forklift and want factory work",
     "home": "凯里市", "max_commute_km": 30, "will_relocate": True,
     "wage_expectation": 6000, "availability": "available now"},
    {"name": "阿苏木呷", "description": "年轻，能吃苦，没什么技术，想去外面厂里打工",
     "home": "四川省凉山州昭觉县", "max_commute_km": 20, "will_relocate": True,
     "wage_expectation": 5000, "availability": "过完彝族年就能走"},
    {"name": "张大哥", "description": "干过瓦工和木工，装修也会一点，贴砖、刷墙都行",
     "home": "云南昭通镇雄县", "max_commute_km": 30, "will_relocate": True,
     "wage_expectation": 6500, "availability": "随时可以上岗"},
    {"name": "王阿姨", "description": "会采茶，家里也有茶园，农闲时想找点活",
     "home": "雷山县西江镇", "max_commute_km": 10, "will_relocate": False,
     "wage_expectation": 2500, "availability": "自家采茶季（3-4月）没空"},
    {"name": "马桂花", "description": "照顾过家里瘫痪的老人，想做护工或者保洁",
     "home": "宁夏隆德县沙塘镇", "max_commute_km": 20, "will_relocate": False,
     "wage_expectation": 3500, "availability": "随时可以上岗"},
    {"name": "陈师傅", "description": "做过厨师，会做面食和家常菜",
     "home": "甘肃岷县", "max_commute_km": 10, "will_relocate": False,
     "wage_expectation": 4000, "availability": "一周内可以上岗"},
    {"name": "龙小妹", "description": "刚毕业，会用电脑和手机，想找快递或者仓库的工作",
     "home": "黎平县德凤街道", "max_commute_km": 30, "will_relocate": False,
     "wage_expectation": 3500, "availability": "随时可以上岗"},
    {"name": "吉克师傅", "description": "有A2驾照，跑过长途货车，想在西昌附近开车",
     "home": "西昌市礼州镇", "max_commute_km": 50, "will_relocate": False,
     "wage_expectation": 7000, "availability": "春节后可以上岗"},
]


def _fmt_date(rng: random.Random, day: datetime.date, today: datetime.date, relative: bool) -> str:
    """Write a date the way bureau exports do: ISO, slashes, 年月日 or 'N天前'."""
    style = rng.randrange(5 if relative else 4)
    if style == 4 and 0 < (today - day).days <= 30:
        return f"{(today - day).days}天前"
    if style == 1:
        return f"{day.year}/{day.month}/{day.day}"
    if style == 2:
        return f"{day.year}年{day.month}月{day.day}日"
    return day.isoformat()


def _area_text(rng: random.Random, place: Place) -> str:
    """Messy place text: full path, county only, city+district, with a town, stray spaces."""
    town = rng.choice(place.towns)
    county = place.county
    forms = [
        place.province + place.prefecture + county + town,
        place.pref_short + county,
        place.prov_city_short + county,
        (place.province + place.pref_short if place.prefecture else place.province) + county,
        place.pref_short + county + town,
    ]
    if county not in AMBIGUOUS:
        forms += [county, county + town]
    if place.short:
        forms += [place.short, place.short]
    text = rng.choice(forms)
    roll = rng.random()
    if roll < 0.06:
        text = f" {text} "
    elif roll < 0.1 and text.startswith(place.pref_short):
        text = place.pref_short + " " + text[len(place.pref_short):]
    return text


def _round(value: float, step: int) -> int:
    return max(step, int(round(value / step)) * step)


def _salary_text(rng: random.Random, occ: Occupation, place: Place, mode: str, lang: str) -> str:
    """Plausible pay text for this work and place in one of the many forms postings use."""
    jitter = rng.uniform(0.9, 1.12)
    lo = _round(occ.pay[0] * place.pay_mult * jitter, 100)
    hi = max(lo + 500, _round(occ.pay[1] * place.pay_mult * jitter, 100))
    day = _round((lo + hi) / 2 / 26, 10)
    hour = max(15, round((lo + hi) / 2 / 208))
    if rng.random() < 0.03:
        return "Negotiable" if lang == "en" else "面议"
    if lang == "en":
        return {"m": f"CNY {lo}-{hi}/month", "d": f"{day} yuan/day", "h": f"{hour} CNY/hour",
                "p": f"Piece rate, skilled workers earn {hi}+ per month"}[mode]
    if mode == "d":
        return rng.choice((f"日结{day}元", f"{day}元/天", f"{day}-{day + 30}元/天", f"日薪{day}元"))
    if mode == "h":
        return rng.choice((f"时薪{hour}元", f"{hour}元/小时"))
    if mode == "p":
        return rng.choice(("计件工资，多劳多得", f"计件，熟练工月入{hi}元以上", "计件工资"))
    lo_k, hi_k = max(1, round(lo / 1000)), max(2, round(hi / 1000))
    hi_k = max(hi_k, lo_k + 1)
    year_lo, year_hi = max(1, lo * 12 // 10000), max(2, round(hi * 12 / 10000))
    forms = [
        f"{lo}-{hi}元/月", f"{lo}-{hi}元/月", f"月薪{lo}元以上", f"{lo / 1000:g}K-{hi / 1000:g}K",
        f"{lo_k}千-{hi_k}千", f"{lo}~{hi}", f"{lo}-{hi}", f"底薪{lo}元+绩效",
    ]
    if lo >= 4000:
        forms.append(f"年薪{year_lo}万-{max(year_hi, year_lo + 1)}万")
    return rng.choice(forms)


def _description(rng: random.Random, occ: Occupation, place: Place, lang: str) -> str:
    """Two to five sentences of duties and requirements in the posting's language."""
    if lang == "en":
        lines = rng.sample(occ.en_lines, k=min(len(occ.en_lines), rng.randint(1, 2)))
        return " ".join([*lines, *rng.sample(EXTRAS_EN, k=rng.randint(1, 2))])
    extras = EXTRAS_WEST if place.region == "west" else EXTRAS_EAST
    parts = [rng.choice(occ.duties), *rng.sample(occ.reqs, k=rng.randint(1, 2))]
    parts += rng.sample(extras, k=rng.randint(0, 2))
    return "".join(parts)


def _count_text(rng: random.Random, lang: str) -> str:
    n = rng.choice((1, 2, 2, 3, 4, 5, 5, 6, 8, 10, 10, 15, 20, 30, 50))
    if lang == "en":
        return rng.choice((str(n), f"{n} people", "several"))
    return rng.choice((f"{n}人", f"{n}人", "若干", str(n), f"招{n}名", f"{n}-{n + 5}人"))


def _contact(rng: random.Random, place: Place, lang: str) -> str | None:
    """A fake contact line (obviously patterned numbers, no real personal data), or None."""
    roll = rng.random()
    if roll < 0.15:
        return None
    if roll < 0.25:
        return ""
    digits = "1234" + "".join(str(rng.randrange(10)) for _ in range(3 if len(place.area_code) == 4 else 4))
    phone = f"{place.area_code}-{digits}"
    if lang == "en":
        return f"Contact: Mr./Ms. {rng.choice(EN_SURNAMES)}, Tel: {phone}"
    return f"联系人：{rng.choice(SURNAMES)}{rng.choice(HONORIFICS)} 电话：{phone}"


def _posting(rng: random.Random, number: int, employer: Employer, occ_key: str,
             today: datetime.date, expired: bool) -> dict[str, object]:
    """One raw bureau-export posting."""
    occ = OCCUPATIONS[occ_key]
    place = PLACES[employer.county]
    lang = "en" if employer.lang == "en" and occ.en_titles and rng.random() < 0.8 else "zh"
    job_type = rng.choice(occ.job_types)
    mode = {"日结": "d", "兼职": "h"}.get(job_type) or rng.choice(occ.pay_modes)
    if lang == "en":
        title = rng.choice(occ.en_titles)
        job_type = "part-time" if job_type in ("兼职", "日结", "临时工") else "full-time"
        welfare = rng.choice(WELFARE_EN)
    else:
        title = rng.choice(occ.titles)
        if occ_key != "public_welfare" and rng.random() < 0.12:
            title = rng.choice(TITLE_PREFIXES) + title
        pool = {"public_welfare": WELFARE_PUBLIC}.get(occ_key)
        welfare = rng.choice(pool or (WELFARE_WEST if place.region == "west" else WELFARE_EAST))
    if expired:
        end = today - datetime.timedelta(days=rng.randint(1, 20))
        posted = end - datetime.timedelta(days=rng.randint(15, 45))
        deadline = _fmt_date(rng, end, today, relative=False)
    else:
        posted = today - datetime.timedelta(days=rng.randint(0, 30))
        roll = rng.random()
        end = posted + datetime.timedelta(days=rng.randint(35, 120))
        deadline = "长期有效" if roll < 0.12 else "" if roll < 0.2 else _fmt_date(rng, end, today, False)
    ext_id = f"DEMO-{number:06d}"
    item: dict[str, object] = {
        "id": ext_id,
        "title": title,
        "company": employer.name,
        "description": _description(rng, occ, place, lang),
        "area": _area_text(rng, place),
        "salary": _salary_text(rng, occ, place, mode, lang),
        "welfare": welfare,
        "job_type": job_type,
        "count": _count_text(rng, lang),
        "publish_date": _fmt_date(rng, posted, today, relative=True),
        "deadline": deadline,
        "url": URL_BASE + ext_id + rng.choice(URL_TAILS),
    }
    contact = _contact(rng, place, lang)
    if contact is not None:
        item["contact"] = contact
    return item


def _pick_employer(rng: random.Random, county: str, occ_key: str) -> Employer:
    """An employer in this county hiring for this work (any employer there as a fallback)."""
    hiring = [e for e in EMPLOYERS if e.county == county and occ_key in e.occupations]
    return rng.choice(hiring or [e for e in EMPLOYERS if e.county == county])


def _slots(rng: random.Random) -> list[tuple[Employer, str, bool]]:
    """(employer, occupation, anchored) for every valid posting, in a seeded random order."""
    slots = [(_pick_employer(rng, county, occ), occ, True) for county, occ in ANCHORS]
    slots += [(e, rng.choice(e.occupations), False) for e in EMPLOYERS for _ in range(2)]
    west_target = round(N_VALID * WEST_SHARE)
    for region, target in (("west", west_target), ("east", N_VALID - west_target)):
        pool = [e for e in EMPLOYERS if PLACES[e.county].region == region]
        have = sum(1 for e, _, _ in slots if PLACES[e.county].region == region)
        for _ in range(target - have):
            employer = rng.choice(pool)
            slots.append((employer, rng.choice(employer.occupations), False))
    rng.shuffle(slots)
    return slots


def generate_demo_items(
    seed: int = DEFAULT_SEED, today: datetime.date | None = None
) -> list[dict[str, object]]:
    """Return the seeded demo postings: valid items first, then eight malformed ones."""
    today = today or DEFAULT_TODAY
    rng = random.Random(seed)
    slots = _slots(rng)
    free = [i for i, (_, _, anchored) in enumerate(slots) if not anchored]
    expired = set(rng.sample(free, k=round(len(slots) * EXPIRED_SHARE)))
    items = [_posting(rng, i + 1, employer, occ, today, i in expired)
             for i, (employer, occ, _) in enumerate(slots)]
    return items + _malformed(rng, items, today)


def _malformed(rng: random.Random, valid: list[dict[str, object]],
               today: datetime.date) -> list[dict[str, object]]:
    """The eight deliberately broken postings for the quarantine path, each with a _demo_note."""
    zh_employers = [e for e in EMPLOYERS if e.lang == "zh" and "public_welfare" not in e.occupations]
    number = len(valid)

    def base() -> dict[str, object]:
        nonlocal number
        number += 1
        employer = rng.choice(zh_employers)
        return _posting(rng, number, employer, employer.occupations[0], today, expired=False)

    broken: list[dict[str, object]] = []
    for note, title in (("empty_title", ""), ("blank_title", "   \u3000 ")):
        item = base()
        item["title"] = title
        broken.append({**item, "_demo_note": note})
    item = base()
    del item["title"]
    broken.append({**item, "_demo_note": "missing_title"})
    broken.append({**dict(rng.choice(valid)), "_demo_note": "duplicate"})
    item = base()
    broken.append({**item, "area": "火星基地", "_demo_note": "unknown_place"})
    item = base()
    broken.append({**item, "area": "", "salary": "面议", "_demo_note": "no_place"})
    item = base()
    broken.append({**item, "title": "急" * 300, "_demo_note": "too_long_title"})
    item = base()
    item["description"] = f"{item['description']}{XSS_PAYLOAD}"
    broken.append({**item, "_demo_note": "xss"})
    return broken
