"""Chinese numerals in pay text as Arabic ones: "月薪三千五" is "月薪3500", "四五千" is "4千-5千".

Only numbers with 百, 千 or 万 are converted, and only from a digit word on: "五险一金", "一天",
"三班倒", "万一" and "千万" stay as they are. Pure text in, text out.
"""

from __future__ import annotations

import re

_DIGIT_WORDS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
                "九": 9}
_POWER_WORDS = {"十": 10, "百": 100, "千": 1000}
_MEASURES = set("个天日月年周小次")
# "三千五", "一万二", "两百": a count of hundreds, thousands or ten thousands; "五险一金", "一天" hold
# none, and "万一" does not start with a digit. "四五千" is a range: 4,000-5,000.
_IN_WORDS = re.compile(r"[一二两三四五六七八九十][零一二两三四五六七八九十百千万]*")
_NEIGHBOURS = re.compile(r"(?<![零一二两三四五六七八九十百千万])"
                         r"([一二三四五六七八])([二三四五六七八九])([百千万])")


def arabic_numerals(text: str) -> str:
    """Chinese numerals with 百, 千 or 万 as Arabic ones ("月薪三千五" is "月薪3500"); others as written."""
    text = _NEIGHBOURS.sub(lambda m: f"{m.group(1)}{m.group(3)}-{m.group(2)}{m.group(3)}"
                           if _DIGIT_WORDS[m.group(2)] == _DIGIT_WORDS[m.group(1)] + 1 else m.group(0), text)
    text = re.sub(r"(?<=[薪入资])过万", "1万以上", text)  # "月入过万": 10,000 and up
    return _IN_WORDS.sub(lambda m: _converted(m, text), text)


def _converted(match: re.Match[str], text: str) -> str:
    words = match.group(0)
    if words[-1] in _DIGIT_WORDS and text[match.end():match.end() + 1] in _MEASURES:
        return _number_in_words(words[:-1]) + words[-1]  # "八千一个月": 8,000 a month, not 8,100
    return _number_in_words(words)


def _number_in_words(words: str) -> str:
    if not re.search("[百千万]", words) or re.search("[一二两三四五六七八九]{2}", words):
        return words
    total = section = number = 0
    last = 1
    for char in words:
        if char == "零":
            last = 10  # "一千零五": what follows 零 is ones
        elif char in _DIGIT_WORDS:
            number = _DIGIT_WORDS[char]
        elif char == "万":
            total, section, number, last = (total + section + number) * 10000, 0, 0, 10000
        else:
            power = _POWER_WORDS[char]
            section, number, last = section + (number or 1) * power, 0, power
    # "三千五": a last digit after a power is one power down (3,500, not 3,005).
    return str(total + section + number * max(last // 10, 1))
