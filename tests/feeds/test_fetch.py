"""fetch_feed against a real local server; check_public_url; backoff_delay; fetch_article_text."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.feeds import fetch as fetch_module
from bot.feeds.fetch import (
    FeedState,
    UnsafeURLError,
    backoff_delay,
    check_public_url,
    fetch_article_text,
    fetch_feed,
    public_only_session,
)
from tests.fakes.feed_server import FeedServer

RSS = b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title></channel></rss>"
MB = 1024 * 1024


async def _fetch(session: aiohttp.ClientSession, url: str, **kwargs: object) -> object:
    options: dict = {"timeout": 5.0, "max_bytes": MB, **kwargs}
    return await fetch_feed(session, FeedState(url), **options)


# -- plain fetches and conditional requests ------------------------------------------------------


async def test_ok_fetch_returns_body_and_validators(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", RSS, etag='"v1"', last_modified="Wed, 05 Mar 2025 08:00:00 GMT")
    result = await _fetch(session, feed_server.url("/feed"))
    assert result.status == "ok"
    assert result.body == RSS
    assert result.etag == '"v1"'
    assert result.last_modified == "Wed, 05 Mar 2025 08:00:00 GMT"
    assert result.final_url == feed_server.url("/feed")
    assert result.http_status == 200
    assert result.error is None
    sent = feed_server.requests["/feed"][0]
    assert "If-None-Match" not in sent and "If-Modified-Since" not in sent
    assert sent["User-Agent"].startswith("newsbot/")


async def test_etag_gives_304_not_modified(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", RSS, etag='"v1"')
    first = await _fetch(session, feed_server.url("/feed"))
    state = FeedState(feed_server.url("/feed"), etag=first.etag, last_modified=first.last_modified)
    second = await fetch_feed(session, state, timeout=5.0, max_bytes=MB)
    assert second.status == "not_modified"
    assert second.body == b""
    assert second.etag == '"v1"'  # kept, so the caller can store the result as is
    assert feed_server.requests["/feed"][1]["If-None-Match"] == '"v1"'
    assert feed_server.count("/feed") == 2


async def test_last_modified_gives_304(feed_server: FeedServer, session) -> None:
    stamp = "Wed, 05 Mar 2025 08:00:00 GMT"
    feed_server.serve("/feed", RSS, last_modified=stamp)
    state = FeedState(feed_server.url("/feed"), last_modified=stamp)
    result = await fetch_feed(session, state, timeout=5.0, max_bytes=MB)
    assert result.status == "not_modified"
    assert result.last_modified == stamp
    assert feed_server.requests["/feed"][0]["If-Modified-Since"] == stamp


async def test_changed_feed_replaces_validators(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", RSS, etag='"v2"')
    state = FeedState(feed_server.url("/feed"), etag='"v1"')
    result = await fetch_feed(session, state, timeout=5.0, max_bytes=MB)
    assert (result.status, result.etag) == ("ok", '"v2"')


async def test_gzip_body_is_decompressed(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", RSS, compress=True)
    result = await _fetch(session, feed_server.url("/feed"))
    assert (result.status, result.body) == ("ok", RSS)


# -- HTTP errors ---------------------------------------------------------------------------------


async def test_http_500_is_an_error_result(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", b"oops", status=500, content_type="text/plain")
    state = FeedState(feed_server.url("/feed"), etag='"old"')
    result = await fetch_feed(session, state, timeout=5.0, max_bytes=MB)
    assert (result.status, result.error, result.http_status) == ("error", "HTTP 500", 500)
    assert result.etag == '"old"'


async def test_429_reports_retry_after(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", b"", status=429, headers={"Retry-After": "120"})
    result = await _fetch(session, feed_server.url("/feed"))
    assert (result.error, result.retry_after) == ("HTTP 429", 120.0)


async def test_404_is_an_error_result(feed_server: FeedServer, session) -> None:
    result = await _fetch(session, feed_server.url("/missing"))
    assert (result.status, result.error) == ("error", "HTTP 404")


async def test_connection_refused_is_an_error_result(session) -> None:
    with socket.socket() as probe:  # a port nothing listens on: bind, note, close
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = await _fetch(session, f"http://127.0.0.1:{port}/feed")
    assert result.status == "error"
    assert result.error.startswith("cannot connect to 127.0.0.1")


async def test_malformed_url_is_an_error_result(session) -> None:
    result = await _fetch(session, "http://[::1/feed")
    assert result.status == "error"
    assert result.error


# -- timeouts ------------------------------------------------------------------------------------


async def test_timeout_waiting_for_headers(feed_server: FeedServer, session) -> None:
    feed_server.hang("/slow")
    result = await _fetch(session, feed_server.url("/slow"), timeout=0.5)
    assert (result.status, result.error) == ("error", "timed out after 0.5 s")


async def test_timeout_covers_a_body_that_never_ends(feed_server: FeedServer, session) -> None:
    feed_server.hang_after_headers("/trickle")
    result = await _fetch(session, feed_server.url("/trickle"), timeout=0.5)
    assert (result.status, result.error) == ("error", "timed out after 0.5 s")


# -- size cap ------------------------------------------------------------------------------------


async def test_size_cap_stops_reading_a_stream(feed_server: FeedServer, session) -> None:
    feed_server.huge("/huge", 200 * MB, declare_length=False)
    result = await _fetch(session, feed_server.url("/huge"), max_bytes=MB)
    assert (result.status, result.error) == ("error", "response larger than 1 MB")
    assert result.body == b""
    await asyncio.sleep(0.1)  # let the server notice the hang-up
    assert feed_server.bytes_sent < 100 * MB


async def test_size_cap_uses_declared_length(feed_server: FeedServer, session) -> None:
    feed_server.huge("/huge", 6 * MB, declare_length=True)
    result = await _fetch(session, feed_server.url("/huge"), max_bytes=5 * MB)
    assert result.error == "response larger than 5 MB"


async def test_size_cap_applies_to_decompressed_bytes(feed_server: FeedServer, session) -> None:
    # A gzip bomb: a few kilobytes on the wire, 50 MB once inflated.
    feed_server.serve("/bomb", b"\0" * (50 * MB), compress=True)
    result = await _fetch(session, feed_server.url("/bomb"), max_bytes=MB)
    assert result.error == "response larger than 1 MB"


async def test_body_of_exactly_max_bytes_is_fine(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", RSS)
    result = await _fetch(session, feed_server.url("/feed"), max_bytes=len(RSS))
    assert result.status == "ok"


# -- redirects -----------------------------------------------------------------------------------


async def test_redirect_loop_ends(feed_server: FeedServer, session) -> None:
    feed_server.redirect("/a", "/b")
    feed_server.redirect("/b", feed_server.url("/a"))
    result = await _fetch(session, feed_server.url("/a"), max_redirects=5)
    assert (result.status, result.error) == ("error", "too many redirects (more than 5)")
    assert feed_server.count("/a") + feed_server.count("/b") == 6


async def test_permanent_redirect_is_followed_and_reported(
    feed_server: FeedServer, session
) -> None:
    feed_server.redirect("/old", "/new", status=301)
    feed_server.redirect("/new", "/newest", status=308)
    feed_server.serve("/newest", RSS)
    result = await _fetch(session, feed_server.url("/old"))
    assert result.status == "ok"
    assert result.final_url == feed_server.url("/newest")
    assert result.permanent_redirect is True


async def test_temporary_redirect_is_not_permanent(feed_server: FeedServer, session) -> None:
    feed_server.redirect("/old", "/new", status=301)
    feed_server.redirect("/new", "/newest", status=302)
    feed_server.serve("/newest", RSS)
    result = await _fetch(session, feed_server.url("/old"))
    assert (result.status, result.permanent_redirect) == ("ok", False)


async def test_redirect_to_another_scheme_is_refused(feed_server: FeedServer, session) -> None:
    feed_server.redirect("/feed", "file:///etc/passwd")
    result = await _fetch(session, feed_server.url("/feed"))
    assert result.status == "error"
    assert "only http and https" in result.error


async def test_messages_name_urls_without_password_or_key(feed_server: FeedServer, session) -> None:
    # Error messages are stored, shown in Discord (a disabled feed's public notice) and logged.
    with pytest.raises(UnsafeURLError) as caught:
        await check_public_url("http://reader:hunter2@10.1.2.3/feed?key=SECRET#top")
    assert str(caught.value) == "refused http://10.1.2.3/feed: 10.1.2.3 is a private address"
    feed_server.redirect("/feed", "file:///etc/passwd?key=SECRET")
    result = await _fetch(session, feed_server.url("/feed?key=SECRET"))
    assert result.error == "refused file:///etc/passwd: only http and https URLs are fetched"


async def test_redirect_without_location_is_an_error(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", b"", status=302)
    result = await _fetch(session, feed_server.url("/feed"))
    assert result.error == "HTTP 302 redirect without a Location header"


# -- not a feed ----------------------------------------------------------------------------------


async def test_html_page_is_not_a_feed(feed_server: FeedServer, session) -> None:
    page = b"<!DOCTYPE html><html><head><title>Home</title></head><body>Hi</body></html>"
    feed_server.serve("/feed", page, content_type="text/html; charset=utf-8", etag='"x"')
    result = await _fetch(session, feed_server.url("/feed"))
    assert (result.status, result.error) == ("error", "not a feed: got text/html")
    assert result.body == b""
    assert result.etag is None  # a wrong page's validators are not worth keeping


async def test_feed_mislabelled_as_html_is_accepted(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", RSS, content_type="text/html")
    result = await _fetch(session, feed_server.url("/feed"))
    assert result.status == "ok"


async def test_image_is_not_a_feed(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", b"\x89PNG\r\n", content_type="image/png")
    result = await _fetch(session, feed_server.url("/feed"))
    assert result.error == "not a feed: got image/png"


# -- URL guard -----------------------------------------------------------------------------------


def _guard_allowing(server: FeedServer) -> Callable[[str], object]:
    """``check_public_url``, except for the test server's own origin (as a test setting would)."""

    async def guard(url: str) -> None:
        if not url.startswith(server.url("/")):
            await check_public_url(url)

    return guard


