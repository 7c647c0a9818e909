"""Text that is safe to show: HTML sanitised to plain text (nh3), Traditional to Simplified.

nh3 (the Ammonia sanitiser) parses the markup the way a browser would, drops scripts, styles
and every attribute, and keeps only block tags, which become line breaks. What it returns is
entity-escaped; unescaping it could turn ``&lt;script&gt;`` written as text back into
``<script>``, so a last pass removes anything that still looks like a tag. The result holds
no element, hence no ``on…=`` handler, whatever the input.
"""

from __future__ import annotations

import html
import importlib.resources
import re
import unicodedata
from functools import lru_cache

import nh3
from opencc import OpenCC

_BLOCKS = {"p", "div", "br", "li", "ul", "ol", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6",
           "section", "article", "blockquote", "dd", "dt", "pre"}
# Elements whose content is code or raw text, never words meant for a reader: dropped whole.
_DROPPED = {"script", "style", "iframe", "noscript", "noembed", "noframes", "xmp", "template", "object",
            "svg", "math"}
_BLOCK_TAG = re.compile(r"</?(?:" + "|".join(sorted(_BLOCKS)) + r")\s*/?>", re.I)
# "<" followed by a letter, "/", "!" or "?" starts a tag in HTML; "<5000" does not.
_TAG_LIKE = re.compile(r"<[A-Za-z/!?][^<>]*>?")
_SPACE = re.compile(r"[ \t\u3000\u00a0]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
# Characters that change how the text around them is shown, or that no reader should get: bidi
# marks, embeddings, overrides and isolates ("高薪\u202egpj.exe" shows as "高薪exe.jpg"), and the
# C0/C1 controls (NUL, BEL, ESC, …; PostgreSQL text cannot hold NUL) except tab and line breaks.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_CONTROLS = [c for c in range(0x20) if c not in (0x09, 0x0A, 0x0D)] + [0x7F, *range(0x80, 0xA0)]
_UNSAFE = {**dict.fromkeys(map(ord, BIDI), None), **dict.fromkeys(_CONTROLS, None), 0x85: "\n"}


def html_to_text(raw: str | None) -> str:
    """Sanitise possibly-HTML text to plain text: no element or attribute survives."""
    if not raw:
        return ""
    cleaned = nh3.clean(str(raw), tags=_BLOCKS, clean_content_tags=_DROPPED, attributes={}, link_rel=None,
                        strip_comments=True)
    text = html.unescape(_BLOCK_TAG.sub("\n", cleaned))
    previous = None
    while previous != text:  # each pass only removes characters, so this ends
        previous, text = text, _TAG_LIKE.sub(" ", text)
    return text


def drop_unsafe(text: str) -> str:
    """``text`` without bidi controls and control characters (tab and line breaks stay)."""
    return text.translate(_UNSAFE)


def tidy(text: str, limit: int) -> str:
    """NFKC-fold, drop zero-width, bidi and control characters, collapse spaces and blank lines,
    cut to ``limit``. Every text field of a posting passes here (``normalise.clean_text``)."""
    folded = drop_unsafe(unicodedata.normalize("NFKC", text)).translate(_INVISIBLE)
    lines = (_SPACE.sub(" ", line).strip() for line in folded.splitlines())
    return "\n".join(line for line in lines if line)[:limit]


@lru_cache(maxsize=1)
def _converter() -> tuple[OpenCC, frozenset[str]]:
    """The t2s converter and the characters that only Traditional text uses (loaded once)."""
    table = importlib.resources.files("opencc").joinpath("dictionary/TSCharacters.txt")
    traditional = set()
    for line in table.read_text(encoding="utf-8").splitlines():
        source, _, targets = line.partition("\t")
        if source and source not in targets.split():
            traditional.add(source)
    return OpenCC("t2s"), frozenset(traditional)


def to_simplified(text: str) -> str:
    """Traditional Chinese to Simplified; text without Traditional characters is returned as is."""
    converter, traditional = _converter()
    # Converting is ~1000x slower than this scan, and nearly all postings are Simplified.
    if not any(ch in traditional for ch in text):
        return text
    return str(converter.convert(text))
