"""Fetching feeds (and, optionally, article pages) over HTTP, defensively.

Every fetch is a conditional GET with a total deadline and a size cap, follows redirects one hop
at a time so that each target can be vetted (:func:`check_public_url`; a session from
:func:`public_only_session` applies the same rule to the addresses it connects to), and reports
network and HTTP problems as a :class:`FetchResult` with a readable message instead of raising: a
feed that is down is an everyday event for a feed reader, not an exception. Messages and log lines
name URLs without their query string or password (:func:`~bot.ingest.urls.redacted_url`):
messages are stored, shown in Discord and logged, and a paid feed's key is often in its query
string.
"""

from __future__ import annotations

import asyncio
import importlib.util
import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Literal
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import ResolveResult
from yarl import URL

from bot.ingest.urls import redacted_url

log = logging.getLogger(__name__)

USER_AGENT = "newsbot/0.1 (self-hosted news archive; feed reader)"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
# An address someone typed may be a feed or the site's page that links to it: either is welcome.
DOCUMENT_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, "
    "text/html;q=0.8, application/xhtml+xml;q=0.8, */*;q=0.1"
)

UrlGuard = Callable[[str], Awaitable[None]]
FetchStatus = Literal["ok", "not_modified", "error"]

_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
_PERMANENT_REDIRECTS = frozenset({301, 308})
_CHUNK_SIZE = 64 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Media types that can never hold a feed, refused before the parser wastes time on them.
NON_FEED_PREFIXES = ("image/", "audio/", "video/", "font/")
# The start of a feed document, looked for in servers that label feeds as text/html.
_FEED_MARKERS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf")

# Cloud instance-metadata endpoints: fetching them from a server can leak credentials. Most are in
# ranges refused anyway; Azure's 168.63.129.16 is a public address and must be named.
_METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean...
        "169.254.170.2",  # AWS ECS task metadata
        "fd00:ec2::254",  # AWS over IPv6
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure WireServer
    )
)
# NAT64 embeds an IPv4 address in IPv6; a NAT64 gateway would carry a request to it.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class UnsafeURLError(ValueError):
    """Refused URL: not http(s), or its host is (or resolves to) a non-public address."""


class UnsafeAddressError(UnsafeURLError):
    """A name resolved, as a connection was made, to an address :func:`check_public_url` refuses."""


class PublicAddressResolver(aiohttp.ThreadedResolver):
    """aiohttp's threaded resolver (the system's, as :func:`check_public_url` uses), refusing a
    name any of whose addresses is not public, by the same rule as :func:`check_public_url`.

    The check then applies to the very addresses the connection is made to: a name that answers
    a public address to the check and a private one to the connection (DNS rebinding) is
    refused. aiohttp connects to an IP literal without resolving it, so literals still need
    :func:`check_public_url`, which also refuses them before any request is made.
    """

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        """``host``'s addresses, or :class:`UnsafeAddressError` if any of them is not public."""
        results = await super().resolve(host, port, family)
        for result in results:
            address = _parse_address(result["host"])
            reason = _refusal_reason(address)
            if reason:
                raise UnsafeAddressError(f"{host} resolves to {address}, which is {reason}")
        return results