async def test_guard_refuses_the_first_url(feed_server: FeedServer, session) -> None:
    feed_server.serve("/feed", RSS)
    result = await _fetch(session, feed_server.url("/feed"), url_guard=check_public_url)
    assert result.status == "error"
    assert "127.0.0.1 is a loopback address" in result.error
    assert feed_server.count("/feed") == 0


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://10.0.0.1/feed", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[::ffff:192.168.0.1]/", "a private address"),
        ("http://localhost/admin", "a loopback address"),
    ],
)
async def test_guard_refuses_a_redirect_to_a_private_address(
    feed_server: FeedServer, session, target: str, reason: str
) -> None:
    feed_server.redirect("/feed", target)
    result = await _fetch(session, feed_server.url("/feed"), url_guard=_guard_allowing(feed_server))
    assert result.status == "error"
    assert result.error.startswith("refused http://")  # URLs as yarl normalised them
    assert reason in result.error


async def test_guard_runs_on_every_hop(feed_server: FeedServer, session) -> None:
    seen: list[str] = []

    async def guard(url: str) -> None:
        seen.append(url)

    feed_server.redirect("/a", "/b")
    feed_server.serve("/b", RSS)
    await _fetch(session, feed_server.url("/a"), url_guard=guard)
    assert seen == [feed_server.url("/a"), feed_server.url("/b")]


