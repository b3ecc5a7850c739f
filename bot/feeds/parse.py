"""Turn an RSS (0.9x, 1.0, 2.0) or Atom document into :class:`~bot.models.Article` objects.

The heavy lifting is feedparser's; this module adds what a long-running bot needs on top of it:
refusing documents that are not feeds (with a reason a person can act on), refusing XML entity
declarations before any XML parser sees them, bounding the work done on huge feeds, and turning
the entries' HTML into clean plain text.
"""

from __future__ import annotations

import hashlib
import io
import re
import time
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import pairwise
from typing import Any, AnyStr
from urllib.parse import urlsplit

import feedparser

from bot.ingest.fields import clean_text, html_to_text, join_paragraphs, unless_future
from bot.ingest.sentences import split_text
from bot.ingest.urls import canonical_url
from bot.models import Article

# Tags past this many are noise (some feeds tag every entry with their whole taxonomy).
MAX_TOPICS = 32
# An entry without a title (a Mastodon, Bluesky or micro.blog post: RSS asks for a title or a
# description) is titled with the first sentence of its text, cut between words to this length.
UNTITLED_TITLE_CHARS = 100

# "<!ENTITY" in any case and with any spacing: an internal DTD subset is the only way to build an
# entity bomb, and real feeds never need one. Looked for in the prolog only, the one place where an
# entity can be declared: after it, "<!ENTITY" is quoted text (a post about XXE payloads).
_ENTITY_DECLARATION = re.compile(r"<!\s*ENTITY", re.IGNORECASE)
_ENTITY_DECLARATION_BYTES = re.compile(rb"<!\s*ENTITY", re.IGNORECASE)
# Entry ends are found by a scan that matches CDATA sections and comments first, so that an
# "</item>" inside them is skipped over; an unterminated one runs to the end (\Z) so the scan
# never backtracks quadratically. The entry's end tag goes in the "end" group.
_ENTRY_END_PATTERN = rb"<!\[CDATA\[.*?(?:\]\]>|\Z)|<!--.*?(?:-->|\Z)|(?P<end></%s\s*>)"
# The parts of a prolog, each matched whole: comments, processing instructions (the XML
# declaration) and the doctype, whose quoted literals and internal subset (where entities are
# declared) may hold "<" and ">"; then the root element's name (group "root"). A part left open
# runs to the end (\Z), so the scan never backtracks and an unreadable prolog is the whole document.
_LITERAL = r"\"[^\"]*(?:\"|\Z)|'[^']*(?:'|\Z)"
_COMMENT = r"<!--.*?(?:-->|\Z)"
_PI = r"<\?.*?(?:\?>|\Z)"
_SUBSET = rf"\[(?:{_LITERAL}|{_COMMENT}|{_PI}|[^]\"'])*(?:]|\Z)"
_DOCTYPE = rf"<!DOCTYPE(?:{_LITERAL}|{_SUBSET}|[^>\"'[])*(?:>|\Z)"
_PROLOG_PART = rf"{_COMMENT}|{_PI}|{_DOCTYPE}|<(?P<root>[A-Za-z_][\w.:-]*)"
_PROLOG = re.compile(_PROLOG_PART, re.S | re.I)
_PROLOG_BYTES = re.compile(_PROLOG_PART.encode(), re.S | re.I)
_HTML_START = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
_UTF16_32_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# An encoding in the XML declaration, as feedparser finds it (no spaces around "=").
_XML_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*?encoding=[\"']")


# feedparser flags these although the entries are whole: a wrong declared encoding or type.
_HARMLESS_BOZO = (
    feedparser.CharacterEncodingOverride,
    feedparser.NonXMLContentType,
)


class FeedError(ValueError):
    """The document is not a feed this project will read; the message says why."""


