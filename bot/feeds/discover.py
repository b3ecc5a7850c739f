"""What to follow for an address someone gave ``/feeds add`` or ``newsbot feeds add``.

People paste a site's address (``https://www.theverge.com``) or type one without its scheme
(``theverge.com/rss/index.xml``) as often as a feed's. So an address without a scheme gets
``https://``, as a browser's address bar gives it, and the address is fetched once before it is
followed (through :func:`~bot.feeds.fetch.fetch_document`: the poller's limits and guard):

- a feed, as the poller reads feeds, is followed as given;
- a web page is read for the feeds it names (feed autodiscovery: ``<link rel="alternate"
  type="application/rss+xml" href="...">``, or Atom's type) and the first one is followed, once
  one fetch of it shows that it is a feed;
- anything else is refused, with a reason a person can act on.

A server's temporary trouble (HTTP 5xx or 429, or no answer in time) does not refuse an address:
the server is there, the address is most likely right, and the polls retry it, backing off and
disabling it if it keeps failing. Any other failure (no such host, nothing listening, HTTP 404,
an address refused as not public) refuses it: followed anyway, it would fail every poll for days
before being disabled. Paths such as ``/feed`` are not guessed: each guess is a request to
someone else's server, and the reply tells the person where feeds usually are.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import aiohttp

from bot.feeds.fetch import (
    NON_FEED_PREFIXES,
    FetchResult,
    UrlGuard,
    fetch_document,
    public_only_session,
    public_url_guard,
)
from bot.feeds.parse import FeedError, looks_like_html, parse_feed
from bot.feeds.poller import PollLimits
from bot.ingest.urls import redacted_url

# The feeds a reply names besides the one followed; the rest are counted.
OTHERS_SHOWN = 3
NO_FEED_LINK_HINT = "paste the feed's address (often /feed, /rss or /atom.xml)"

# A host name (or IPv4 address) with at least one dot, perhaps a port, then the path or nothing:
# what people type for a site. "javascript:x", "file:/etc" or "user@host" are not matched.
_HOST_FIRST = re.compile(r"(?:[\w-]+\.)+[\w-]+(?::\d+)?(?:[/?#]|\Z)")
_FEED_TYPES = {"application/rss+xml": "RSS", "application/atom+xml": "Atom"}
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_TEMPORARY_STATUSES = frozenset({429})
_PARSE_CHUNK = 64 * 1024


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a web page names: its absolute URL, its format ("RSS" or "Atom") and the title
    the page gives it (empty when none)."""

    url: str
    kind: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class FoundFeed:
    """What :func:`find_feed` found: the address to follow, or ``refusal`` saying why none.

    ``page`` is the web page the feed was found on (None when the address given was the feed),
    ``link`` how that page names it and ``others`` the page's other feeds. ``unchecked`` is the
    temporary error that kept the feed from being checked (it is followed all the same).
    """

    url: str | None
    refusal: str | None = None
    page: str | None = None
    link: FeedLink | None = None
    others: tuple[FeedLink, ...] = ()
    unchecked: str | None = None


def with_assumed_scheme(address: str) -> str:
    """``address`` with ``https://`` in front when it has no scheme and starts with a host name
    (``theverge.com/rss``, ``//example.com/feed``); anything else unchanged, for the caller's
    check to refuse if it is not http(s) (``file:``, ``ftp:``, ``javascript:``)."""
    address = address.strip()
    if address.startswith("//"):
        return f"https:{address}"
    if _HOST_FIRST.match(address):
        return f"https://{address}"
    return address


async def find_feed_to_follow(
    url: str, *, public_only: bool, limits: PollLimits | None = None
) -> FoundFeed:
    """:func:`find_feed` over a session of its own: held to public addresses, as the poller
    holds feeds added from Discord, when ``public_only``; trusted otherwise (the operator's)."""
    session = public_only_session() if public_only else aiohttp.ClientSession()
    async with session:
        guard = public_url_guard if public_only else None
        return await find_feed(session, url, limits=limits, url_guard=guard)


async def find_feed(
    session: aiohttp.ClientSession,
    url: str,
    *,
    limits: PollLimits | None = None,
    url_guard: UrlGuard | None = None,
) -> FoundFeed:
    """The feed to follow for ``url`` (an http(s) URL): ``url`` itself when it is a feed, else
    the first feed its web page links to; or why there is none (see the module's docstring).

    At most two fetches: the address, and the feed its page names. ``url_guard`` vets both and
    every redirect, so a page cannot lead the bot to an address it would refuse if typed.
    """
    limits = limits or PollLimits()
    shown = redacted_url(url)
    result = await _fetch(session, url, limits, url_guard)
    if result.status != "ok":
        return _unless_temporary(FoundFeed(url), result, f"{shown} could not be fetched")
    why_not = await _why_not_a_feed(result, limits)
    if why_not is None:
        return FoundFeed(url)
    if not (result.content_type in _PAGE_TYPES or looks_like_html(result.body)):
        return FoundFeed(None, f"{shown} is not an RSS or Atom feed: {why_not}")
    links = await asyncio.to_thread(feed_links, result.body, result.charset, result.final_url)
    if not links:
        return FoundFeed(None, f"{shown} is a web page without a feed link; {NO_FEED_LINK_HINT}")
    first, *others = links
    found = FoundFeed(first.url, page=url, link=first, others=tuple(others))
    named = f"{shown} links to the feed {redacted_url(first.url)}, which"
    result = await _fetch(session, first.url, limits, url_guard)
    if result.status != "ok":
        return _unless_temporary(found, result, f"{named} could not be fetched")
    why_not = await _why_not_a_feed(result, limits)
    if why_not is not None:
        return FoundFeed(None, f"{named} is not an RSS or Atom feed: {why_not}")
    return found


