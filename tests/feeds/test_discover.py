"""What ``/feeds add`` and ``newsbot feeds add`` follow for an address: the scheme assumed, a
page's feed links found, failures told apart; against a real server on 127.0.0.1."""

from __future__ import annotations

from dataclasses import replace

import aiohttp
import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.feeds.discover import (
    FeedLink,
    describe_found,
    feed_links,
    find_feed,
    with_assumed_scheme,
)
from bot.feeds.fetch import check_public_url
from bot.feeds.poller import PollLimits
from tests.alerts.harness import Publisher, entry
from tests.fakes.feed_server import FeedServer

PAGE = "https://blog.example/2026/notes/"
LIMITS = replace(PollLimits(), timeout_seconds=2.0)


def _page(head: str, body: str = "<p>Hello</p>") -> bytes:
    """A web page with ``head`` in its head."""
    page = f"<!DOCTYPE html><html><head><title>Blog</title>{head}</head><body>{body}</body>"
    return (page + "</html>").encode()


@pytest.mark.parametrize(
    ("typed", "taken_as"),
    [
        ("theverge.com/rss/index.xml", "https://theverge.com/rss/index.xml"),
        ("www.theverge.com", "https://www.theverge.com"),
        ("  blog.example:8443/feed?x=1 ", "https://blog.example:8443/feed?x=1"),
        ("//blog.example/feed", "https://blog.example/feed"),
        ("127.0.0.1:8080/rss", "https://127.0.0.1:8080/rss"),
        ("http://blog.example/feed", "http://blog.example/feed"),  # a scheme given is kept
        ("HTTPS://blog.example/feed", "HTTPS://blog.example/feed"),
    ],
)
def test_an_address_without_a_scheme_is_taken_as_https(typed: str, taken_as: str) -> None:
    assert with_assumed_scheme(typed) == taken_as


@pytest.mark.parametrize(
    "typed",
    [
        "file:///etc/passwd",
        "ftp://x.example/f",
        "javascript:alert(1)",
        "javascript:alert.x(1)",
        "mailto:news@blog.example",
        "reader@blog.example/feed",
        "localhost/feed",  # not a site's name: no dot
        "feed",
    ],
)
def test_other_schemes_and_non_hosts_are_left_for_the_caller_to_refuse(typed: str) -> None:
    assert with_assumed_scheme(typed) == typed


def test_a_pages_feed_links_are_found_in_order_and_resolved_against_it() -> None:
    head = (
        '<link rel="stylesheet" href="/site.css">'
        '<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">'
        '<link rel="alternate" type="application/feed+json" href="/feed.json">'
        '<link rel="alternate" type="application/rss+xml" title="Notes" href="feed.xml">'
        '<LINK REL="Alternate Feed" TYPE="Application/Atom+XML; charset=utf-8" href="/atom.xml">'
        '<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
        '<link rel="alternate" type="application/rss+xml" href="feed.xml#again">'
        '<link rel="alternate" type="application/rss+xml" href="https://other.example/c.rss">'
    )
    links = feed_links(_page(head), "utf-8", PAGE)
    assert links == [
        FeedLink("https://blog.example/2026/notes/feed.xml", "RSS", "Notes"),
        FeedLink("https://blog.example/atom.xml", "Atom", ""),
        FeedLink("https://other.example/c.rss", "RSS", ""),
    ]


def test_a_base_element_moves_relative_links_and_the_body_is_not_read() -> None:
    head = (
        '<base href="https://cdn.example/site/">'
        "<link rel=alternate type=application/rss+xml href=rss>"
    )
    body = '<link rel="alternate" type="application/rss+xml" href="/in-the-body.xml">'
    assert [link.url for link in feed_links(_page(head, body), None, PAGE)] == [
        "https://cdn.example/site/rss"
    ]


@given(st.binary(max_size=2000) | st.text(max_size=2000).map(str.encode))
def test_any_page_gives_a_list_of_links_and_never_an_error(body: bytes) -> None:
    links = feed_links(b"<html><head>" + body, "utf-8", PAGE)
    assert all(link.url.startswith(("http://", "https://")) for link in links)


async def test_a_feed_is_followed_as_given(feed_server: FeedServer, session) -> None:
    feed = Publisher(feed_server, "/rss")
    feed.publish(entry("rubin", "Nvidia ships Rubin"))
    found = await find_feed(session, feed.url, limits=LIMITS)
    assert (found.url, found.refusal, found.page, found.unchecked) == (feed.url, None, None, None)
    assert describe_found(found) == ""
    assert feed_server.count("/rss") == 1


async def test_a_page_gives_its_first_feed_and_names_the_others(
    feed_server: FeedServer, session
) -> None:
    feed = Publisher(feed_server, "/blog/feed.xml", "atom")
    feed.publish(entry("rubin", "Nvidia ships Rubin"))
    head = "".join(
        f'<link rel="alternate" type="application/rss+xml" title="{title}" href="{href}">'
        for title, href in [
            ("Chip Wire", "feed.xml"),
            ("Comments", "/comments.xml"),
            ("", "/tags/ai.xml"),
            ("Podcast", "/podcast.xml"),
            ("Jobs", "/jobs.xml"),
        ]
    )
    feed_server.serve("/blog/", _page(head), content_type="text/html; charset=utf-8")
    page = feed_server.url("/blog/")
    found = await find_feed(session, page, limits=LIMITS)
    assert (found.url, found.page, found.refusal) == (feed.url, page, None)
    base = feed_server.url("")
    assert describe_found(found) == (
        f"It is the RSS feed “Chip Wire” that {page} links to; the page also links to "
        f"“Comments” {base}/comments.xml, {base}/tags/ai.xml, “Podcast” {base}/podcast.xml "
        "and 1 more (add one to follow it too)."
    )
    # The page, then the feed it names, once each; its other feeds are not fetched.
    assert (feed_server.count("/blog/"), feed_server.count("/blog/feed.xml")) == (1, 1)
    assert feed_server.count("/comments.xml") == 0


