"""Names people write for townships, and pinyin/English place text split into parts.

Pure string rules, shared by the township resolver (``places.towns``) and the generator that
builds its data file (``scripts/make_towns.py``), so both read names the same way.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from places.gazetteer import _SUFFIXES, default_csv_path, normalise_text

# Longest first: "街道办事处" before "办事处", "民族乡" before "乡".
_TOWN_KINDS = ("街道办事处", "地区办事处", "民族苏木", "民族乡", "办事处", "苏木", "街道", "镇", "乡")
# What people write instead of the official kind ("东华门街道办事处" -> "东华门街道").
_SHORT_KIND = {"街道办事处": "街道", "民族乡": "乡", "民族苏木": "苏木"}
# Kinds whose bare stem ("乐里" for 乐里镇) may name the town once its county is known.
_STEM_KINDS = frozenset({"街道办事处", "民族乡", "民族苏木", "苏木", "街道", "镇", "乡"})
TOWN_SUFFIX_CHARS = ("镇", "乡", "街道", "苏木", "办事处", "农场", "林场", "牧场", "区", "处")

_NOTE = re.compile(r"\([^()]*\)")  # after NFKC, "（省级）" is "(省级)"
_HANZI_ONLY = re.compile(r"[\u4e00-\u9fff]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z]+")

# English words that say which level a part names; they are not part of the name.
LEVEL_WORDS = {
    "province": "province", "region": "province", "municipality": "province",
    "prefecture": "city", "city": "city", "league": "city",
    "county": "county", "district": "county", "banner": "county",
    "town": "town", "township": "town", "subdistrict": "town", "street": "town", "sumu": "town",
}
# Words that qualify a name ("Qiandongnan Miao and Dong Autonomous Prefecture"): with one of
# these in a part, only its first word is the name.
_QUALIFIERS = frozenset({"autonomous", "ethnic", "nationality", "special", "administrative"})
_FILLERS = frozenset({"and", "of", "the", "in", "near", "china", "prc"})


@lru_cache(maxsize=1)
def _ethnic_tail() -> re.Pattern[str]:
    """Ethnic-group names that end a township's stem: "三江水族" -> "三江", "塔石瑶族水族" -> "塔石"."""
    path = default_csv_path().with_name("56_nations.csv")
    names = [n.strip().removesuffix("族") for n in path.read_text(encoding="utf-8").split()]
    alternatives = "|".join(map(re.escape, sorted({n for n in names if n}, key=len, reverse=True)))
    return re.compile(f"(?:(?:{alternatives})族)+$")


def plain_name(name: str) -> str:
    """A township's name without notes in brackets, NFKC-folded: "伍佑街道（城南新区）" -> "伍佑街道"."""
    if _HANZI_ONLY.fullmatch(name):
        return name  # nearly all names: nothing to fold (and loading 42,000 stays quick)
    return normalise_text(_NOTE.sub("", unicodedata.normalize("NFKC", name))) or normalise_text(name)


def split_town(name: str) -> tuple[str, str]:
    """A township's name as (stem, kind): "三江水族乡" -> ("三江", "民族乡"), "古州镇" -> ("古州", "镇")."""
    name = plain_name(name)
    for kind in _TOWN_KINDS:
        if name.endswith(kind) and len(name) > len(kind):
            base = name[: -len(kind)]
            stem = _ethnic_tail().sub("", base) if base.endswith("族") else base
            if stem != base and kind == "乡":
                kind = "民族乡"  # "三江水族乡" is a 民族乡 written without the word
            if len(stem) < 2:
                stem = base  # "三江水族乡" loses the ethnic group; "回族乡" would lose everything
            return (stem, kind) if len(stem) >= 2 else (name, "")  # "坝镇": no shorter name
    return name, ""


def town_forms(name: str) -> set[str]:
    """Names that, written alone, mean this township: the official one and the usual short one."""
    stem, kind = split_town(name)
    forms = {plain_name(name), name if _HANZI_ONLY.fullmatch(name) else normalise_text(name)}
    if kind:
        short = _SHORT_KIND.get(kind, kind)
        if len(stem) >= 2:
            forms.add(stem + short)
        if kind == "街道办事处":
            forms.add(plain_name(name).removesuffix("办事处"))
    return forms


def town_stem(name: str) -> str | None:
    """The bare stem ("乐里") that names the township inside a known county, if it has one."""
    stem, kind = split_town(name)
    return stem if kind in _STEM_KINDS and len(stem) >= 2 else None


def admin_stem(name: str, ethnic: re.Pattern[str]) -> str:
    """A county/city/province name without its ethnic groups and kind: "榕江县" -> "榕江"."""
    base = ethnic.sub("", name)
    for suffix in _SUFFIXES:
        if base.endswith(suffix) and len(base) - len(suffix) >= 2:
            return base[: -len(suffix)]
    return base


def pinyin_key(syllables: list[str]) -> str:
    """Join pinyin syllables into the key both sides are compared by ("lv" and "lü" -> "lu")."""
    key = "".join(syllables).lower().replace("ü", "u").replace("v", "u")
    return re.sub(r"[^a-z0-9]", "", key)  # characters pypinyin does not know are passed through


def is_latin(text: str) -> bool:
    """True for place text written in Latin letters only (pinyin or English)."""
    return not _CJK.search(text) and any(ch.isascii() and ch.isalpha() for ch in text)


def _fold(text: str) -> str:
    """Lower-case, accents and tone marks dropped ("Róngjiāng" -> "rongjiang", "Lü" -> "lu")."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("'", "").replace("’", "")


class LatinPart(NamedTuple):
    """One comma-separated part of Latin place text: its pinyin key, level word and words."""

    key: str
    level: str | None
    words: tuple[str, ...]


def latin_parts(text: str) -> list[LatinPart]:
    """Split "Lele Town, Rongjiang County" into parts keyed "lele" (town) and "rongjiang" (county).

    Each comma-separated part gives its name as one pinyin key and the level its English word
    names (None without one). A part that is only level words or fillers is dropped.
    """
    parts: list[LatinPart] = []
    for chunk in re.split(r"[,，;；/|()（）]+", _fold(text)):
        words = _LATIN_WORD.findall(chunk)
        levels = [LEVEL_WORDS[w] for w in words if w in LEVEL_WORDS]
        qualified = any(w in _QUALIFIERS for w in words)
        names = [w.replace("v", "u") for w in words
                 if w not in LEVEL_WORDS and w not in _QUALIFIERS and w not in _FILLERS]
        if not names:
            continue
        key = names[0] if qualified else "".join(names)
        parts.append(LatinPart(key, levels[-1] if levels else None, tuple(names)))
    return parts
