"""The ``html`` kind: a plain-HTML list of job links (and its next pages), one detail page per job.

Configured under ``[source.html]``: ``links`` (required) selects the links to detail pages on
the list page, ``next`` the link to the next list page (or ``pages``, the address of list page
n+1 such as ``index_{n}.html``, for pagers a script writes: a missing page ends the list);
``title``, ``employer``, ``place``, ``pay``, ``posted``, ``valid_through``, ``description``,
``headcount`` select a field on the detail page; every field without a selector comes from the
page's labels (``labels.py``: "岗位名称：… 薪资待遇：…"). A selector is CSS (parsel, so ``::text``
and ``::attr(x)`` work), or XPath when it starts with ``/`` or ``(``. ``content`` narrows the
detail page to one region, ``max_pages`` (20) bounds the list pages followed, ``same_host``
(true) keeps detail links on the list page's host, ``max_items`` stops after that many detail
pages (a trial run).

Every request goes through ``fetch.Fetcher`` (robots.txt, SSRF guard, size caps, deadlines,
conditional GET, encodings). A list page that fails, or where ``links`` finds no link on the
site, is a run error (detail pages already read are kept); a list page already seen ends the
paging (a loop); the page limit ends it with an ``incomplete`` error, so nothing is closed for
having disappeared. A detail page refused for its content (robots, size, encoding, a 4xx) or without
a job title is quarantined with the reason; transient failures (timeouts, 5xx) end the run
with an error after the other pages. The external id is the detail page's canonical URL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from cssselect import SelectorError
from lxml import etree
from parsel import Selector, SelectorList

from jobs_ingest import labels
from jobs_ingest.dedupe import canonical_url, strip_tracking
from jobs_ingest.fetch import Fetcher
from jobs_ingest.records import RawItem, Rejected, SourceConfig
from jobs_ingest.sources import register
from jobs_ingest.sources.common import SourceError, excerpt, fetcher_for, rejected_item

# Config key -> RawItem field, for the optional per-field selectors.
FIELD_KEYS = {"title": "title", "employer": "employer", "place": "place_text", "pay": "pay_text",
              "posted": "posted_text", "valid_through": "valid_through_text", "description": "description",
              "headcount": "headcount_text"}
OTHER_KEYS = frozenset({"links", "next", "pages", "content", "max_pages", "same_host", "max_items"})
# Keys whose values are text; the rest are numbers or true/false.
TEXT_KEYS = frozenset({*FIELD_KEYS, "links", "next", "pages", "content"})
GONE = frozenset({404, 410})
DEFAULT_MAX_PAGES = 20
TRANSIENT = frozenset({"timeout", "connection", "rate_limited"})


@dataclass(frozen=True, slots=True)
class HtmlSettings:
    """The ``[source.html]`` table, checked."""

    links: str
    next: str | None = None
    pages: str | None = None  # "index_{n}.html": list page n+1, for sites whose pager is a script
    content: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)  # RawItem field -> selector
    max_pages: int = DEFAULT_MAX_PAGES
    same_host: bool = True
    max_items: int | None = None

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> HtmlSettings:
        """Settings from a source's options (its ``html`` table); ValueError names what is wrong."""
        table = options.get("html")
        if not isinstance(table, Mapping):
            raise ValueError("an html source needs a [source.html] table with at least `links`")
        unknown = sorted(set(table) - OTHER_KEYS - set(FIELD_KEYS))
        if unknown:
            raise ValueError(f"unknown keys in [source.html]: {', '.join(unknown)}")
        if not isinstance(table.get("links"), str) or not table["links"].strip():
            raise ValueError("[source.html] needs `links`, the selector of the links to detail pages")
        selectors = {k: v for k, v in table.items() if k in FIELD_KEYS or k in ("links", "next", "content")}
        for key, query in selectors.items():
            check_selector(key, query)
        pages = table.get("pages")
        if pages is not None and (not isinstance(pages, str) or "{n}" not in pages):
            raise ValueError("[source.html] pages must be an address with {n}, e.g. \"index_{n}.html\"")
        max_items = table.get("max_items", options.get("max_items"))
        return cls(links=table["links"], next=table.get("next") or None, pages=pages,
                   content=table.get("content") or None,
                   fields={FIELD_KEYS[k]: v for k, v in table.items() if k in FIELD_KEYS},
                   max_pages=_whole(table.get("max_pages", DEFAULT_MAX_PAGES), "max_pages"),
                   same_host=_flag(table.get("same_host", True), "same_host"),
                   max_items=None if max_items is None else _whole(max_items, "max_items"))


def _flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"[source.html] {name} must be true or false")
    return value


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(f"[source.html] {name} must be a whole number from 1 up")
    return value


