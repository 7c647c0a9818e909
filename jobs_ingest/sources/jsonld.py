"""The ``jsonld`` kind: pages carrying schema.org JobPosting, found from a start page and/or a sitemap.

Options: ``max_depth`` (links followed from the start page, default 2), ``max_pages`` (default
200), ``follow`` (a regex a link must match to be followed), ``sitemap`` (a URL, absolute or
relative to the start page, or ``true`` for the sitemaps robots.txt lists), ``sitemap_pattern``
(a regex picking the job URLs in it). Only the start page's host is crawled.

What happens to a page: postings become items; a broken JSON-LD block is quarantined as
``malformed``; a sitemap-listed page without a posting as ``not_a_jobposting``; a page refused
for its content (``too_large``, ``encoding``, robots for a listed page, a redirect off to a
private address …) is quarantined with that reason; a page that is gone (404/410) is skipped;
transient failures (timeouts, 5xx) end the run with an error after the other pages, so the
listing counts as incomplete. A start page that fails is an error.
"""

from __future__ import annotations

import gzip
import io
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from jobs_ingest.dedupe import canonical_url, strip_tracking
from jobs_ingest.fetch import Fetcher
from jobs_ingest.records import RawItem, Rejected, SourceConfig
from jobs_ingest.schemaorg import parse_page, posting_fields
from jobs_ingest.sources import register
from jobs_ingest.sources.common import SourceError, excerpt, fetcher_for, rejected_item

CONTENT_REASONS = frozenset({"too_large", "encoding", "blocked_by_robots", "too_many_redirects",
                             "private_address", "bad_url"})
GONE = frozenset({404, 410})
MAX_SITEMAPS = 20
SITEMAP_BYTES = 20 * 1024 * 1024
_SKIP_EXTENSIONS = re.compile(r"\.(?:pdf|docx?|xlsx?|zip|rar|7z|jpe?g|png|gif|webp|mp4|mp3|apk|exe)$", re.I)


@dataclass(frozen=True, slots=True)
class _Visit:
    url: str
    depth: int
    listed: bool  # named as a job page by the sitemap
    start: bool = False


@register("jsonld")
def fetch(config: SourceConfig, fetcher: Fetcher | None = None) -> Iterator[RawItem]:
    """Crawl the source's pages and yield their JobPostings (and quarantine items)."""
    with fetcher_for(config, fetcher) as http:
        yield from _Crawl(config, http).run()


