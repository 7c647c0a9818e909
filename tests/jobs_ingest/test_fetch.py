"""The HTTP fetcher against a real local server: caps, redirects, retries, robots, caching, SSRF."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime

import pytest

from jobs_ingest.fetch import USER_AGENT, Fetcher, FetchError, FetchPolicy, HttpCache, retry_after_seconds
from jobs_ingest.netguard import is_public
from tests.jobs_ingest.localserver import Handler, Site

MB = 1024 * 1024


def test_sends_a_user_agent_naming_jiujin(site: Site, fetcher: Fetcher) -> None:
    response = fetcher.get(site.url("/bureau/job-101.html"))
    assert response.status == 200 and "RJ-2026-101" in response.text()
    headers = dict(site.hits)["/bureau/job-101.html"]
    assert headers["user-agent"] == USER_AGENT and "Jiujin" in USER_AGENT
    assert headers["accept-language"].startswith("zh-CN")


def test_a_page_over_the_size_cap_is_refused_when_declared(site: Site, fetcher: Fetcher) -> None:
    site.add("/big", b"x" * (5 * MB))
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/big"))
    assert caught.value.reason == "too_large" and "declares" in caught.value.detail


def test_a_page_over_the_size_cap_is_refused_while_streaming(site: Site, fetcher: Fetcher) -> None:
    def stream_without_length(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")  # no length: the body ends when the socket does
        handler.end_headers()
        chunk = b"<p>" + b"x" * (256 * 1024) + b"</p>"
        try:
            for _ in range(20):  # 5 MB in all, unless the client hangs up first
                handler.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    site.routes["/stream"] = stream_without_length
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/stream"))
    assert caught.value.reason == "too_large" and "over the cap" in caught.value.detail


def test_redirects_are_followed_and_each_hop_is_requested(site: Site, fetcher: Fetcher) -> None:
    site.add("/old", status=301, headers={"Location": "/middle"})
    site.add("/middle", status=302, headers={"Location": site.url("/bureau/job-101.html")})
    response = fetcher.get(site.url("/old"))
    assert response.url == site.url("/bureau/job-101.html") and response.status == 200
    assert site.paths()[-3:] == ["/old", "/middle", "/bureau/job-101.html"]


def test_a_redirect_loop_stops_at_the_limit(site: Site, sleeps: list[float]) -> None:
    site.add("/loop/a", status=302, headers={"Location": "/loop/b"})
    site.add("/loop/b", status=302, headers={"Location": "/loop/a"})
    policy = FetchPolicy(max_redirects=4)
    http = Fetcher(policy, allow_private_network=True, sleep=sleeps.append)
    with http, pytest.raises(FetchError) as caught:
        http.get(site.url("/loop/a"))
    assert caught.value.reason == "too_many_redirects"
    assert len([p for p in site.paths() if p.startswith("/loop/")]) == 5  # the first try + 4 hops


def test_429_with_retry_after_is_waited_out_then_succeeds(site: Site, fetcher: Fetcher,
                                                          sleeps: list[float]) -> None:
    calls = []

    def limited(handler: Handler) -> None:
        calls.append(1)
        if len(calls) == 1:
            handler.reply(429, b"slow down", {"Retry-After": "2"})
        else:
            handler.reply(200, "<p>岗位</p>".encode(), {"Content-Type": "text/html; charset=utf-8"})

    site.routes["/limited"] = limited
    response = fetcher.get(site.url("/limited"))
    assert response.text() == "<p>岗位</p>"
    assert sleeps == [2.0] and len(calls) == 2


def test_503_without_retry_after_backs_off_exponentially(site: Site, fetcher: Fetcher,
                                                         sleeps: list[float]) -> None:
    site.add("/down", b"maintenance", status=503)
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/down"))
    assert caught.value.reason == "http_status" and caught.value.status == 503
    assert sleeps == [0.5, 1.0, 2.0]  # three retries after the first try


def test_a_retry_after_beyond_the_cap_is_not_waited(site: Site, fetcher: Fetcher,
                                                    sleeps: list[float]) -> None:
    site.add("/later", b"", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/later"))
    assert caught.value.reason == "rate_limited" and sleeps == []


def test_a_missing_page_is_not_retried(site: Site, fetcher: Fetcher, sleeps: list[float]) -> None:
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/nothing-here.html"))
    assert caught.value.status == 404 and sleeps == []
    assert site.paths().count("/nothing-here.html") == 1


def test_a_refused_connection_is_retried_then_reported(sleeps: list[float]) -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    policy = FetchPolicy(retries=2)
    http = Fetcher(policy, allow_private_network=True, sleep=sleeps.append)
    with http, pytest.raises(FetchError) as caught:
        http.get(f"http://127.0.0.1:{port}/")
    assert caught.value.reason == "connection" and "robots.txt could not be read" in caught.value.detail
    assert sleeps == [0.5, 1.0]  # it backed off before giving up


def test_a_slow_server_times_out(site: Site, sleeps: list[float]) -> None:
    def slow(handler: Handler) -> None:
        time.sleep(0.3)
        handler.reply(200, b"late", {})

    site.routes["/slow"] = slow
    site.add("/robots.txt", b"", status=404)
    policy = FetchPolicy(read_timeout=0.1, retries=0)
    http = Fetcher(policy, allow_private_network=True, sleep=sleeps.append)
    with http, pytest.raises(FetchError) as caught:
        http.get(site.url("/slow"))
    assert caught.value.reason == "timeout"


def _drip(handler: Handler, data: bytes, every: float = 0.2) -> None:
    """Write ``data`` one byte at a time: each read is quick, their sum is long."""
    try:
        for byte in data:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
            time.sleep(every)
    except OSError:  # the client hung up: what the deadline is for
        pass
    handler.close_connection = True


def _drip_body(handler: Handler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    _drip(handler, b"x" * 100)


def _drip_body_until_close(handler: Handler) -> None:
    handler.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n")
    _drip(handler, b"y" * 100)


def _drip_headers(handler: Handler) -> None:
    _drip(handler, b"HTTP/1.1 200 OK\r\nX-Slow: " + b"z" * 100 + b"\r\n\r\nlate")


@pytest.mark.parametrize("route", [_drip_body, _drip_body_until_close, _drip_headers])
def test_a_dripping_server_is_cut_off_at_the_total_deadline(site: Site, sleeps: list[float], route) -> None:
    site.routes["/drip"] = route
    site.add("/robots.txt", b"", status=404)
    policy = FetchPolicy(read_timeout=5, total_timeout=1.0, retries=0)
    http = Fetcher(policy, allow_private_network=True, sleep=sleeps.append)
    started = time.monotonic()
    with http, pytest.raises(FetchError) as caught:
        http.get(site.url("/drip"))
    assert caught.value.reason == "timeout" and "took over 1.0 s" in caught.value.detail
    assert time.monotonic() - started < 3  # each byte came well within the 5 s read timeout


def test_a_deadline_that_expires_leaves_the_fetcher_usable(site: Site, sleeps: list[float]) -> None:
    site.routes["/drip"] = _drip_body
    site.add("/robots.txt", b"", status=404)
    site.add("/quick", b"<p>quick</p>")
    http = Fetcher(FetchPolicy(total_timeout=0.6, retries=0), allow_private_network=True, sleep=sleeps.append)
    with http:
        with pytest.raises(FetchError):
            http.get(site.url("/drip"))
        assert http.get(site.url("/quick")).text() == "<p>quick</p>"


def test_robots_txt_is_obeyed_and_read_once_per_host(site: Site, fetcher: Fetcher) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n", headers={"Content-Type": "text/plain"})
    fetcher.get(site.url("/bureau/job-101.html"))
    fetcher.get(site.url("/bureau/job-102.html"))
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/private/secret.html"))
    assert caught.value.reason == "blocked_by_robots"
    assert site.paths().count("/robots.txt") == 1 and "/private/secret.html" not in site.paths()


def test_robots_txt_naming_jiujin_applies(site: Site, fetcher: Fetcher) -> None:
    site.add("/robots.txt", "User-agent: JiujinBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    assert not fetcher.allowed(site.url("/bureau/"))


def test_a_redirect_into_a_disallowed_path_is_refused(site: Site, fetcher: Fetcher) -> None:
    site.add("/robots.txt", "User-agent: *\nDisallow: /private/\n")
    site.add("/go", status=302, headers={"Location": "/private/secret.html"})
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/go"))
    assert caught.value.reason == "blocked_by_robots"


def test_an_unreachable_robots_txt_means_disallow_all(site: Site, fetcher: Fetcher) -> None:
    site.add("/robots.txt", b"oops", status=500)
    assert not fetcher.allowed(site.url("/bureau/"))
    with pytest.raises(FetchError) as caught:
        fetcher.get(site.url("/bureau/"))
    assert caught.value.status == 500 and "robots.txt could not be read" in caught.value.detail
    assert "/bureau/" not in site.paths()


def test_crawl_delay_is_honoured_with_the_injected_sleep(site: Site, sleeps: list[float]) -> None:
    site.add("/robots.txt", "User-agent: *\nCrawl-delay: 3\n")
    with Fetcher(allow_private_network=True, sleep=sleeps.append, clock=lambda: 100.0) as http:
        http.get(site.url("/bureau/job-101.html"))  # frozen clock: no time passes between requests
        http.get(site.url("/bureau/job-102.html"))
    assert sleeps == [3.0, 3.0]  # robots.txt itself was the first request to the host


def test_conditional_get_reuses_the_cached_body(site: Site, sleeps: list[float]) -> None:
    def tagged(handler: Handler) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.reply(304, b"", {"ETag": '"v1"'})
        else:
            headers = {"ETag": '"v1"', "Content-Type": "text/html; charset=utf-8"}
            handler.reply(200, "<p>电焊工</p>".encode(), headers)

    site.routes["/tagged"] = tagged
    state: dict[str, object] = {}
    with Fetcher(allow_private_network=True, cache=HttpCache(state), sleep=sleeps.append) as http:
        first = http.get(site.url("/tagged"))
    persisted = json.loads(json.dumps(state))  # what the web layer would store
    with Fetcher(allow_private_network=True, cache=HttpCache(persisted), sleep=sleeps.append) as http:
        second = http.get(site.url("/tagged"))
    assert not first.from_cache and second.from_cache
    assert second.content == first.content and second.text() == "<p>电焊工</p>"


def test_last_modified_is_sent_back(site: Site, fetcher: Fetcher) -> None:
    stamp = "Wed, 25 Nov 2026 08:00:00 GMT"
    site.add("/dated", b"<p>x</p>", headers={"Last-Modified": stamp, "Content-Type": "text/html"})
    cache = HttpCache()
    with Fetcher(allow_private_network=True, cache=cache) as http:
        http.get(site.url("/dated"))
        http.get(site.url("/dated"))
    assert dict(site.hits[-1:])["/dated"]["if-modified-since"] == stamp


def test_gbk_pages_decode_from_meta_and_from_header(site: Site, fetcher: Fetcher) -> None:
    page = fetcher.get(site.url("/hostile/gbk-job.gbk.html")).text()
    assert "岷县洮河饭店招聘厨师" in page and "喆" in page  # 喆 is in GBK but not GB2312
    site.add("/gbk-header", "招聘普工，月薪4000元".encode("gbk"),
             headers={"Content-Type": "text/html; charset=GBK"})
    assert fetcher.get(site.url("/gbk-header")).text() == "招聘普工，月薪4000元"


def test_loopback_is_refused_unless_the_source_allows_it(site: Site) -> None:
    with Fetcher() as http, pytest.raises(FetchError) as caught:
        http.get(site.url("/bureau/"))
    assert caught.value.reason == "private_address" and site.paths() == []


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "http:///nohost"])
def test_other_schemes_are_refused(url: str) -> None:
    with Fetcher(allow_private_network=True) as http, pytest.raises(FetchError) as caught:
        http.get(url)
    assert caught.value.reason == "bad_url"


def test_a_redirect_to_an_internal_address_is_refused(site: Site, sleeps: list[float]) -> None:
    # The test server is on loopback, so treat exactly 127.0.0.1 as "public" here; 127.0.0.2
    # stands for an internal service (no traffic leaves this machine either way).
    port = site.origin.rsplit(":", 1)[1]
    site.add("/jump", status=302, headers={"Location": f"http://127.0.0.2:{port}/admin"})
    only_the_server = Fetcher(sleep=sleeps.append, address_allowed=lambda ip: ip == "127.0.0.1")
    with only_the_server as http, pytest.raises(FetchError) as caught:
        http.get(site.url("/jump"))
    assert caught.value.reason == "private_address" and "127.0.0.2" in caught.value.detail


def test_dns_rebinding_is_caught_after_connecting(site: Site, sleeps: list[float]) -> None:
    def lying_resolver(host: str, port: int, **_: object) -> list[tuple[object, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", port))]

    with Fetcher(sleep=sleeps.append, resolver=lying_resolver) as http, pytest.raises(FetchError) as caught:
        http.get(site.url("/bureau/"))
    assert caught.value.reason == "private_address" and site.paths() == []


@pytest.mark.parametrize(
    ("address", "public"),
    [("8.8.8.8", True), ("2001:4860:4860::8888", True), ("10.0.0.1", False), ("172.16.5.4", False),
     ("192.168.1.1", False), ("127.0.0.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
     ("0.0.0.0", False), ("224.0.0.1", False), ("::1", False), ("fe80::1", False), ("fc00::1", False),
     ("::ffff:127.0.0.1", False), ("::ffff:10.1.2.3", False), ("255.255.255.255", False)],
)
def test_which_addresses_count_as_public(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_retry_after_accepts_seconds_and_dates() -> None:
    now = datetime(2026, 11, 28, 8, 0, 0, tzinfo=UTC)
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("Sat, 28 Nov 2026 08:00:30 GMT", now=now) == 30.0
    assert retry_after_seconds("Fri, 27 Nov 2026 08:00:00 GMT", now=now) == 0.0
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_policy_reads_source_options() -> None:
    policy = FetchPolicy.from_options({"max_bytes": 1024, "retries": 0, "mapping": {}, "user_agent": "x"})
    assert policy.max_bytes == 1024 and policy.retries == 0 and policy.user_agent == USER_AGENT