def check_selector(key: str, query: Any) -> None:
    """Raise ValueError naming ``key`` when ``query`` is no valid CSS or XPath selector."""
    if not isinstance(query, str) or not query.strip():
        raise ValueError(f"[source.html] {key} must be a CSS or XPath selector")
    try:
        select(Selector(text="<html></html>"), query)
    except (SelectorError, ValueError) as exc:
        raise ValueError(f"[source.html] {key} = {query!r} is not a valid selector: {exc}") from None


def select(node: Selector, query: str) -> SelectorList[Selector]:
    """CSS, or XPath when the selector starts with ``/`` or ``(``."""
    query = query.strip()
    return node.xpath(query) if query.startswith(("/", "(")) else node.css(query)


@register("html")
def fetch(config: SourceConfig, fetcher: Fetcher | None = None) -> Iterator[RawItem]:
    """Walk the list pages and yield one item per job on the detail pages they link to."""
    try:
        settings = HtmlSettings.from_options(config.options)
    except ValueError as exc:
        raise SourceError("config", str(exc)) from None
    with fetcher_for(config, fetcher) as http:
        yield from _Crawl(config, settings, http).run()


class _Crawl:
    """List pages in order (following ``next``), each page's detail links before the next page."""

    def __init__(self, config: SourceConfig, settings: HtmlSettings, http: Fetcher):
        self.settings, self.http = settings, http
        self.start = config.location.strip()
        self.hosts = {urlsplit(self.start).netloc.lower()}  # and where the list pages redirect to
        self.lists_seen: set[str] = set()
        self.links_seen: set[str] = set()
        self.failures: list[str] = []
        self.details = 0

    def run(self) -> Iterator[RawItem]:
        """Every list page's details; failures and limits end the run with an error afterwards."""
        url: str | None = self.start
        while url:
            key = canonical_url(url) or url
            if key in self.lists_seen:
                break  # "下一页" back to a page already read: the end of a loop, not an error
            if len(self.lists_seen) >= self.settings.max_pages:
                self.failures.append(f"stopped at max_pages={self.settings.max_pages}; {url} not read")
                break
            self.lists_seen.add(key)
            page = self._list_page(url, numbered=len(self.lists_seen) > 1 and self.settings.pages is not None)
            if page is None:
                break  # past the last numbered page
            for link in self._links(page, url):
                if self.settings.max_items is not None and self.details >= self.settings.max_items:
                    self.failures.append(f"stopped after max_items={self.settings.max_items} detail pages")
                    url = None
                    break
                yield from self._detail(link)
            else:
                url = self._next(page)
        if self.failures:
            raise SourceError("incomplete", "; ".join(self.failures[:5]))

    def _list_page(self, url: str, numbered: bool) -> Selector | None:
        """The list page; None for a numbered page that is not there (the list has ended)."""
        try:
            response = self.http.get(url)
            text = response.text()
        except Rejected as exc:
            if numbered and exc.reason == "http_status" and getattr(exc, "status", None) in GONE:
                return None
            raise SourceError(exc.reason, f"list page {url}: {exc.detail}") from None
        self.hosts.add(urlsplit(response.url).netloc.lower())  # rsj.example.gov.cn -> www.rsj…
        return Selector(text=text, base_url=response.url)

    def _links(self, page: Selector, url: str) -> list[str]:
        """Detail URLs on a list page: resolved, on the host, http(s), each once per run.

        A list page where ``links`` matches nothing usable is an error: a site redesign must not
        read as "every job is gone" (which would close them all).
        """
        nodes = select(page, self.settings.links)
        if not nodes:
            raise SourceError("no_links", f"list page {url}: the links selector {self.settings.links!r} "
                                          "matched nothing")
        links = [link for link in (self._resolve(page, _href(node)) for node in nodes) if link]
        if not links:
            raise SourceError("no_links", f"list page {url}: none of the {len(nodes)} links that "
                                          f"{self.settings.links!r} matches leads to a page on this site")
        found = []
        for link in links:
            key = canonical_url(link) or link
            if key in self.links_seen:
                continue
            self.links_seen.add(key)
            found.append(link)
        return found

    def _next(self, page: Selector) -> str | None:
        if self.settings.pages and not self.settings.next:
            numbered = self.settings.pages.replace("{n}", str(len(self.lists_seen)))
            return self._resolve(page, numbered, same_host_only=True)
        if not self.settings.next:
            return None
        for node in select(page, self.settings.next):
            url = self._resolve(page, _href(node), same_host_only=True)
            if url:
                return url
        return None

    def _resolve(self, page: Selector, href: str, same_host_only: bool = False) -> str | None:
        """An absolute http(s) URL (the page's <base href> honoured), on the host unless allowed."""
        href = href.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            return None
        base = urljoin(page.root.base_url or "", page.xpath("//base/@href").get() or "")
        url = strip_tracking(urljoin(base, href))
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return None
        if (same_host_only or self.settings.same_host) and parts.netloc.lower() not in self.hosts:
            return None
        return url

    def _detail(self, url: str) -> Iterator[RawItem]:
        self.details += 1
        external_id = canonical_url(url) or url
        try:
            response = self.http.get(url)
            text = response.text()
        except Rejected as exc:
            status = getattr(exc, "status", None)
            if exc.reason in TRANSIENT or (status is not None and (status >= 500 or status == 429)):
                self.failures.append(f"{url}: {exc.reason} ({exc.detail})")
                return
            yield rejected_item(exc.reason, f"detail page {url}: {exc.detail}", f"{url}\n{exc.detail}",
                                external_id=external_id)
            return
        try:
            items = parse_detail(text, url, self.settings, base_url=response.url)
        except (ValueError, RecursionError, etree.LxmlError) as exc:  # one odd page never ends the run
            items = [rejected_item("malformed", f"detail page {url}: cannot be read ({type(exc).__name__}: "
                                   f"{str(exc)[:200]})", text, external_id=external_id)]
        yield from items


