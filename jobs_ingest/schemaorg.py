"""schema.org JobPosting from a web page: JSON-LD blocks and microdata, mapped to standard fields.

JSON-LD is parsed here block by block rather than through extruct: extruct drops every block of
a page when one is broken, and we must quarantine the broken block (``malformed``) while keeping
the good ones. Microdata goes through extruct (``errors="log"``) in its uniform JSON-LD shape,
so one mapper serves both.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit

import extruct
import lxml.html
from lxml import etree

log = logging.getLogger(__name__)

_JSONLD = etree.XPath(
    'descendant-or-self::script[translate(@type, "LDJSON", "ldjson")="application/ld+json"]')
_COMMENTS = re.compile(r"^\s*(?:<!--|//[^\n]*\n|/\*.*?\*/)|(?:-->|<!\[CDATA\[|\]\]>)\s*$", re.S)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*>")


@dataclass
class PageExtract:
    """The JobPostings found on one page, the JSON-LD blocks that could not be parsed, its links."""

    postings: list[dict[str, Any]] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (error, block text)
    links: list[str] = field(default_factory=list)  # absolute, without fragments


def parse_page(html: str, page_url: str) -> PageExtract:
    """Every JobPosting on a page (JSON-LD incl. @graph and arrays, then microdata)."""
    result = PageExtract()
    try:
        tree = lxml.html.document_fromstring(_XML_DECL.sub("", html) or "<html></html>")
    except (etree.ParserError, ValueError) as exc:
        result.broken.append((f"the page is not HTML: {exc}", html[:2000]))
        return result
    for node in _JSONLD(tree):
        block = node.text_content()
        try:
            data = _load_jsonld(block)
        except ValueError as exc:
            result.broken.append((f"JSON-LD does not parse: {exc}", block))
            continue
        result.postings.extend(_inline_references(p, data) for p in find_postings(data))
    micro = extruct.extract(tree, base_url=page_url, syntaxes=["microdata"], uniform=True, errors="log")
    result.postings.extend(find_postings(micro.get("microdata", [])))
    result.links = _links(tree, page_url)
    return result


def _links(tree: Any, page_url: str) -> list[str]:
    """The page's <a>/<area> targets made absolute (respecting <base href>), fragments dropped."""
    base = page_url
    for href in tree.xpath("//base/@href")[:1]:
        base = urljoin(page_url, str(href).strip())
    links: dict[str, None] = {}  # ordered, without repeats
    for href in tree.xpath("//a/@href | //area/@href"):
        try:
            links[urldefrag(urljoin(base, str(href).strip())).url] = None
        except ValueError:  # "http://[bad" and other URLs urllib refuses
            continue
    return [link for link in links if link]


def _load_jsonld(block: str) -> Any:
    text = block.strip()
    if not text:
        raise ValueError("the block is empty")
    try:
        return json.loads(text, strict=False)
    except ValueError:
        # Pages wrap JSON-LD in HTML comments or CDATA markers; strip them and try once more.
        return json.loads(_COMMENTS.sub("", text).strip(), strict=False)


def _is_posting(node: dict[str, Any]) -> bool:
    types = node.get("@type")
    types = types if isinstance(types, list) else [types]
    return any(isinstance(t, str) and re.sub(r"^.*[/#:]", "", t) == "JobPosting" for t in types)


