"""Canonical article URLs, so that the same article reached by two links is stored once."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track the reader rather than identify the page, or ask for its AMP or
# mobile edition ("?amp", "outputType=amp").
_TRACKING_PREFIXES = ("utm_", "mc_", "_hs", "vero_")
_TRACKING_NAMES = frozenset(
    {"fbclid", "gclid", "igshid", "ref", "ref_src", "cmpid", "mbid", "s", "amp", "outputtype"}
)
# Host prefixes of another edition of the same site: "amp.", "m." and "mobile." serve the same
# articles as the site itself (AMP pages, mobile pages), so a link to either is one article.
_EDITION_HOST = re.compile(r"^(?:www|amp|m|mobile)\.(?=[^.]+\.[^.]+)")
# An AMP page's path: "/story/amp", "/story.amp.html", "/amp/story".
_AMP_PATH = re.compile(r"/amp(?=/|$)|\.amp(?=\.html?$)")


def canonical_url(url: str | None) -> str | None:
    """Return a canonical form of an http(s) URL, or None when there is no usable URL.

    Lower-cases scheme and host, drops ``www.``, default ports, fragments, tracking parameters
    and a trailing slash, reads an AMP or mobile edition's link (``amp.``/``m.`` hosts, ``/amp``
    paths, ``?amp``) as the article's own, and sorts the remaining query parameters.
    """
    if not url or not url.strip():
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # a port out of range or not a number raises only when read
    except ValueError:  # "http://[::1/x", "http://example.com:99999/x"
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    host = _EDITION_HOST.sub("", parts.hostname.lower())
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    path = _AMP_PATH.sub("", parts.path).rstrip("/") or ""
    query = urlencode(
        sorted(
            (key, value)
            for key, value in parse_qsl(parts.query, keep_blank_values=True)
            if key.lower() not in _TRACKING_NAMES and not key.lower().startswith(_TRACKING_PREFIXES)
        )
    )
    return urlunsplit(("https", host, path, query, ""))


def article_key(url: str | None, entry_key: str | None = None) -> str | None:
    """An article's identity in the archive: its canonical URL (see :func:`canonical_url`), or
    None without a usable URL. A feed entry that shares its link with other entries (see
    ``Article.entry_key``) adds what tells it apart after a ``#``: ``https://app.example/changelog#v1-3``.

    Canonical URLs never hold a ``#``, so an entry's key can equal no article's own link, and
    the keys of a page's entries all start with the page's link and ``#``.
    """
    page = canonical_url(url)
    return f"{page}#{entry_key}" if page and entry_key else page


def redacted_url(url: str) -> str:
    """``url`` without the parts that may hold a secret: ``user:password@``, the query string
    (paid feeds often carry a key there) and the fragment; the form to show or log a URL in.

    ``http://me:pw@example.com:8080/feed?key=1`` gives ``http://example.com:8080/feed``.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # unbalanced or invalid IPv6 brackets: drop them and split again
        head = re.split(r"[?#]", url.strip(), maxsplit=1)[0]
        parts = urlsplit(head.replace("[", "").replace("]", ""))
    return urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