def _href(node: Selector) -> str:
    """A selected link's target: an attribute or text the selector picked, an <a>'s href, or a
    link inside the selected element."""
    if not hasattr(node.root, "tag"):  # an attribute, text or string(...) the selector picked
        return str(node.root)
    if node.root.tag == "a":
        return node.attrib.get("href", "")
    return node.xpath(".//a/@href").get() or ""


def parse_detail(html: str, url: str, settings: HtmlSettings, base_url: str | None = None) -> list[RawItem]:
    """The items on one detail page: selected fields over labelled ones; no title means a rejection.

    ``url`` is the page's address as listed (its canonical form is the external id); a table of
    several jobs (a header row of labels over one row per job) gives one item per row, each with
    an id of its own (the page's and a hash of title and place) and no URL.
    """
    page = Selector(text=html, base_url=base_url or url)
    scope = page
    if settings.content:
        found = select(page, settings.content)
        if not found:
            return [_no_title(url, html, f"the content selector {settings.content!r} matched nothing")]
        scope = found[0]
    root = scope.root if not isinstance(scope.root, str) else page.root
    lines = labels.render_lines(root)
    labelled = labels.read_lines(lines)
    chosen = {name: _selected(scope, query, name) for name, query in settings.fields.items()}
    chosen = {name: value for name, value in chosen.items() if value}
    if "title" in settings.fields:
        labelled.rows = []  # a title selector names the page's one job
    jobs = list(labels.iter_fields(labelled))
    external_id = canonical_url(url) or url
    text = "\n".join(labels.plain(line) for line in lines)
    items = []
    counts: dict[str, int] = {}
    for job in jobs:
        # A field with a selector is that selector's alone, even when it matches nothing: a
        # wrong selector shows as a missing field, not as a label's value that happened to fit.
        fields: dict[str, Any] = {k: v for k, v in job.items() if k not in settings.fields}
        # Several jobs on one page share no URL (as in the jsonld kind): a URL names one posting.
        fields.update(chosen, url=url if len(jobs) == 1 else "")
        if not str(fields.get("title") or "").strip():
            query = settings.fields.get("title")
            why = (f"the title selector {query!r} matched nothing" if query
                   else "no 岗位名称/职位名称/招聘岗位/岗位/职位/工种 label on the page")
            items.append(_no_title(url, text, why))
            continue
        fields["external_id"] = external_id if len(jobs) == 1 else _row_id(external_id, fields, counts)
        items.append(RawItem(fields=fields, excerpt=excerpt(text)))
    return items


def _row_id(page_id: str, fields: Mapping[str, Any], counts: dict[str, int]) -> str:
    """A row's id from what it is (title, place), not where it sits, so re-sorting keeps ids."""
    key = f"{fields.get('title', '')}\n{fields.get('place_text', '')}"
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    counts[digest] = counts.get(digest, 0) + 1
    return f"{page_id}#{digest}" + (f"-{counts[digest]}" if counts[digest] > 1 else "")


def _no_title(url: str, raw: str, why: str) -> RawItem:
    return rejected_item("missing_title", f"detail page {url}: no job title ({why})", raw,
                         external_id=canonical_url(url) or url)


def _selected(scope: Selector, query: str, name: str) -> str:
    """The text a field's selector picks: one line for most fields, lines for the description."""
    texts = []
    for node in select(scope, query):
        if not hasattr(node.root, "tag"):  # text, an attribute, string(...) or a number
            texts.append(str(node.root).strip())
        else:
            texts.extend(labels.plain(line) for line in labels.render_lines(node.root))
    texts = [t for t in texts if t]
    if name == "description":
        return labels.strip_own_label("\n".join(texts), name)
    return labels.strip_own_label(" ".join(texts[:1]), name)