def public_only_session() -> aiohttp.ClientSession:
    """A client session that connects to public addresses only, whatever a name resolves to by
    the time it connects (see :class:`PublicAddressResolver`). A refusal ends a fetch with
    ``refused URL: not a public web server``; what the name resolved to is only logged."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(resolver=PublicAddressResolver()))


@dataclass(slots=True)
class FeedState:
    """What is known about a feed before fetching it: its URL and the cache validators last seen."""

    url: str
    etag: str | None = None
    last_modified: str | None = None


@dataclass(slots=True)
class FetchResult:
    """The outcome of one fetch.

    ``etag`` and ``last_modified`` are the validators to store for next time: the new ones after a
    200, and the ones sent (unless the server sent fresh ones) after a 304 or an error, so a caller
    can always save them. ``permanent_redirect`` is true when the URL changed through 301/308 hops
    only, i.e. when the caller may update the feed's stored URL to ``final_url``. ``content_type``
    is the media type alone (lowercased); ``charset`` is the Content-Type's charset parameter, as
    sent. ``timed_out`` is true when the fetch ended because its deadline passed.
    """

    status: FetchStatus
    final_url: str
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    charset: str | None = None
    permanent_redirect: bool = False
    retry_after: float | None = None
    timed_out: bool = False


class _FetchFailed(Exception):
    """Internal: ends a fetch with a message for :attr:`FetchResult.error`."""

    def __init__(
        self, message: str, *, http_status: int | None = None, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.http_status = http_status
        self.retry_after = retry_after


@dataclass(slots=True)
class _Progress:
    """Internal: where a fetch has got to, so that an error can still report the URL it was at."""

    url: str
    permanent: bool = True
    redirected: bool = False


async def fetch_feed(
    session: aiohttp.ClientSession,
    state: FeedState,
    *,
    timeout: float,  # noqa: ASYNC109 - part of the agreed API; applied with asyncio.timeout
    max_bytes: int,
    max_redirects: int = 5,
    url_guard: UrlGuard | None = None,
) -> FetchResult:
    """Fetch a feed with a conditional GET; never raises for network or HTTP problems.

    ``timeout`` bounds the whole fetch (every redirect hop, ``url_guard`` and the body);
    ``max_bytes`` bounds the decoded body, read in chunks so a huge or endless response is cut
    off; ``url_guard`` vets the first URL and every redirect target before it is requested. A
    response labelled as HTML that does not start like a feed is an error ("not a feed: got
    text/html").
    """
    headers = {"Accept": FEED_ACCEPT, "User-Agent": USER_AGENT}
    if state.etag:
        headers["If-None-Match"] = state.etag
    if state.last_modified:
        headers["If-Modified-Since"] = state.last_modified
    result = await _fetch(
        session,
        state.url,
        headers,
        deadline=timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        url_guard=url_guard,
    )
    if result.status != "ok":
        # Keep the validators we had: a 304 or a failure says nothing against them.
        result.etag = result.etag or state.etag
        result.last_modified = result.last_modified or state.last_modified
        return result
    refusal = _non_feed_reason(result.content_type, result.body)
    if refusal:
        result.status, result.error, result.body = "error", refusal, b""
        result.etag, result.last_modified = state.etag, state.last_modified
    return result


async def fetch_document(
    session: aiohttp.ClientSession,
    url: str,
    *,
    timeout: float,  # noqa: ASYNC109 - same contract as fetch_feed
    max_bytes: int,
    max_redirects: int = 5,
    url_guard: UrlGuard | None = None,
) -> FetchResult:
    """Fetch what an address holds, a feed or a web page, with the limits and guard of
    :func:`fetch_feed`; never raises for network or HTTP problems.

    Unlike :func:`fetch_feed`, the request is unconditional and a web page is returned as it
    came: it is where a site names its feeds (see :mod:`bot.feeds.discover`).
    """
    return await _fetch(
        session,
        url,
        {"Accept": DOCUMENT_ACCEPT, "User-Agent": USER_AGENT},
        deadline=timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        url_guard=url_guard,
    )


async def fetch_article_text(
    session: aiohttp.ClientSession,
    url: str,
    *,
    timeout: float,  # noqa: ASYNC109 - same contract as fetch_feed
    max_bytes: int,
    max_redirects: int = 5,
    url_guard: UrlGuard | None = None,
) -> str | None:
    """Fetch an article page and return its main text, extracted with trafilatura.

    Returns ``None`` when trafilatura (an optional extra) is not installed, the page cannot be
    fetched or is not HTML, or no main text is found. Never raises for network problems. The
    page is decoded with the charset of its Content-Type when it has one that fits.
    """
    if not _trafilatura_available():
        return None
    result = await _fetch(
        session,
        url,
        {"Accept": PAGE_ACCEPT, "User-Agent": USER_AGENT},
        deadline=timeout,
        max_bytes=max_bytes,
        max_redirects=max_redirects,
        url_guard=url_guard,
    )
    if result.status != "ok" or (result.content_type and result.content_type not in _HTML_TYPES):
        return None
    page = _decoded_page(result.body, result.charset)
    # Extraction is CPU-bound (lxml): keep it off the event loop.
    return await asyncio.to_thread(_extract_main_text, page, result.final_url)


async def check_public_url(url: str) -> None:
    """Raise :class:`UnsafeURLError` unless ``url`` is http(s) and its host is public.

    The host is resolved and every address it resolves to must be public: loopback, private,
    link-local, multicast, reserved, unspecified, shared (CGNAT) and cloud-metadata addresses are
    refused, including IPv4 addresses wrapped in IPv6 (``::ffff:10.0.0.1``). A host that does not
    resolve is refused too (this check fails closed). The connection resolves the name again, so
    this does not defend against DNS rebinding on its own: fetch through
    :func:`public_only_session` too.
    """
    shown = redacted_url(url)
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise UnsafeURLError(f"refused {shown}: malformed URL ({error})") from error
    if parts.scheme.lower() not in ("http", "https"):
        raise UnsafeURLError(f"refused {shown}: only http and https URLs are fetched")
    host = parts.hostname
    if not host:
        raise UnsafeURLError(f"refused {shown}: no host")
    default_port = 443 if parts.scheme.lower() == "https" else 80
    for address in await _resolve(shown, host, port or default_port):
        reason = _refusal_reason(address)
        if reason:
            subject = host if _is_literal(host) else f"{host} resolves to {address}, which"
            raise UnsafeURLError(f"refused {shown}: {subject} is {reason}")


async def public_url_guard(url: str) -> None:
    """The address guard of feeds added from Discord: :func:`check_public_url`, whose detail
    (what a name resolves to, or that it does not) is logged for the operator but left out of
    the error, which replies, /feeds list and the disabled notice show. Otherwise a server's
    admins could probe the DNS of the bot's network with a feed that redirects to names in it,
    or a page whose feed link names them."""
    try:
        await check_public_url(url)
    except UnsafeURLError as error:
        log.warning("feed fetch %s", error)
        raise UnsafeURLError(f"refused {redacted_url(url)}: not a public web server") from error


def backoff_delay(failures: int, base: float, cap: float) -> float:
    """Seconds to wait after ``failures`` failures in a row: ``base * 2**(failures - 1)``, capped.

    Deterministic (no jitter), 0 for no failures, and never overflows for huge ``failures``.
    """
    if failures <= 0:
        return 0.0
    if base < 0 or cap < 0:
        raise ValueError("base and cap must not be negative")
    # 2.0**1023 is the largest power of two a float holds; past the cap the exact value is moot.
    return min(cap, base * 2.0 ** min(failures - 1, 1023))


async def _fetch(
    session: aiohttp.ClientSession,
    url: str,
    headers: Mapping[str, str],
    *,
    deadline: float,
    max_bytes: int,
    max_redirects: int,
    url_guard: UrlGuard | None,
) -> FetchResult:
    """GET ``url`` following redirects by hand; turn every failure into an error result."""
    progress = _Progress(url)
    try:
        async with asyncio.timeout(deadline):
            return await _follow(session, progress, headers, max_bytes, max_redirects, url_guard)
    except _FetchFailed as failure:
        return _error(progress, str(failure), failure.http_status, failure.retry_after)
    except TimeoutError:
        result = _error(progress, f"timed out after {deadline:g} s")
        result.timed_out = True
        return result
    except UnsafeAddressError as error:
        # The address is for the operator's log only: messages are shown in Discord, where they
        # would let whoever added the feed probe the DNS of the bot's network.
        shown = redacted_url(progress.url)
        log.warning("fetch of %s refused: %s", shown, error)
        return _error(progress, f"refused {shown}: not a public web server")
    except UnsafeURLError as error:
        return _error(progress, str(error))
    except aiohttp.ClientError as error:
        return _error(progress, _describe_client_error(error))
    except (OSError, ValueError, UnicodeError) as error:
        # Raised by yarl/aiohttp for malformed URLs and by the OS for socket trouble.
        shown = redacted_url(progress.url)
        return _error(progress, f"cannot fetch {shown}: {error or type(error).__name__}")


async def _follow(
    session: aiohttp.ClientSession,
    progress: _Progress,
    headers: Mapping[str, str],
    max_bytes: int,
    max_redirects: int,
    url_guard: UrlGuard | None,
) -> FetchResult:
    """Request ``progress.url`` and each redirect target in turn, at most ``max_redirects`` hops."""
    for _hop in range(max_redirects + 1):
        _require_http(progress.url)
        if url_guard is not None:
            await url_guard(progress.url)
        async with session.get(progress.url, headers=headers, allow_redirects=False) as response:
            if response.status in _REDIRECT_STATUSES:
                _take_redirect(progress, response)
                continue
            return await _final_response(progress, response, max_bytes)
    raise _FetchFailed(f"too many redirects (more than {max_redirects})")


def _take_redirect(progress: _Progress, response: aiohttp.ClientResponse) -> None:
    """Move ``progress`` to the target of a redirect response."""
    location = response.headers.get("Location")
    if not location:
        raise _FetchFailed(f"HTTP {response.status} redirect without a Location header")
    # Location may be relative; it is resolved against the URL that answered.
    progress.url = str(response.url.join(URL(location)))
    progress.redirected = True
    progress.permanent = progress.permanent and response.status in _PERMANENT_REDIRECTS


async def _final_response(
    progress: _Progress, response: aiohttp.ClientResponse, max_bytes: int
) -> FetchResult:
    """Turn a non-redirect response into a result, reading its body within ``max_bytes``."""
    result = FetchResult(
        status="ok",
        final_url=progress.url,
        etag=response.headers.get("ETag"),
        last_modified=response.headers.get("Last-Modified"),
        http_status=response.status,
        content_type=response.content_type.lower() if "Content-Type" in response.headers else None,
        charset=response.charset,
        permanent_redirect=progress.redirected and progress.permanent,
    )
    if response.status == 304:
        result.status = "not_modified"
        return result
    if not 200 <= response.status < 300:
        retry_after = _retry_after(response.headers.get("Retry-After"))
        raise _FetchFailed(
            f"HTTP {response.status}", http_status=response.status, retry_after=retry_after
        )
    result.body = await _read_capped(response, max_bytes)
    return result


async def _read_capped(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The (decompressed) body, or :class:`_FetchFailed` as soon as it passes ``max_bytes``."""
    too_large = f"response larger than {_format_size(max_bytes)}"
    if response.content_length is not None and response.content_length > max_bytes:
        raise _FetchFailed(too_large)
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(_CHUNK_SIZE):
        size += len(chunk)
        if size > max_bytes:
            # Closing (not releasing) drops the connection instead of draining the rest.
            response.close()
            raise _FetchFailed(too_large)
        chunks.append(chunk)
    return b"".join(chunks)


def _error(
    progress: _Progress,
    message: str,
    http_status: int | None = None,
    retry_after: float | None = None,
) -> FetchResult:
    """An error result for a fetch that got as far as ``progress``."""
    log.debug("fetch of %s failed: %s", redacted_url(progress.url), message)
    return FetchResult(
        status="error",
        final_url=progress.url,
        error=message,
        http_status=http_status,
        retry_after=retry_after,
    )


def _require_http(url: str) -> None:
    """Refuse schemes other than http(s), even without a guard (a redirect may say ``file:``)."""
    scheme = urlsplit(url).scheme.lower()
    if scheme not in ("http", "https"):
        raise _FetchFailed(f"refused {redacted_url(url)}: only http and https URLs are fetched")


def _non_feed_reason(content_type: str | None, body: bytes) -> str | None:
    """Why a successful response cannot be a feed (judging by type and first bytes), or ``None``."""
    if content_type is None:
        return None
    if content_type.startswith(NON_FEED_PREFIXES):
        return f"not a feed: got {content_type}"
    if content_type in _HTML_TYPES:
        # Some servers label their feeds text/html: believe the body over the header.
        head = body[:2048].lower()
        if not any(marker in head for marker in _FEED_MARKERS):
            return f"not a feed: got {content_type}"
    return None


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), if it has a usable one."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe_client_error(error: aiohttp.ClientError) -> str:
    """A short, human-readable description of an aiohttp error."""
    if isinstance(error, aiohttp.InvalidURL):
        return f"invalid URL: {redacted_url(str(error.url))}"
    if isinstance(error, aiohttp.ClientSSLError):
        return f"TLS error: {error}"
    if isinstance(error, aiohttp.ClientConnectorError):
        return f"cannot connect to {error.host}:{error.port} ({error.os_error.strerror or error})"
    if isinstance(error, aiohttp.ServerDisconnectedError):
        return "server closed the connection"
    if isinstance(error, aiohttp.ClientPayloadError):
        return "response body was cut short or badly encoded"
    if isinstance(error, aiohttp.ClientResponseError):
        return f"bad HTTP response: {error.message or error}"
    return f"network error: {error or type(error).__name__}"