@dataclass(slots=True)
class ParsedFeed:
    """A parsed feed: its title, the articles kept, and one line per entry (or group) left out.

    ``entry_keys`` holds, for each article, what would tell it apart from other entries of its
    link (see :func:`_entry_keys`), or None. It is the article's ``entry_key`` already when the
    document shows that the link is shared; :meth:`sharing` sets it on the others whose link an
    earlier document showed shared.
    """

    title: str
    articles: list[Article] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    entry_keys: list[str | None] = field(default_factory=list)

    def unshared_pages(self) -> set[str]:
        """The canonical links of the articles that would get an entry key if their link were
        shared, but that this document alone does not show to be."""
        return {
            page
            for article, key in zip(self.articles, self.entry_keys, strict=True)
            if key and article.entry_key is None and (page := canonical_url(article.url))
        }

    def sharing(self, pages: Collection[str]) -> list[Article]:
        """The articles, each one linking to one of ``pages`` (canonical links known to be
        shared: the archive holds entries of them) with its entry key.

        A page whose entries the feed once listed together stays shared when it lists one of
        them alone: keyed by its link alone, that entry would be stored a second time.
        """
        return [
            replace(article, entry_key=key)
            if key and article.entry_key is None and canonical_url(article.url) in pages
            else article
            for article, key in zip(self.articles, self.entry_keys, strict=True)
        ]


def parse_feed(
    data: bytes,
    *,
    feed_url: str,
    max_entries: int = 500,
    now: datetime,
    charset: str | None = None,
) -> ParsedFeed:
    """Parse an RSS or Atom document into articles.

    At most ``max_entries`` entries are read, the newest: the first ones, or the last ones when the
    dates show that the feed lists its oldest first. ``skipped`` tells how many more there were and
    which entries were left out and why. Relative links resolve against ``feed_url``, whose host
    also names the source when the feed has no title. Dates more than a day after ``now`` become
    ``now``. Raises :class:`FeedError` when ``data`` is empty, an HTML page, XML that yields no
    entries and is malformed or not RSS/Atom, or declares XML entities.

    ``charset`` is the one the HTTP response declared (its Content-Type's charset parameter): it
    decodes a document that does not state its own encoding by a byte-order mark or in its XML
    declaration.

    CPU-bound (feedparser runs in pure Python, roughly a second per 100,000 tags): an event loop
    should call it through :func:`asyncio.to_thread`.
    """
    if max_entries < 1:
        raise ValueError(f"max_entries must be at least 1, not {max_entries}")
    now = _as_utc(now)
    _reject_non_feeds(data)
    data, counted_entries = _cap_entries(data, max_entries)
    # A BytesIO, never the bytes themselves: feedparser treats a bytes/str argument that happens
    # to be a path or URL as something to open.
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-location": feed_url, "content-type": _xml_type(data, charset)},
        sanitize_html=True,
        resolve_relative_uris=True,
    )
    _check_is_feed(parsed)

    title = _detail_text(parsed.feed.get("title"), parsed.feed.get("title_detail"))
    source = title or urlsplit(feed_url).hostname or None
    result = ParsedFeed(title=title)
    # After a cut, feedparser only saw the first and last entries: the count before it is the total.
    total = counted_entries or len(parsed.entries)
    oldest_first = len(parsed.entries) > max_entries and _lists_oldest_first(parsed.entries, now)
    entries = parsed.entries[-max_entries:] if oldest_first else parsed.entries[:max_entries]
    # Entries are numbered by their place in the document.
    first_number = total - len(entries) + 1 if oldest_first else 1
    if parsed.get("bozo") and not isinstance(parsed.get("bozo_exception"), _HARMLESS_BOZO):
        result.skipped.append(
            f"the document is malformed ({_describe(parsed.get('bozo_exception'))}); "
            f"kept the {len(entries)} entries read before the error"
        )
    kept = []
    for number, entry in enumerate(entries, start=first_number):
        article, reason = _entry_to_article(entry, source=source, now=now)
        if article is None:
            result.skipped.append(f"entry {number}: {reason}")
        else:
            kept.append((entry, article))
    # The feed's own pages: an entry linking to the site's home page (a status page's incidents
    # do) or to the feed itself has no page of its own, even when it is the only entry listed.
    home_pages = {canonical_url(_http_url(parsed.feed.get("link"))), canonical_url(feed_url)}
    result.articles, result.entry_keys = _entry_keys(kept, home_pages - {None})
    ignored = total - len(entries)
    if ignored > 0:
        noun = "entry" if ignored == 1 else "entries"
        result.skipped.append(f"{ignored:,} more {noun} ignored (limit {max_entries:,})")
    return result