class _Crawl:
    """One breadth-first crawl of a source, bounded by depth and page count."""

    def __init__(self, config: SourceConfig, http: Fetcher):
        options = config.options
        self.config, self.http = config, http
        self.start = config.location.strip()
        self.host = urlsplit(self.start or str(options.get("sitemap") or "")).netloc.lower()
        self.max_depth = int(options.get("max_depth", 2))
        self.max_pages = int(options.get("max_pages", 200))
        self.follow = re.compile(str(options["follow"])) if options.get("follow") else None
        self.failures: list[str] = []
        self.seen: set[str] = set()
        self.queue: deque[_Visit] = deque()

    def run(self) -> Iterator[RawItem]:
        """Visit the start page, the sitemap's job pages and the links found, then report failures."""
        if self.start:
            self.queue.append(_Visit(self.start, 0, listed=False, start=True))
        listed = (strip_tracking(u) for u in self._sitemap_urls())
        self.queue.extend(_Visit(u, self.max_depth, listed=True) for u in listed)
        pages = 0
        while self.queue and pages < self.max_pages:
            visit = self.queue.popleft()
            key = canonical_url(visit.url) or visit.url
            if key in self.seen:
                continue
            self.seen.add(key)
            pages += 1
            yield from self._visit(visit)
        if self.queue:
            self.failures.append(f"stopped at max_pages={self.max_pages} with {len(self.queue)} URLs left")
        if self.failures:
            raise SourceError("incomplete", "; ".join(self.failures[:5]))

    def _visit(self, visit: _Visit) -> Iterator[RawItem]:
        try:
            response = self.http.get(visit.url)
            html = response.text()
        except Rejected as exc:
            if visit.start:
                raise SourceError(exc.reason, exc.detail) from None
            yield from self._failed(visit, exc)
            return
        page = parse_page(html, response.url)
        for error, block in page.broken:
            yield rejected_item("malformed", f"{response.url}: {error}", block, external_id=None)
        shared = len(page.postings) > 1
        for posting in page.postings:
            yield RawItem(fields=posting_fields(posting, response.url, shared), excerpt=excerpt(posting))
        if visit.listed and not page.postings and not page.broken:
            yield rejected_item("not_a_jobposting", "the sitemap lists this page but it holds no JobPosting",
                                visit.url, external_id=visit.url)
        if visit.depth < self.max_depth:
            for link in map(strip_tracking, page.links):  # ?utm_source=… must not make a new page
                if self._should_follow(link):
                    self.queue.append(_Visit(link, visit.depth + 1, listed=False))

    def _failed(self, visit: _Visit, exc: Rejected) -> Iterator[RawItem]:
        status = getattr(exc, "status", None)
        if exc.reason == "http_status" and status in GONE:
            return
        if exc.reason in CONTENT_REASONS:
            yield rejected_item(exc.reason, exc.detail, f"{visit.url}\n{exc.detail}", external_id=visit.url)
        else:
            self.failures.append(f"{visit.url}: {exc.reason} ({exc.detail})")

    def _should_follow(self, link: str) -> bool:
        """Same host, http(s), not a download, matching ``follow``, and allowed by robots.txt."""
        parts = urlsplit(link)
        if parts.scheme not in ("http", "https") or parts.netloc.lower() != self.host:
            return False
        if _SKIP_EXTENSIONS.search(parts.path) or (canonical_url(link) or link) in self.seen:
            return False
        if self.follow is not None and not self.follow.search(link):
            return False
        return self.http.allowed(link)  # disallowed links are never fetched, nor counted

    def _sitemap_urls(self) -> list[str]:
        """Job page URLs from the sitemap (index files followed), on the source's host."""
        option = self.config.options.get("sitemap")
        if not option:
            return []
        pending = self.http.sitemaps(self.start) if option is True else [urljoin(self.start, str(option))]
        pattern = self.config.options.get("sitemap_pattern")
        urls: list[str] = []
        for _ in range(MAX_SITEMAPS):
            if not pending:
                break
            kind, locations = self._read_sitemap(pending.pop(0))
            on_host = [u for u in locations if urlsplit(u).netloc.lower() == self.host]
            (pending if kind == "sitemapindex" else urls).extend(on_host)
        if pattern:
            urls = [u for u in urls if re.search(str(pattern), u)]
        return urls

    def _read_sitemap(self, url: str) -> tuple[str, list[str]]:
        try:
            response = self.http.get(url, max_bytes=SITEMAP_BYTES)
        except Rejected as exc:
            raise SourceError(exc.reason, f"sitemap {url}: {exc.detail}") from None
        try:
            return parse_sitemap(response.content)
        except ValueError as exc:
            raise SourceError("malformed", f"sitemap {url}: {exc}") from None


def parse_sitemap(content: bytes) -> tuple[str, list[str]]:
    """("urlset" or "sitemapindex", the <loc> URLs) from sitemap XML, gzipped or not."""
    if content[:2] == b"\x1f\x8b":
        with gzip.GzipFile(fileobj=io.BytesIO(content)) as unzipped:
            content = unzipped.read(SITEMAP_BYTES + 1)
        if len(content) > SITEMAP_BYTES:
            raise ValueError("the sitemap unpacks to more than the cap")
    try:
        root = SafeET.fromstring(content)
    except (SafeET.ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not well-formed XML: {exc}") from None
    kind = root.tag.rsplit("}", 1)[-1]
    locations = [el.text.strip() for el in root.iter() if el.tag.rsplit("}", 1)[-1] == "loc" and el.text]
    return kind, locations