def _format_size(size: int) -> str:
    """``5 MB``, ``512 KB``, ``100 bytes``: sizes in binary units, for messages."""
    for unit, factor in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= factor:
            return f"{round(size / factor, 1):g} {unit}"
    return f"{size} bytes"


async def _resolve(shown: str, host: str, port: int) -> set[IPAddress]:
    """Every address ``host`` stands for: itself if it is an IP literal, else what DNS answers
    (``shown``: the URL as refusals name it)."""
    if _is_literal(host):
        return {_parse_address(host)}
    loop = asyncio.get_running_loop()
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise UnsafeURLError(f"refused {shown}: cannot resolve {host} ({reason})") from error
    addresses = {_parse_address(str(info[4][0])) for info in infos}
    if not addresses:
        raise UnsafeURLError(f"refused {shown}: {host} resolves to no address")
    return addresses


def _is_literal(host: str) -> bool:
    """Whether ``host`` is an IP address rather than a name."""
    try:
        _parse_address(host)
    except ValueError:
        return False
    return True


def _parse_address(text: str) -> IPAddress:
    """An IP address, without any IPv6 zone (``fe80::1%eth0``): zones do not change its kind."""
    return ipaddress.ip_address(text.split("%", 1)[0])


def _refusal_reason(address: IPAddress) -> str | None:
    """Why ``address`` must not be fetched from (``"a private address"``...), or ``None``."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            reason = _refusal_reason(embedded)
            return f"{reason} (as {embedded} inside IPv6)" if reason else None
    if address in _METADATA_ADDRESSES:
        return "a cloud metadata address"
    checks = (
        (address.is_loopback, "a loopback address"),
        (address.is_unspecified, "an unspecified address"),
        (address.is_link_local, "a link-local address"),
        (address.is_multicast, "a multicast address"),
        (address.is_private, "a private address"),
        (address.is_reserved, "a reserved address"),
        # Catches the rest: shared/CGNAT space (100.64.0.0/10), documentation ranges...
        (not address.is_global, "not a public address"),
    )
    return next((reason for refused, reason in checks if refused), None)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address carried by an IPv4-mapped, 6to4 or NAT64 IPv6 address, if any."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _trafilatura_available() -> bool:
    """Whether the optional trafilatura extra is installed (checked without importing it)."""
    return importlib.util.find_spec("trafilatura") is not None


def _decoded_page(body: bytes, charset: str | None) -> bytes | str:
    """The page decoded with its HTTP charset, else its bytes for trafilatura to decode.

    trafilatura ignores the header and guesses from the bytes, which goes wrong on a mostly
    English page that names a few people in another script. As in browsers, a byte-order mark
    outranks the header; a charset that is unknown or does not fit the bytes is left unused.
    """
    if not charset or body.startswith((b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe")):
        return body
    try:
        return body.decode(charset)
    except (LookupError, UnicodeDecodeError):
        return body


def _extract_main_text(html: bytes | str, url: str) -> str | None:
    """The main text of an HTML page per trafilatura, or ``None`` (runs in a worker thread)."""
    try:
        import trafilatura
    except ImportError:
        return None
    try:
        text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False)
    except Exception:
        # Extraction is best effort on arbitrary pages; a parser crash must not take the bot down.
        log.warning("trafilatura failed on %s", redacted_url(url), exc_info=True)
        return None
    text = (text or "").strip()
    return text or None
