"""Every page of the site, for the language tests: which URL renders each GET route, as whom, and
what on a page is the site's own wording (as opposed to data: postings, names, places).

A page's own wording is every text node and every human-readable attribute (``title``,
``placeholder``, ``aria-label``, ``alt``, a button's ``value``) outside ``<script>``/``<style>``
and outside elements that say they hold data:

- ``lang="…"`` on an element says its content is in that language (the language switcher's
  "中文"/"English"; quoted data such as a posting's original pay text);
- ``translate="no"`` says its content is data and must not be translated (HTML's own attribute:
  user-typed words, postings' titles, employers, places, reasons that quote a worker's words).

What is left is then compared with the data the test world holds (every string stored in the
database, and the occupation classification's names that reasons quote): a stretch of text that
is exactly a stored value is data wherever it stands.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any

import sqlalchemy as sa

CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# English words a Chinese page may show: the brand in Latin letters, units, and acronyms a worker
# reads as such. Everything else in Latin letters on a Chinese page is untranslated wording.
ZH_PAGE_LATIN = frozenset(
    {
        "Jiujin",
        "XLS",
        "MB",
        "km",
        "QR",
        "API",
        "JSON",
        "CSV",
        "XLSX",
        "Excel",
        "ID",
        "SMS",
        "OpenStreetMap",
        "Leaflet",
        "English",
        "WeChat",
        "PDF",
        "URL",
        "HTTPS",
        "AM",
        "PM",
    }
)
READABLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
SKIPPED_TAGS = ("script", "style")
BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "li",
        "dt",
        "dd",
        "h1",
        "h2",
        "h3",
        "h4",
        "tr",
        "td",
        "th",
        "ul",
        "ol",
        "section",
        "br",
        "label",
        "option",
        "form",
        "table",
        "nav",
        "header",
        "footer",
        "main",
        "title",
        "summary",
        "details",
        "aside",
        "article",
        "fieldset",
        "legend",
        "select",
    }
)
VOID_TAGS = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
)


class _Wording(HTMLParser):
    """Collects a page's own wording: text and readable attributes outside data regions."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []  # (tag, is this element data or inside data)
        self.texts: list[str] = []

    @property
    def in_data(self) -> bool:
        return bool(self.stack) and self.stack[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        data = (
            self.in_data
            or tag in SKIPPED_TAGS
            or "lang" in values
            and tag != "html"
            or values.get("translate") == "no"
        )
        if not data:
            self.texts.extend(v for k, v in attrs if k in READABLE_ATTRIBUTES and v)
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.texts.append(values["value"] or "")
        if self.keep_data and tag in BLOCK_TAGS:
            self.texts.append("\n")
        if tag not in VOID_TAGS:
            self.stack.append((tag, data))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if self.keep_data and tag in BLOCK_TAGS:
            self.texts.append("\n")
        for i in range(len(self.stack) - 1, -1, -1):  # forgiving of unclosed <p>, <li>, <dt>
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    keep_data = False  # True: every text node, data included, blocks apart (for punctuation checks)

    def handle_data(self, data: str) -> None:
        if self.keep_data:
            if not any(tag in SKIPPED_TAGS for tag, _ in self.stack):
                self.texts.append(data)
        elif not self.in_data and data.strip():
            self.texts.append(data)


def page_wording(html: str) -> list[str]:
    """The page's own text pieces (data regions left out)."""
    parser = _Wording()
    parser.feed(html)
    parser.close()
    return parser.texts


def stored_strings(session: Any) -> list[str]:
    """Every string value stored in the database (JSON lists and objects unpacked), longest first."""
    found: set[str] = set()
    for table in _tables():
        columns = [c for c in table.columns if isinstance(c.type, sa.String | sa.Text | sa.JSON)]
        if not columns:
            continue
        for row in session.execute(sa.select(*columns)):
            for value in row:
                found.update(_strings(value))
    return sorted((s for s in found if len(s.strip()) > 1), key=len, reverse=True)


def _tables() -> Iterable[sa.Table]:
    from web.extensions import db

    return db.metadata.sorted_tables


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value.strip()
        yield from (part.strip() for part in re.split(r"[\n\r]+", value) if part.strip())
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


# Chinese the English site shows on purpose, because the reader must type it so: examples of
# place names (the gazetteer reads Chinese names) and of a worker's own words.
TYPED_EXAMPLES = ("榕江县古州镇", "平寨村", "黔东南州", "榕江县", "广州市", "电焊")
# A reason quotes the worker's own words: 'x' / “x” / ‘x’ around text the data holds.
QUOTED = re.compile(r"'([^']+)'|“([^”]+)”|‘([^’]+)’")


def without_data(text: str, data: list[str]) -> str:
    """``text`` with every stored value in it blanked out (longest first), and quoted words
    that are part of a stored value (a reason quoting what the worker wrote)."""
    if not CJK.search(text) and not LATIN_WORD.search(text):
        return text
    for value in data:
        if value in text:
            text = text.replace(value, " ")
    return QUOTED.sub(
        lambda m: " " if _quotes_data(next(g for g in m.groups() if g), data) else m.group(0), text
    )


def _quotes_data(words: str, data: list[str]) -> bool:
    parts = [w.strip() for w in re.split(r"[,、]", words) if w.strip()]
    return all(any(w in value for value in data) for w in parts)


def glued_punctuation(html: str) -> list[str]:
    """English text where a colon, comma or semicolon runs into the next word ("says:Open")."""
    joined = "".join(_all_text(html))
    return sorted({m.group(0) for m in re.finditer(r"[A-Za-z][:;,][A-Za-z]{2,}", joined)})


def _all_text(html: str) -> list[str]:
    parser = _Wording()
    parser.keep_data = True
    parser.feed(html)
    parser.close()
    return parser.texts


def cjk_outside_data(html: str, data: list[str]) -> list[str]:
    """Each page text that shows Chinese characters (or full-width punctuation) that are not data."""
    data = sorted({*data, *TYPED_EXAMPLES}, key=len, reverse=True)
    found = []
    for piece in page_wording(html):
        rest = without_data(piece, data)
        if CJK.search(rest):
            found.append(" ".join(piece.split())[:120])
    return found


def latin_outside_data(html: str, data: list[str]) -> list[str]:
    """Each page text that shows English words (beyond the whitelist) that are not data."""
    data = sorted(set(data), key=len, reverse=True)
    found = []
    for piece in page_wording(html):
        rest = without_data(piece, data)
        words = [w for w in LATIN_WORD.findall(rest) if w not in ZH_PAGE_LATIN]
        if words:
            found.append(f"{' '.join(words)} in: {' '.join(piece.split())[:120]}")
    return found


@dataclass
class Case:
    """One page: who looks at it, its URL, what the session holds, the status it answers."""

    endpoint: str
    role: str | None
    path: Callable[[Any], str]
    status: int = 200
    session: dict[str, Any] = field(default_factory=dict)


def now() -> datetime:
    """Now, aware."""
    return datetime.now(UTC)