# -- check_public_url ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://127.0.0.1/", "a loopback address"),
        ("http://127.8.9.10:8080/x", "a loopback address"),
        ("http://localhost:8080/", "localhost resolves to"),
        ("http://[::1]/", "a loopback address"),
        ("http://10.1.2.3/", "a private address"),
        ("http://172.16.5.4/", "a private address"),
        ("http://192.168.1.1/", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a cloud metadata address"),
        ("http://[fd00:ec2::254]/", "a cloud metadata address"),
        ("http://100.100.100.200/", "a cloud metadata address"),
        ("http://169.254.1.1/", "a link-local address"),
        ("http://[fe80::1]/", "a link-local address"),
        ("http://0.0.0.0/", "an unspecified address"),
        ("http://[::]/", "an unspecified address"),
        ("http://224.0.0.1/", "a multicast address"),
        ("http://[ff02::1]/", "a multicast address"),
        ("http://240.0.0.1/", "address"),
        ("http://100.64.0.1/", "address"),
        ("http://[::ffff:127.0.0.1]/", "a loopback address (as 127.0.0.1 inside IPv6)"),
        ("http://[::ffff:10.0.0.1]/", "a private address"),
        ("http://[::ffff:169.254.169.254]/", "a cloud metadata address"),
        ("http://[2002:a00:1::]/", "a private address"),  # 6to4 wrapping 10.0.0.1
        ("http://[64:ff9b::a9fe:a9fe]/", "a cloud metadata address"),  # NAT64
        ("ftp://example.com/feed", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("http:///feed", "no host"),
        ("http://example.com:99999/", "malformed URL"),
    ],
)
async def test_check_public_url_refuses(url: str, reason: str) -> None:
    with pytest.raises(UnsafeURLError) as caught:
        await check_public_url(url)
    assert reason in str(caught.value)
    assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    "url", ["https://93.184.215.14/feed", "http://8.8.8.8:8080/rss", "https://[2606:4700::1111]/"]
)
async def test_check_public_url_accepts_public_addresses(url: str) -> None:
    await check_public_url(url)  # IP literals: decided without any lookup