def describe_found(found: FoundFeed, quote: Callable[[str], str] | None = None) -> str:
    """What a reply says, after "Following URL", when the address given was a web page: which
    of its feeds is followed, and its other feeds (the first :data:`OTHERS_SHOWN`, then how many
    more). Empty when the address was the feed. ``quote`` readies a page's title for the reply
    (Discord escapes its Markdown)."""
    if found.page is None or found.link is None:
        return ""
    quote = quote or _one_line
    text = f"It is the {_named(found.link, quote)} that {redacted_url(found.page)} links to"
    if not found.others:
        return text + "."
    shown = [_named(link, quote, with_url=True) for link in found.others[:OTHERS_SHOWN]]
    more = len(found.others) - len(shown)
    listed = ", ".join(shown) + (f" and {more} more" if more else "")
    return f"{text}; the page also links to {listed} (add one to follow it too)."


def describe_unchecked(found: FoundFeed) -> str:
    """Why a feed followed was not checked ("could not be checked just now (HTTP 503); the
    polls will retry it"), or an empty string."""
    if not found.unchecked:
        return ""
    return f"could not be checked just now ({found.unchecked}); the polls will retry it"


def feed_links(body: bytes, charset: str | None, page_url: str) -> list[FeedLink]:
    """The RSS and Atom feeds a web page names in its ``<link rel="alternate">`` elements, in
    the page's order, without repeats, as absolute http(s) URLs (resolved against the page's
    ``<base href>``, else ``page_url``). Only the head is read: the links belong there.

    CPU-bound on a large page (pure-Python parsing): call it through :func:`asyncio.to_thread`.
    """
    parser = _FeedLinkParser()
    text = _decoded(body, charset)
    try:
        for start in range(0, len(text), _PARSE_CHUNK):
            parser.feed(text[start : start + _PARSE_CHUNK])
        parser.close()
    except _EndOfHead:
        pass
    except AssertionError:
        # html.parser gives up on a few malformed declarations ("<![foo["); the links it read
        # before that are still the page's.
        pass
    base = _absolute_http(page_url, parser.base) if parser.base else None
    links: dict[str, FeedLink] = {}
    for href, kind, title in parser.links:
        url = _absolute_http(base or page_url, href)
        if url and urldefrag(url).url not in links:
            links[urldefrag(url).url] = FeedLink(url, kind, title)
    return list(links.values())


class _EndOfHead(Exception):
    """Internal: the page's body has started, and with it the end of its feed links."""


class _FeedLinkParser(HTMLParser):
    """Collects ``<base href>`` and the ``<link rel="alternate">`` elements of RSS and Atom type
    (as ``(href, kind, title)``), and stops at ``<body>``."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.base: str | None = None
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "body":
            raise _EndOfHead
        values: dict[str, str] = {}
        for name, value in attrs:  # the first of a repeated attribute counts, as in browsers
            values.setdefault(name, (value or "").strip())
        if tag == "base" and self.base is None and values.get("href"):
            self.base = values["href"]
        if tag != "link" or "alternate" not in values.get("rel", "").lower().split():
            return
        kind = _FEED_TYPES.get(values.get("type", "").split(";")[0].strip().lower())
        if kind and values.get("href"):
            self.links.append((values["href"], kind, _one_line(values.get("title", ""))))


async def _fetch(
    session: aiohttp.ClientSession, url: str, limits: PollLimits, url_guard: UrlGuard | None
) -> FetchResult:
    return await fetch_document(
        session,
        url,
        timeout=limits.timeout_seconds,
        max_bytes=limits.max_bytes,
        url_guard=url_guard,
    )


def _unless_temporary(found: FoundFeed, result: FetchResult, subject: str) -> FoundFeed:
    """``found``, marked unchecked, after a temporary failure; else a refusal naming it."""
    error = result.error or f"HTTP {result.http_status}"
    status = result.http_status or 0
    if result.timed_out or status >= 500 or status in _TEMPORARY_STATUSES:
        return replace(found, unchecked=error)
    return FoundFeed(None, f"{subject} ({error})")


async def _why_not_a_feed(result: FetchResult, limits: PollLimits) -> str | None:
    """Why the body is not a feed the poller would read ("got an HTML page"), or None."""
    if result.content_type and result.content_type.startswith(NON_FEED_PREFIXES):
        return f"got {result.content_type}"  # (an image is no document to parse)
    try:
        # One entry is enough to tell: the document is cut before feedparser reads the rest.
        await asyncio.to_thread(
            parse_feed,
            result.body,
            feed_url=result.final_url,
            max_entries=1,
            now=datetime.now(UTC),
            charset=result.charset,
        )
    except FeedError as error:
        return str(error).removeprefix("not a feed: ")
    return None


def _decoded(body: bytes, charset: str | None) -> str:
    """The page as text: by its HTTP charset when that fits, else UTF-8, else Windows-1252 (what
    browsers fall back to), which decodes any bytes."""
    for encoding in (charset, "utf-8"):
        if encoding:
            try:
                return body.decode(encoding)
            except (LookupError, UnicodeDecodeError):
                continue
    return body.decode("cp1252", errors="replace")


def _absolute_http(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``, if that gives an http(s) URL with a host."""
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
        parts.port  # noqa: B018 (a malformed port raises only when read)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def _named(link: FeedLink, quote: Callable[[str], str], *, with_url: bool = False) -> str:
    """``RSS feed “Title”`` (``“Title” URL`` or the URL alone, ``with_url``)."""
    title = f"“{quote(link.title)}”" if link.title else ""
    if with_url:
        return f"{title} {link.url}".strip()
    return f"{link.kind} feed {title}".strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())[:100]
