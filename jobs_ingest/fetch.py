"""HTTP for sources: timeouts, a size cap, checked redirects, retries, conditional GET, robots.txt.

One ``Fetcher`` per source run (robots.txt is cached per host for that run). Every failure is a
``FetchError`` whose ``reason`` is a quarantine/error code: ``too_large``, ``blocked_by_robots``,
``private_address``, ``bad_url``, ``too_many_redirects``, ``rate_limited``, ``http_status``,
``timeout``, ``connection``; decoding a body raises reason ``encoding``.
"""

from __future__ import annotations

import base64
import copy
import json
import socket
import threading
import time
import weakref
import zlib
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field, fields, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from protego import Protego

from jobs_ingest.encoding import charset_from_content_type, decode_bytes
from jobs_ingest.netguard import (
    AddressCheck,
    BlockedAddress,
    PrivatePeer,
    Resolver,
    check_url,
    guarded_adapter,
    is_public,
)
from jobs_ingest.records import Rejected, SourceConfig

ROBOTS_TOKEN = "JiujinBot"
USER_AGENT = f"{ROBOTS_TOKEN}/0.1 (Jiujin job matching for rural workers; obeys robots.txt)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_ALLOW_ALL = Protego.parse("")
# RFC 9309 2.3.1.4: a robots.txt that cannot be reached (5xx, network) means "disallow all".
_DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /")


class FetchError(Rejected):
    """A URL could not be fetched; ``reason`` is the code a source reports or quarantines with."""

    def __init__(self, reason: str, detail: str, url: str = "", status: int | None = None):
        super().__init__(reason, detail)
        self.url = url
        self.status = status


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Limits for one source's requests; ``from_options`` reads overrides from source options."""

    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0  # a server dripping bytes must not hold a run forever
    max_bytes: int = 4 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 30.0  # longest sleep for Retry-After, backoff or Crawl-delay
    user_agent: str = USER_AGENT

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> FetchPolicy:
        """The defaults, with any same-named keys in ``options`` applied."""
        names = {f.name: f.type for f in fields(cls)}
        given = {k: v for k, v in options.items() if k in names and k != "user_agent"}
        return replace(cls(), **given)