def _fake_dns(monkeypatch: pytest.MonkeyPatch, answers: dict[str, list[str]]) -> None:
    """Answer getaddrinfo from ``answers``, so no test ever asks a real resolver."""
    loop = asyncio.get_running_loop()

    async def getaddrinfo(host: str, port: int, **kwargs: object) -> list[tuple]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [
            (socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
            for a in answers[host]
        ]

    monkeypatch.setattr(loop, "getaddrinfo", getaddrinfo)


async def test_name_resolving_to_a_public_address_is_accepted(monkeypatch) -> None:
    _fake_dns(monkeypatch, {"news.example": ["93.184.215.14", "2606:2800:21f:cb07::1"]})
    await check_public_url("https://news.example/feed")


async def test_name_with_any_private_address_is_refused(monkeypatch) -> None:
    _fake_dns(monkeypatch, {"rebind.example": ["93.184.215.14", "10.0.0.7"]})
    with pytest.raises(UnsafeURLError, match=r"rebind\.example resolves to 10\.0\.0\.7"):
        await check_public_url("https://rebind.example/feed")


async def test_name_that_does_not_resolve_is_refused(monkeypatch) -> None:
    _fake_dns(monkeypatch, {})
    with pytest.raises(UnsafeURLError, match=r"cannot resolve nowhere\.example"):
        await check_public_url("https://nowhere.example/feed")


async def test_a_public_only_session_refuses_a_redirect_to_a_name_of_loopback(
    feed_server: FeedServer, monkeypatch, caplog
) -> None:
    # No guard here: the session alone checks what the name resolves to as it connects. (The
    # first URL, an IP literal, is connected to without resolving: the guard's job.)
    _fake_dns(monkeypatch, {"intranet.example": ["127.0.0.1"]})
    target = f"http://intranet.example:{feed_server.port}/admin"
    feed_server.redirect("/feed", target)
    feed_server.serve("/admin", RSS)
    async with public_only_session() as session:
        result = await _fetch(session, feed_server.url("/feed"))
    assert (result.status, result.final_url) == ("error", target)
    assert result.error == f"refused {target}: not a public web server"
    assert "intranet.example resolves to 127.0.0.1, which is a loopback address" in caplog.text
    assert feed_server.count("/admin") == 0


# -- backoff -------------------------------------------------------------------------------------


def test_backoff_doubles_then_caps() -> None:
    delays = [backoff_delay(n, base=60, cap=3600) for n in range(9)]
    assert delays == [0, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_backoff_survives_huge_failure_counts() -> None:
    assert backoff_delay(10**9, base=1.5, cap=86400) == 86400


@given(
    failures=st.integers(min_value=0, max_value=5000),
    base=st.floats(min_value=0, max_value=1e6),
    cap=st.floats(min_value=0, max_value=1e9),
)
def test_backoff_is_bounded_and_monotonic(failures: int, base: float, cap: float) -> None:
    delay = backoff_delay(failures, base, cap)
    assert 0 <= delay <= cap
    assert delay <= backoff_delay(failures + 1, base, cap)
    assert delay == backoff_delay(failures, base, cap)


# -- article text --------------------------------------------------------------------------------

ARTICLE_PAGE = b"""<!DOCTYPE html><html><head><title>Chips</title>
<script>var tracking = "do not extract me";</script></head>
<body><nav><a href="/">Home</a> | <a href="/about">About</a></nav>
<article><h1>Chipmaker unveils a 2 nm process</h1>
<p>The chipmaker said on Tuesday that its new 2 nm process is fifteen percent faster than the
previous generation while using noticeably less power, a claim analysts will test this year.</p>
<p>Volume production is planned to start in 2026 at two plants, with early capacity reserved for
smartphone and data-centre customers who have already signed long-term supply agreements.</p>
</article><footer>Copyright 2025 Example News. All rights reserved.</footer></body></html>"""


async def test_article_text_is_extracted(feed_server: FeedServer, session) -> None:
    pytest.importorskip("trafilatura")
    feed_server.serve("/article", ARTICLE_PAGE, content_type="text/html; charset=utf-8")
    text = await fetch_article_text(session, feed_server.url("/article"), timeout=5, max_bytes=MB)
    assert text is not None
    assert "fifteen percent faster" in text
    assert "Volume production" in text
    assert "do not extract me" not in text


async def test_article_text_is_decoded_with_the_servers_charset(
    feed_server: FeedServer, session
) -> None:
    # Guessed from the bytes, a mostly English page naming a few people in Polish comes out as
    # "spó³ki £ukasz Œliwa".
    pytest.importorskip("trafilatura")
    quote = "<p>Prezes spółki, Łukasz Śliwa, powiedział, że źródła są pewne.</p></article>"
    page = ARTICLE_PAGE.decode().replace("</article>", quote).encode("cp1250")
    feed_server.serve("/article", page, content_type="text/html; charset=windows-1250")
    text = await fetch_article_text(session, feed_server.url("/article"), timeout=5, max_bytes=MB)
    assert text is not None
    assert "Prezes spółki, Łukasz Śliwa, powiedział, że źródła są pewne." in text


async def test_article_text_is_none_when_the_page_fails(feed_server: FeedServer, session) -> None:
    pytest.importorskip("trafilatura")
    feed_server.serve("/article", b"nope", status=404, content_type="text/html")
    assert (
        await fetch_article_text(session, feed_server.url("/article"), timeout=5, max_bytes=MB)
        is None
    )


async def test_article_text_is_none_without_trafilatura(
    feed_server: FeedServer, session, monkeypatch
) -> None:
    monkeypatch.setattr(fetch_module, "_trafilatura_available", lambda: False)
    feed_server.serve("/article", ARTICLE_PAGE, content_type="text/html")
    assert (
        await fetch_article_text(session, feed_server.url("/article"), timeout=5, max_bytes=MB)
        is None
    )
    assert feed_server.count("/article") == 0