async def test_a_page_without_a_feed_link_is_refused(feed_server: FeedServer, session) -> None:
    feed_server.serve("/", _page("<link rel=icon href=/favicon.ico>"), content_type="text/html")
    found = await find_feed(session, feed_server.url("/"), limits=LIMITS)
    assert found.url is None
    assert found.refusal == (
        f"{feed_server.url('/')} is a web page without a feed link; paste the feed's address "
        "(often /feed, /rss or /atom.xml)"
    )
    assert [path for path in feed_server.requests] == ["/"]  # no /feed, /rss... guessed


@pytest.mark.parametrize(
    ("body", "content_type", "why"),
    [
        (b'{"items": []}', "application/json", "got JSON (only RSS and Atom are read)"),
        (b"\x89PNG\r\n\x1a\n", "image/png", "got image/png"),
        (b"Hello", "text/plain", "malformed XML with no entries ("),
    ],
)
async def test_what_is_neither_a_feed_nor_a_page_is_refused(
    feed_server: FeedServer, session, body: bytes, content_type: str, why: str
) -> None:
    feed_server.serve("/data", body, content_type=content_type)
    found = await find_feed(session, feed_server.url("/data"), limits=LIMITS)
    assert found.url is None
    assert found.refusal.startswith(f"{feed_server.url('/data')} is not an RSS or Atom feed: {why}")


async def test_an_address_that_fails_for_good_is_refused_and_a_server_in_trouble_is_not(
    feed_server: FeedServer, session
) -> None:
    feed_server.serve("/busy", b"try later", status=503, content_type="text/plain")
    feed_server.serve("/limited", b"slow down", status=429, content_type="text/plain")
    feed_server.serve("/gone", b"gone", status=410, content_type="text/plain")
    feed_server.hang("/slow")
    missing = await find_feed(session, feed_server.url("/missing"), limits=LIMITS)
    assert missing.url is None
    assert missing.refusal == f"{feed_server.url('/missing')} could not be fetched (HTTP 404)"
    gone = await find_feed(session, feed_server.url("/gone"), limits=LIMITS)
    assert gone.refusal == f"{feed_server.url('/gone')} could not be fetched (HTTP 410)"
    # Nothing listens on port 9 (discard) of this machine.
    nobody = await find_feed(session, "http://127.0.0.1:9/feed", limits=LIMITS)
    assert nobody.url is None
    assert nobody.refusal.startswith("http://127.0.0.1:9/feed could not be fetched (cannot ")

    for path, error in [
        ("/busy", "HTTP 503"),
        ("/limited", "HTTP 429"),
        ("/slow", "timed out after 2 s"),
    ]:
        found = await find_feed(session, feed_server.url(path), limits=LIMITS)
        assert (found.url, found.unchecked, found.refusal) == (feed_server.url(path), error, None)


async def test_the_feed_a_page_names_is_checked_too(feed_server: FeedServer, session) -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="{}">'
    feed_server.serve("/a", _page(link.format("/a.xml")), content_type="text/html")
    feed_server.serve("/b", _page(link.format("/b.xml")), content_type="text/html")
    feed_server.serve("/b.xml", _page(""), content_type="text/html")
    feed_server.serve("/c", _page(link.format("/c.xml")), content_type="text/html")
    feed_server.serve("/c.xml", b"down", status=502, content_type="text/plain")
    a, b, c = (feed_server.url(path) for path in ("/a", "/b", "/c"))

    found = await find_feed(session, a, limits=LIMITS)
    assert found.refusal == (
        f"{a} links to the feed {a}.xml, which could not be fetched (HTTP 404)"
    )
    found = await find_feed(session, b, limits=LIMITS)
    assert found.refusal == f"{b} links to the feed {b}.xml, which is not an RSS or Atom feed: " \
        "got an HTML page"  # fmt: skip
    found = await find_feed(session, c, limits=LIMITS)
    assert (found.url, found.page, found.unchecked) == (f"{c}.xml", c, "HTTP 502")


async def test_a_page_cannot_lead_to_an_address_the_guard_refuses(
    feed_server: FeedServer, session: aiohttp.ClientSession
) -> None:
    # The page is on this machine (where the test server is); what it links to is vetted as a
    # feed added from Discord is. The session would fail the test on any request elsewhere.
    async def guard(url: str) -> None:
        if not url.startswith(feed_server.url("/")):
            await check_public_url(url)

    links = "".join(
        f'<link rel="alternate" type="application/atom+xml" href="{href}">'
        for href in ("http://169.254.169.254/latest/meta-data/", "http://10.0.0.7/feed")
    )
    feed_server.serve("/", _page(links), content_type="text/html")
    found = await find_feed(session, feed_server.url("/"), limits=LIMITS, url_guard=guard)
    assert found.url is None
    assert found.refusal == (
        f"{feed_server.url('/')} links to the feed http://169.254.169.254/latest/meta-data/, "
        "which could not be fetched (refused http://169.254.169.254/latest/meta-data/: "
        "169.254.169.254 is a cloud metadata address)"
    )