def _reject_non_feeds(data: bytes) -> None:
    """Refuse, cheaply and before any XML parser runs, what cannot or must not be parsed."""
    if not data.strip():
        raise FeedError("not a feed: the document is empty")
    if _declares_entities(data):
        raise FeedError(
            "refused: the document declares XML entities (<!ENTITY), as entity bombs do"
        )
    if looks_like_html(data):
        raise FeedError("not a feed: got an HTML page")
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
        raise FeedError("not a feed: got JSON (only RSS and Atom are read)")


def looks_like_html(data: bytes) -> bool:
    """Whether the document starts as an HTML page does (``<!DOCTYPE html>`` or ``<html>``,
    perhaps after a byte-order mark and comments)."""
    return _HTML_START.match(data[:4096]) is not None


def _declares_entities(data: bytes) -> bool:
    """Whether the document's prolog declares entities, in UTF-8/ASCII or (by BOM or NUL bytes)
    UTF-16/32."""
    if _ENTITY_DECLARATION_BYTES.search(_prolog(data, _PROLOG_BYTES)):
        return True
    if not (data.startswith(_UTF16_32_BOMS) or b"\x00" in data[:4]):
        return False
    # Wide encodings hide the ASCII pattern between NUL bytes: decode each way and look again.
    for encoding in ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"):
        text = data.decode(encoding, errors="ignore")
        if _ENTITY_DECLARATION.search(_prolog(text, _PROLOG)):
            return True
    return False


def _prolog(data: AnyStr, pattern: re.Pattern[AnyStr]) -> AnyStr:
    """The document up to its root element (all of it when no root element is found)."""
    root = _root_element(data, pattern)
    return data[: root.start()] if root else data


def _root_element(data: AnyStr, pattern: re.Pattern[AnyStr]) -> re.Match[AnyStr] | None:
    """The start of the root element's tag (group "root" its name), found past the prolog."""
    for match in pattern.finditer(data):
        if match.group("root"):
            return match
    return None


def _cap_entries(data: bytes, max_entries: int) -> tuple[bytes, int | None]:
    """Cut out the document's middle entries, keeping its first and last ``max_entries``.

    feedparser takes seconds per hundred thousand entries, so entries that cannot be kept are
    removed before it runs. Both ends stay because the newest entries are the first ones or, in
    a feed listing its oldest first, the last ones, which only their dates tell (see
    :func:`_lists_oldest_first`). Returns the document and, if it was cut, how many entries it
    had. Only ASCII-compatible encodings are cut; others are parsed whole (the fetch size cap
    still bounds them).
    """
    entry_end = re.compile(_ENTRY_END_PATTERN % re.escape(_entry_tag(data)), re.DOTALL)
    ends = [match.end() for match in entry_end.finditer(data) if match.group("end")]
    if len(ends) <= 2 * max_entries:
        return data, None
    # From the end of the first entries to the end of the entry before the last ones.
    return data[: ends[max_entries - 1]] + data[ends[-max_entries - 1] :], len(ends)


def _lists_oldest_first(entries: list[Any], now: datetime) -> bool:
    """Whether the entries' dates rise more often than they fall from one entry to the next.

    Most feeds list their newest entry first; some (podcasts, archives) list their oldest first
    and add new ones at the end. Neighbours vote, rather than the first and last dates, so that
    an old entry pinned to the top does not turn a feed around. Undated feeds are newest first.
    """
    dates = [date for date in (_published_at(entry, now) for entry in entries) if date is not None]
    rising = sum(earlier < later for earlier, later in pairwise(dates))
    falling = sum(earlier > later for earlier, later in pairwise(dates))
    return rising > falling


def _entry_tag(data: bytes) -> bytes:
    """The tag of the document's entries: ``entry`` (with the root's prefix) in Atom, else ``item``.

    Only that tag is counted, so that an extension element such as ``<x:entry>`` nested in RSS
    items is not mistaken for an entry.
    """
    root = _root_element(data, _PROLOG_BYTES)
    if root:
        prefix, _, local = root.group("root").rpartition(b":")
        if local == b"feed":
            return prefix + b":entry" if prefix else b"entry"
    return b"item"