@dataclass(frozen=True, slots=True)
class Response:
    """A complete, size-capped response (after redirects)."""

    url: str
    status: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes
    from_cache: bool = False

    def text(self) -> str:
        """The body decoded (declared, meta, detected charset); raises reason ``encoding``."""
        return decode_bytes(self.content, charset_from_content_type(self.headers.get("content-type")))[0]

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError if it is not JSON."""
        return json.loads(self.text())


@dataclass
class HttpCache:
    """ETag/Last-Modified validators and bodies from earlier runs, kept in a plain JSON-able dict.

    A 304 is only useful if the body it stands for is still at hand (a source must list every
    posting each run, or the web layer would close it), so bodies are stored, compressed.
    """

    state: dict[str, Any] = field(default_factory=dict)
    max_body: int = 2 * 1024 * 1024
    max_entries: int = 5000

    def validators(self, url: str) -> dict[str, str]:
        """Conditional request headers for ``url``, if a usable entry exists."""
        entry = self.state.get(url)
        if not entry:
            return {}
        headers = {"If-None-Match": entry.get("etag"), "If-Modified-Since": entry.get("last_modified")}
        return {k: v for k, v in headers.items() if v}

    def reuse(self, url: str) -> tuple[bytes, dict[str, str]] | None:
        """The stored body and headers for ``url`` (after a 304)."""
        entry = self.state.get(url)
        if not entry:
            return None
        entry["used"] = time.time()
        return zlib.decompress(base64.b64decode(entry["body"])), dict(entry.get("headers", {}))

    def store(self, url: str, headers: Mapping[str, str], content: bytes) -> None:
        """Remember a 200 response that carries validators and is small enough."""
        etag, modified = headers.get("etag"), headers.get("last-modified")
        if not (etag or modified) or len(content) > self.max_body:
            self.state.pop(url, None)
            return
        kept = {k: v for k, v in headers.items() if k in ("content-type", "link")}
        self.state[url] = {"etag": etag, "last_modified": modified, "headers": kept, "used": time.time(),
                           "body": base64.b64encode(zlib.compress(content)).decode("ascii")}
        if len(self.state) > self.max_entries:  # forget the least recently used
            oldest = sorted(self.state, key=lambda u: self.state[u].get("used", 0))
            for old in oldest[: len(self.state) // 10]:
                del self.state[old]

    def to_dict(self) -> dict[str, Any]:
        """The state to persist (the same dict the cache updates in place)."""
        return self.state


class Fetcher:
    """Fetches URLs for one source run; not thread-safe (one run, one thread)."""

    def __init__(self, policy: FetchPolicy | None = None, *, allow_private_network: bool = False,
                 cache: HttpCache | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic, resolver: Resolver = socket.getaddrinfo,
                 address_allowed: AddressCheck = is_public):
        self.policy = policy or FetchPolicy()
        self.allow_private_network = allow_private_network
        self.cache = cache
        self._sleep, self._clock, self._resolver = sleep, clock, resolver
        self._address_allowed = address_allowed
        self._robots: dict[str, Protego] = {}
        self._robots_errors: dict[str, FetchError] = {}
        self._last_request: dict[str, float] = {}
        self._session = requests.Session()
        self._session.trust_env = False  # no proxies or .netrc from the environment
        # Every socket this fetcher opens, so a request's total deadline can cut any read short.
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        adapter = guarded_adapter(None if allow_private_network else address_allowed, self._sockets.add)
        for prefix in ("http://", "https://"):
            self._session.mount(prefix, adapter)

    @classmethod
    def for_source(cls, config: SourceConfig, **kwargs: Any) -> Fetcher:
        """A fetcher with the source's limits, network permission and conditional-GET state (a
        copy of the config's: the caller that wants the state after the run passes ``cache``)."""
        cache = HttpCache(copy.deepcopy(config.http_cache)) if config.http_cache is not None else None
        kwargs.setdefault("cache", cache)
        policy = FetchPolicy.from_options(config.options)
        return cls(policy, allow_private_network=config.allow_private_network, **kwargs)

    def close(self) -> None:
        """Close pooled connections."""
        self._session.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, url: str, *, max_bytes: int | None = None) -> Response:
        """GET ``url`` following redirects, each hop checked (scheme, address, robots.txt)."""
        current = url
        for _ in range(self.policy.max_redirects + 1):
            self._check(current)
            if not self.allowed(current):
                raise self._refusal(current)
            response = self._request(current, max_bytes or self.policy.max_bytes)
            location = response.headers.get("location", "").strip()
            if response.status in REDIRECT_STATUSES and location:
                current = urljoin(current, location)
                continue
            if response.status >= 300:  # a 300 or a redirect without a Location: no page here
                raise FetchError("http_status", f"HTTP {response.status} for {current}", url=current,
                                 status=response.status)
            return response
        raise FetchError("too_many_redirects", f"more than {self.policy.max_redirects} redirects from {url}",
                         url=url)

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets Jiujin fetch ``url`` (robots.txt is read once per host)."""
        return bool(self._robots_for(url).can_fetch(url, ROBOTS_TOKEN))

    def sitemaps(self, url: str) -> list[str]:
        """Sitemap URLs that the host's robots.txt lists."""
        return list(self._robots_for(url).sitemaps)

    def _refusal(self, url: str) -> FetchError:
        """Why robots.txt keeps us off ``url``: its rules, or that it could not be read."""
        error = self._robots_errors.get(_origin(url))
        if error is None:
            return FetchError("blocked_by_robots", f"robots.txt disallows {url}", url=url)
        return FetchError(error.reason, f"robots.txt could not be read ({error.detail}), so nothing on "
                          f"{_origin(url)} is fetched", url=url, status=error.status)

    def _check(self, url: str) -> None:
        try:
            check_url(url, self.allow_private_network, self._resolver, self._address_allowed)
        except BlockedAddress as exc:
            raise FetchError(exc.reason, exc.detail, url=url) from None

    def _robots_for(self, url: str) -> Protego:
        origin = _origin(url)
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        return self._robots[origin]

    def _load_robots(self, origin: str) -> Protego:
        current = f"{origin}/robots.txt"
        try:
            for _ in range(self.policy.max_redirects + 1):
                self._check(current)
                response = self._request(current, 512 * 1024)
                location = response.headers.get("location", "").strip()
                if response.status not in REDIRECT_STATUSES or not location:
                    return Protego.parse(response.content.decode("utf-8", errors="replace"))
                current = urljoin(current, location)
        except FetchError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status != 429:
                return _ALLOW_ALL  # no robots.txt: everything is allowed
            self._robots_errors[origin] = exc
        else:
            self._robots_errors[origin] = FetchError("too_many_redirects", "robots.txt redirects too often")
        return _DISALLOW_ALL

    def _request(self, url: str, max_bytes: int) -> Response:
        """One URL, retried on timeouts, connection errors, 429 and 5xx with backoff."""
        attempt = 0
        while True:
            try:
                response = self._send(url, max_bytes)
            except FetchError as exc:
                if exc.reason not in ("timeout", "connection") or attempt >= self.policy.retries:
                    raise
                self._sleep(self._backoff(attempt))
            else:
                if response.status not in RETRY_STATUSES:
                    return self._finish(url, response)
                if attempt >= self.policy.retries:
                    raise FetchError("http_status", f"HTTP {response.status} after {attempt + 1} tries",
                                     url=url, status=response.status)
                self._sleep(self._retry_wait(response, attempt))
            attempt += 1

    def _finish(self, url: str, response: Response) -> Response:
        if response.status == 304 and self.cache is not None:
            cached = self.cache.reuse(url)
            if cached is not None:
                return Response(url, 200, cached[1], cached[0], from_cache=True)
        if response.status >= 400 or response.status == 304:
            raise FetchError("http_status", f"HTTP {response.status} for {url}", url=url,
                             status=response.status)
        if response.status == 200 and self.cache is not None:
            self.cache.store(url, response.headers, response.content)
        return response

    def _send(self, url: str, max_bytes: int) -> Response:
        """One try at ``url``, all of it (connecting, headers, body) within ``total_timeout``."""
        headers = {"User-Agent": self.policy.user_agent, "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
                   "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,"
                             "application/json;q=0.9,*/*;q=0.8"}
        if self.cache is not None:
            headers.update(self.cache.validators(url))
        self._respect_crawl_delay(url)
        deadline = _Deadline(self.policy.total_timeout, self._sockets)
        overdue = FetchError("timeout", f"{url} took over {self.policy.total_timeout} s", url=url)
        with deadline:
            try:
                response = self._exchange(url, headers, max_bytes)
            except Exception:
                if deadline.expired:
                    raise overdue from None
                raise
        if deadline.expired:  # a body that ends with the connection looks complete when cut short
            raise overdue
        return response

    def _exchange(self, url: str, headers: dict[str, str], max_bytes: int) -> Response:
        """The request and its capped body, library failures mapped to ``FetchError`` reasons."""
        timeout = (self.policy.connect_timeout, self.policy.read_timeout)
        try:
            with self._session.get(url, headers=headers, stream=True, allow_redirects=False,
                                   timeout=timeout) as raw:
                content = self._read_capped(raw, url, max_bytes)
                lowered = {k.lower(): v for k, v in raw.headers.items()}
                return Response(url, raw.status_code, lowered, content)
        except PrivatePeer as exc:
            raise FetchError("private_address", str(exc), url=url) from None
        except requests.Timeout as exc:
            raise FetchError("timeout", f"{type(exc).__name__} for {url}", url=url) from None
        except (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema) as exc:
            raise FetchError("bad_url", str(exc)[:200], url=url) from None
        except requests.RequestException as exc:
            raise FetchError("connection", f"{type(exc).__name__}: {str(exc)[:200]}", url=url) from None

    def _read_capped(self, raw: requests.Response, url: str, max_bytes: int) -> bytes:
        """The body, refused as soon as it passes ``max_bytes`` (after decompression)."""
        declared = raw.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FetchError("too_large", f"{url} declares {declared} bytes (cap {max_bytes})", url=url)
        deadline = self._clock() + self.policy.total_timeout
        chunks, size = [], 0
        for chunk in raw.iter_content(64 * 1024):
            size += len(chunk)
            if size > max_bytes:
                raise FetchError("too_large", f"{url} is over the cap of {max_bytes} bytes", url=url)
            if self._clock() > deadline:
                raise FetchError("timeout", f"{url} took over {self.policy.total_timeout} s", url=url)
            chunks.append(chunk)
        return b"".join(chunks)

    def _respect_crawl_delay(self, url: str) -> None:
        origin = _origin(url)
        robots = self._robots.get(origin)
        delay = robots.crawl_delay(ROBOTS_TOKEN) if robots is not None else None
        last = self._last_request.get(origin)
        if delay and last is not None:
            remaining = min(float(delay), self.policy.max_wait) - (self._clock() - last)
            if remaining > 0:
                self._sleep(remaining)
        self._last_request[origin] = self._clock()

    def _backoff(self, attempt: int) -> float:
        return float(min(self.policy.backoff * 2**attempt, self.policy.max_wait))

    def _retry_wait(self, response: Response, attempt: int) -> float:
        """Retry-After on 429/503 (refused if longer than ``max_wait``), else exponential backoff."""
        if response.status in (429, 503):
            after = retry_after_seconds(response.headers.get("retry-after"))
            if after is not None and after > self.policy.max_wait:
                raise FetchError("rate_limited", f"the server asks to wait {after:.0f} s "
                                 f"(we wait at most {self.policy.max_wait:.0f} s)",
                                 url=response.url, status=response.status)
            if after is not None:
                return after
        return self._backoff(attempt)


class _Deadline:
    """Cuts a request short when its total time runs out, whatever it is waiting for.

    A socket timeout bounds each read, not their sum: a server that drips a byte every few
    seconds (in the headers or the body) would hold a run for ever. When the time is up this
    shuts down the fetcher's sockets, which wakes the blocked read; the caller then reports a
    timeout. (Idle pooled sockets shut down with it are simply reconnected next time.)
    """

    def __init__(self, seconds: float, sockets: weakref.WeakSet[socket.socket]):
        self.expired = False
        self._sockets = sockets
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._timer.cancel()

    def _expire(self) -> None:
        self.expired = True
        for sock in list(self._sockets):
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if absent."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
