"""The ``feed`` kind: RSS 2.0 (and 1.0) and Atom; pay, place and dates come from the item's text.

Parsed with defusedxml's ``iterparse`` (no DTD entities, no external resources): items are
yielded as each one closes, so a truncated feed still gives every complete item before the
break, and then the source reports the error. A half-read item is never yielded.
"""

from __future__ import annotations

import html.entities
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from urllib.parse import urljoin

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from jobs_ingest.fetch import Fetcher
from jobs_ingest.freetext import extract_fields
from jobs_ingest.normalise import CHINA_TIME, clean_text, parse_datetime
from jobs_ingest.records import RawItem, Rejected, SourceConfig
from jobs_ingest.sources import register
from jobs_ingest.sources.common import SourceError, excerpt, fetcher_for

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>")
_ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


@register("feed")
def fetch(config: SourceConfig, fetcher: Fetcher | None = None) -> Iterator[RawItem]:
    """Fetch the feed at ``config.location`` and yield its items."""
    with fetcher_for(config, fetcher) as http:
        try:
            response = http.get(config.location)
            text = response.text()
        except Rejected as exc:
            raise SourceError(exc.reason, exc.detail) from None
    yield from parse_feed(text, response.url)


def _as_utf8_xml(text: str) -> bytes:
    """The feed re-encoded as UTF-8 (expat cannot read GBK), HTML named entities made numeric."""
    body = _XML_DECL.sub("", text.lstrip("\ufeff"), count=1)

    def numeric(match: re.Match[str]) -> str:
        """&nbsp; -> &#160; (XML knows only five named entities)."""
        name = match.group(1)
        if name in _XML_ENTITIES or name not in html.entities.name2codepoint:
            return match.group(0)
        return f"&#{html.entities.name2codepoint[name]};"

    return _ENTITY.sub(numeric, body).encode("utf-8")


def parse_feed(text: str, base_url: str) -> Iterator[RawItem]:
    """Items of an RSS or Atom document; a parse error after some items raises SourceError."""
    events = SafeET.iterparse(io.BytesIO(_as_utf8_xml(text)), events=("end",))
    count = 0
    try:
        for _event, element in events:
            if _local(element.tag) in ("item", "entry"):
                count += 1
                yield _item(element, base_url)
                element.clear()  # keep memory flat on long feeds
    except (ET.ParseError, DefusedXmlException) as exc:
        detail = f"the feed is not well-formed XML after {count} items: {exc}"
        raise SourceError("malformed", detail) from None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(element: ET.Element, *names: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) in names]


def _child_text(element: ET.Element, *names: str) -> str:
    for name in names:  # in order of preference
        for child in _children(element, name):
            text = "".join(child.itertext()).strip()
            if text:
                return text
    return ""


def _link(element: ET.Element, base_url: str) -> str:
    for child in _children(element, "link"):
        href = child.get("href")
        if href and child.get("rel", "alternate") == "alternate":
            return urljoin(base_url, href.strip())
        if not href and (child.text or "").strip():
            return urljoin(base_url, (child.text or "").strip())
    return ""


def _day(value: str) -> str:
    """An RFC 822 / ISO timestamp as the day it is in China, for the date rules."""
    moment = parse_datetime(value)
    return moment.astimezone(CHINA_TIME).date().isoformat() if moment else value


def _item(element: ET.Element, base_url: str) -> RawItem:
    title = _child_text(element, "title")
    bodies = [_child_text(element, name) for name in ("encoded", "content", "description", "summary")]
    body = max(bodies, key=len)
    url = _link(element, base_url)
    categories = [c.get("term") or (c.text or "") for c in _children(element, "category")]
    posted = _child_text(element, "pubdate", "published", "date", "issued")
    fields: dict[str, object] = {
        "external_id": _child_text(element, "guid", "id") or url, "title": title, "description": body,
        "url": url, "posted_text": _day(posted) if posted else "",
        "updated_text": _child_text(element, "updated", "modified"),
        "type_text": " ".join(c.strip() for c in categories if c and c.strip()),
    }
    found = extract_fields(clean_text(title), clean_text(body))
    fields.update(found)
    if found.get("type_text"):
        fields["type_text"] = f"{fields['type_text']} {found['type_text']}".strip()
    return RawItem(fields=fields, excerpt=excerpt(ET.tostring(element, encoding="unicode")))