def _xml_type(data: bytes, charset: str | None) -> str:
    """The Content-Type feedparser is told: XML, with the HTTP charset if the document needs it.

    Always XML, whatever the server said, for feedparser distrusts a feed labelled text/html or
    text/plain. The charset is passed only when the document does not state its own encoding:
    feedparser would let it override a byte-order mark or an XML declaration (RFC 3023), but a
    server's default charset is wrong far more often than a feed's own declaration.
    """
    states_its_encoding = (
        data.startswith((b"\xef\xbb\xbf", b"\xfe\xff", b"\xff\xfe"))
        or b"\x00" in data[:4]  # UTF-16 or UTF-32, which feedparser tells by the NUL bytes
        or _XML_DECLARED_ENCODING.match(data) is not None
    )
    if not charset or states_its_encoding:
        return "application/xml"
    return f"application/xml; charset={charset}"


def _check_is_feed(parsed: Mapping[str, Any]) -> None:
    """Raise :class:`FeedError` unless feedparser found a feed (malformed with entries is fine)."""
    if parsed.get("entries"):
        return
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not a feed: malformed XML with no entries ({_describe(problem)})")
    if not parsed.get("version"):
        raise FeedError("not a feed: no RSS or Atom root element")


def _describe(problem: object) -> str:
    """A short description of a feedparser ``bozo_exception``."""
    text = str(problem).strip() if problem is not None else ""
    return text or type(problem).__name__


def _entry_to_article(
    entry: dict[str, Any], *, source: str | None, now: datetime
) -> tuple[Article | None, str]:
    """Build an article from one entry, or return ``None`` and the reason it was left out."""
    title = _single_line(_detail_text(entry.get("title"), entry.get("title_detail")))
    url = _http_url(entry.get("link"))
    summary = _detail_text(entry.get("summary"), entry.get("summary_detail"), default_html=True)
    body = _content_text(entry.get("content")) or summary
    title = title or _title_from_text(summary or body)
    if not title:
        return None, f"neither a title nor any text{f' ({url})' if url else ''}"
    if url is None and not body:
        return None, f"{title!r} has neither a link nor any text"
    article = Article(
        title=title,
        body=body,
        summary=summary,
        url=url,
        source=source,
        published_at=_published_at(entry, now),
        topics=_topics(entry.get("tags")),
    )
    return article, ""


def _entry_keys(
    kept: Sequence[tuple[Mapping[str, Any], Article]], home_pages: Collection[str | None]
) -> tuple[list[Article], list[str | None]]:
    """The articles, with an entry key on each whose link is not its own, and the entry key
    each article would have if its link were shared (None when nothing tells it apart).

    A link is not an entry's own when other entries of the document link to the same page (the
    link without its fragment: a changelog's ``/changelog#v1-3`` and ``/changelog#v1-4``, a
    status page whose incidents all link to its home page) or when it is one of the feed's
    ``home_pages``. What tells the entry apart is its link's fragment when no other entry of
    the page has that fragment, else its id (GUID) when no other entry of the page has that id:
    both stay the same from one poll to the next, so a re-polled entry is the same article.
    An article whose link is its own is known by that link, as an article from a file is: it
    gets no entry key, so that the same article from a file and a feed is one article, whatever
    fragment or id the feed gives it.
    """
    pages = [canonical_url(article.url) for _, article in kept]
    fragments = [_fragment(article.url) for _, article in kept]
    ids = [_entry_id(entry) for entry, _ in kept]
    entries_of = Counter(pages)
    with_fragment = Counter(zip(pages, fragments, strict=True))
    with_id = Counter(zip(pages, ids, strict=True))
    articles, keys = [], []
    for (_, article), page, fragment, entry_id in zip(kept, pages, fragments, ids, strict=True):
        key = None
        if page is None:  # (an entry without a link is known by its text, as now)
            pass
        elif fragment and with_fragment[page, fragment] == 1:
            key = fragment
        elif entry_id and with_id[page, entry_id] == 1:
            # A digest: an id is any text (a tag: URI, a URL of its own, sometimes long); its
            # digest is short and the same for the same id.
            key = "id:" + hashlib.sha256(entry_id.encode("utf-8")).hexdigest()[:16]
        if key and (entries_of[page] > 1 or page in home_pages):
            article = replace(article, entry_key=key)
        articles.append(article)
        keys.append(key)
    return articles, keys