def find_postings(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    """JobPosting objects in parsed JSON-LD: top level, arrays, @graph and ItemList items."""
    if depth > 4:
        return []
    if isinstance(data, list):
        return [p for item in data for p in find_postings(item, depth + 1)]
    if not isinstance(data, dict):
        return []
    if _is_posting(data):
        return [data]
    found = []
    for key in ("@graph", "itemListElement", "item", "mainEntity"):
        if key in data:
            found.extend(find_postings(data[key], depth + 1))
    return found


def _nodes_by_id(data: Any, found: dict[str, dict[str, Any]], depth: int = 0) -> dict[str, dict[str, Any]]:
    if depth > 6:
        return found
    if isinstance(data, list):
        for item in data:
            _nodes_by_id(item, found, depth + 1)
    elif isinstance(data, dict):
        if isinstance(data.get("@id"), str) and len(data) > 1:
            found.setdefault(data["@id"], data)
        for value in data.values():
            _nodes_by_id(value, found, depth + 1)
    return found


def _inline_references(posting: dict[str, Any], document: Any) -> dict[str, Any]:
    """Replace {"@id": …} references (common in @graph) by the nodes they point to."""
    nodes: dict[str, dict[str, Any]] | None = None
    inlined = dict(posting)
    for key, value in posting.items():
        if isinstance(value, dict) and set(value) == {"@id"}:
            nodes = nodes if nodes is not None else _nodes_by_id(document, {})
            inlined[key] = nodes.get(str(value["@id"]), value)
    return inlined


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str:
    """A property as text: strings as is, {"name"/"value"/"@value"} objects by that, lists joined."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list):
        return "、".join(t for t in (_text(v) for v in value) if t)
    if isinstance(value, dict):
        for key in ("name", "value", "@value", "description"):
            if key in value:
                return _text(value[key])
        return ""
    return str(value).strip()


def _address_text(location: Any) -> str:
    """Chinese order, large to small: region, locality, street (repeats dropped)."""
    location = _first(location)
    if isinstance(location, str):
        return location.strip()
    if not isinstance(location, dict):
        return ""
    address = _first(location.get("address", location))
    if isinstance(address, str):
        return address.strip()
    if not isinstance(address, dict):
        return _text(location.get("name"))
    parts: list[str] = []
    for key in ("addressRegion", "addressLocality", "streetAddress"):
        part = _text(address.get(key))
        if part and not any(part in p for p in parts):
            parts.append(part)
    return " ".join(parts) or _text(address.get("name")) or _text(location.get("name"))


def _place(posting: dict[str, Any]) -> tuple[str, float | None, float | None]:
    """Place text and, when the posting gives valid geo coordinates, those (they win over text)."""
    location = _first(posting.get("jobLocation"))
    text = _address_text(location)
    if not text and posting.get("applicantLocationRequirements"):
        text = _text(posting["applicantLocationRequirements"])
    if _text(posting.get("jobLocationType")).upper() == "TELECOMMUTE":
        text = f"{text}（远程）" if text else "远程"
    geo = location.get("geo") if isinstance(location, dict) else None
    lat = lon = None
    if isinstance(geo, dict):
        lat, lon = _coordinate(geo.get("latitude"), 90), _coordinate(geo.get("longitude"), 180)
        if lat is None or lon is None:
            lat = lon = None
    return text, lat, lon


def _coordinate(value: Any, bound: float) -> float | None:
    try:
        number = float(str(_first(value)).strip())
    except (TypeError, ValueError):
        return None
    return number if -bound <= number <= bound and number == number else None


def _salary(posting: dict[str, Any]) -> Any:
    """The baseSalary (or estimatedSalary) with a top-level salaryCurrency folded in."""
    salary = posting.get("baseSalary", posting.get("estimatedSalary"))
    currency = _text(posting.get("salaryCurrency")) or None
    if salary is None or salary == "":
        return None
    salary = _first(salary)
    if isinstance(salary, dict):
        return {"currency": currency, **salary} if currency and "currency" not in salary else salary
    return {"currency": currency, "value": salary} if currency else salary


def _description(posting: dict[str, Any]) -> str:
    parts = [_text(posting.get("description"))]
    for key in ("responsibilities", "qualifications", "experienceRequirements", "educationRequirements",
                "skills"):
        value = posting.get(key)
        if isinstance(value, str | list) and _text(value):
            parts.append(_text(value))
    return "\n".join(p for p in parts if p)


def _identifier(posting: dict[str, Any]) -> str:
    ident = _first(posting.get("identifier"))
    return _text(ident) if not isinstance(ident, dict) else _text(ident.get("value", ident.get("@value")))


def posting_fields(posting: dict[str, Any], page_url: str, shared_page: bool) -> dict[str, Any]:
    """Standard fields from one JobPosting found on ``page_url``.

    A posting's own ``url`` wins; otherwise the page URL, unless the page holds several postings,
    whose URLs would then all be the same (and collapse into one posting by canonical URL).
    """
    own_url = _text(_first(posting.get("url")))
    own_url = urljoin(page_url, own_url) if own_url else ""
    if urlsplit(own_url).scheme not in ("http", "https"):
        own_url = ""  # "javascript:…" is not a posting's address
    url = own_url or ("" if shared_page else page_url)
    title = _text(posting.get("title")) or _text(posting.get("name"))
    place_text, lat, lon = _place(posting)
    external_id = _identifier(posting) or url
    if not external_id:  # several postings, no ids and no URLs: a stable key from their content
        key = json.dumps([title, _text(posting.get("hiringOrganization")), place_text], ensure_ascii=False)
        external_id = f"{page_url}#{hashlib.sha1(key.encode('utf-8')).hexdigest()[:12]}"
    return {
        "external_id": external_id, "title": title, "description": _description(posting),
        "employer": _text(posting.get("hiringOrganization")), "place_text": place_text,
        "lat": lat, "lon": lon, "wage_struct": _salary(posting),
        "benefits_text": _text(posting.get("jobBenefits")),
        "type_text": _text(posting.get("employmentType")),
        "headcount_text": _text(posting.get("totalJobOpenings")),
        "posted_text": _text(posting.get("datePosted")),
        "valid_through_text": _text(posting.get("validThrough")),
        "updated_text": _text(posting.get("dateModified")), "url": url,
    }