def _fragment(url: str | None) -> str:
    """The ``#fragment`` of a link (without the ``#``), or an empty string."""
    return urlsplit(url).fragment.strip() if url else ""


def _entry_id(entry: Mapping[str, Any]) -> str:
    """The entry's id (RSS ``guid``, Atom ``id``), or an empty string."""
    entry_id = entry.get("id")
    return entry_id.strip() if isinstance(entry_id, str) else ""


def _title_from_text(text: str) -> str:
    """A title for an untitled entry: its text's first sentence, cut between words (ending in an
    ellipsis) to at most :data:`UNTITLED_TITLE_CHARS` characters; empty for an empty text."""
    sentences = split_text(text)
    if not sentences:
        return ""
    sentence = sentences[0]
    if len(sentence) <= UNTITLED_TITLE_CHARS:
        return sentence
    # Up to the last space that leaves room for the ellipsis; a first word longer than that (a
    # link) is cut where the limit falls.
    cut = sentence[:UNTITLED_TITLE_CHARS]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:-1]
    return cut.rstrip(" ,.;:-") + "…"


def _detail_text(value: Any, detail: Any, *, default_html: bool = False) -> str:
    """Plain text of a feedparser text construct, stripping HTML only when it is HTML.

    feedparser has already decoded plain-text values; running them through an HTML parser again
    would mangle titles such as ``List<T>`` or double-decode ``&amp;lt;``.
    """
    if not isinstance(value, str) or not value.strip():
        return ""
    content_type = detail.get("type") if isinstance(detail, Mapping) else None
    is_html = content_type in _HTML_TYPES if content_type else default_html
    return html_to_text(value) if is_html else _normalise_text(value)


def _content_text(content: Any) -> str:
    """Plain text of the first non-empty ``content`` element of an entry."""
    for part in content or ():
        if isinstance(part, Mapping):
            text = _detail_text(part.get("value"), part, default_html=True)
            if text:
                return text
    return ""


def _http_url(link: Any) -> str | None:
    """The link if it is an absolute http(s) URL; ``javascript:``, relative links... are dropped."""
    if not isinstance(link, str):
        return None
    link = link.strip()
    try:
        parts = urlsplit(link)
        parts.port  # noqa: B018 (a malformed port raises only when read)
    except ValueError:
        return None
    return link if parts.scheme in ("http", "https") and parts.netloc else None


def _published_at(entry: dict[str, Any], now: datetime) -> datetime | None:
    """The entry's publication (else update) date in UTC; None for a far-future one."""
    # Plain dict lookups: FeedParserDict.get("updated_parsed") falls back to published_parsed
    # with a DeprecationWarning.
    parsed = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
    if not isinstance(parsed, time.struct_time | tuple):
        return None
    try:
        # feedparser normalises dates to UTC struct_times (tm_sec may be 60 for a leap second).
        published = datetime(*parsed[:5], min(parsed[5], 59), tzinfo=UTC)
    except (TypeError, ValueError, OverflowError):
        return None
    return unless_future(published, now)


def _topics(tags: Any) -> tuple[str, ...]:
    """The entry's tag terms, lowercased, without blanks or repeats, in feed order, capped."""
    topics: dict[str, None] = {}
    for tag in tags or ():
        term = tag.get("term") if isinstance(tag, Mapping) else None
        if isinstance(term, str) and (term := _single_line(term).lower()):
            topics[term] = None
            if len(topics) == MAX_TOPICS:
                break
    return tuple(topics)


def _as_utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (a naive one is taken to be UTC already)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _single_line(text: str) -> str:
    """``text`` with every run of whitespace, newlines included, turned into one space."""
    return " ".join(text.split())


def _normalise_text(text: str) -> str:
    """Plain text with spaces collapsed per line, at most one blank line between paragraphs."""
    text = clean_text(text).replace("\r\n", "\n")
    return join_paragraphs(re.split(r"\n\s*\n", text))
