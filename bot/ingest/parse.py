"""Parsers for article files: the plain-text seed format, JSON and JSON Lines.

Every parser either returns articles or raises :class:`ParseError` with a reason a person can act
on; nothing else escapes them.
"""

from __future__ import annotations

import codecs
import json
import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from bot.ingest.fields import clean_text, plain_text, unless_future
from bot.ingest.urls import canonical_url
from bot.models import Article

MAX_FILE_BYTES = 20 * 1024 * 1024  # one article, or one JSON document of articles
MAX_LINES_FILE_BYTES = 1024 * 1024 * 1024  # JSON Lines: a stream of articles
_JSON_LINES = (".jsonl", ".ndjson")
MAX_ARTICLE_CHARS = 1_000_000
_HEADER_KEYS = {"url", "link", "source", "published", "published_at", "date", "topics", "tags"}
# Parts of the article that the text format places after the header: a header naming one would,
# if ignored as other unknown keys are, make the summary the title, so it is refused instead.
_CONTENT_KEYS = {"title", "summary"}
# Other names that exports give a field (NewsAPI's "description", "content" and "publishedAt",
# RSS's "link" and "pubDate"), read when the field's own name is absent or empty; keys are
# compared in lower case. (A text file's header knows the few of them in _HEADER_KEYS.)
_ALIASES: dict[str, tuple[str, ...]] = {
    "summary": ("description",),
    "body": ("text", "content"),
    "url": ("link",),
    "published_at": ("published", "date", "publishedat", "pubdate"),
    "topics": ("tags",),
}
# How NewsAPI ends a body it cut ("… [+2345 chars]"): not the article's words, never quoted.
_TRUNCATION_MARK = re.compile(r"\s*\[\+\d+ chars\]\s*$")
_HEADER_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*)$")
_KEY_POINTS_HEADING = re.compile(r"^(key points|key takeaways|highlights)\s*:?\s*$", re.IGNORECASE)
_SOURCES_HEADING = re.compile(r"^(sources|references)\s*:?\s*$", re.IGNORECASE)
_BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+(.*\S)\s*$")
_URL = re.compile(r"https?://\S+")
# The end of a line that ends a sentence (or introduces a list, with a colon), perhaps inside a
# closing quote or bracket: the next line starts something new even if it starts in lowercase.
_SENTENCE_END = re.compile(r"[.!?:][\"'”’)\]]*$")
# A Unix timestamp written as text (a text file's header has no numbers). Eight digits or fewer
# are a date, as ISO 8601 writes one without dashes (20260105).
_TIMESTAMP = re.compile(r"[0-9]{9,20}")


class ParseError(ValueError):
    """The input is not an article this project can read; the message says why."""


@dataclass(slots=True)
class ParsedFile:
    """The articles read from one file, and the records in it that could not be read."""

    articles: list[Article] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def parse_file(path: Path, *, now: datetime | None = None) -> ParsedFile:
    """Read one file (``.json``, ``.jsonl``/``.ndjson`` or plain text) into articles.

    Raises :class:`ParseError` when the file as a whole is unreadable; a bad record inside a
    JSON list or a JSON Lines file is reported in ``errors`` while the others are kept. Dates
    are read as :func:`parse_bytes` reads them.
    """
    try:
        size = path.stat().st_size
    except OSError as error:
        raise ParseError(f"cannot read file: {error.strerror or error}") from error
    if size == 0:
        raise ParseError("file is empty")
    limit = MAX_LINES_FILE_BYTES if path.suffix.lower() in _JSON_LINES else MAX_FILE_BYTES
    if size > limit:
        raise ParseError(
            f"file is too large ({size / 1e6:,.0f} MB; the limit is {limit / 1e6:,.0f} MB)"
        )
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ParseError(f"cannot read file: {error.strerror or error}") from error
    return parse_bytes(raw, suffix=path.suffix.lower(), now=now)


def parse_bytes(raw: bytes, *, suffix: str = ".txt", now: datetime | None = None) -> ParsedFile:
    """Parse the bytes of one file; ``suffix`` picks the format.

    A date more than a day after ``now`` (the current time by default) is dropped, as the feed
    parser drops one: the article is undated, stored as published when it is stored, rather than
    pinned above every other for years by a typo.
    """
    parsed = _parse_format(raw, suffix)
    now = now or datetime.now(UTC)
    parsed.articles = [
        replace(article, published_at=unless_future(article.published_at, now))
        for article in parsed.articles
    ]
    return parsed


def _parse_format(raw: bytes, suffix: str) -> ParsedFile:
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raw = _utf16_as_utf8(raw)
    if b"\x00" in raw[:8192]:
        raise ParseError("binary file, not text")
    if suffix in _JSON_LINES:
        # Each line is decoded on its own: bad bytes on one line make one bad record, as bad
        # JSON on one line does, not a bad file.
        return _parse_json_lines(raw.removeprefix(codecs.BOM_UTF8))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ParseError(f"not valid UTF-8 (byte {error.start}); save it as UTF-8") from error
    if suffix == ".json":
        return _parse_json_document(text)
    return ParsedFile([parse_text(text)])


def _utf16_as_utf8(raw: bytes) -> bytes:
    """A UTF-16 file, told by its byte-order mark (Notepad's "Unicode", Windows PowerShell's
    ``>``), as UTF-8: read as any other file then, each JSON Lines line on its own."""
    try:
        return raw.decode("utf-16").encode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"not valid UTF-16 (byte {error.start}); save it as UTF-8") from error


def parse_text(text: str) -> Article:
    """Parse the plain-text format: optional ``key: value`` header, title, summary, key points,
    body paragraphs and a ``Sources`` section (whose links are kept and boilerplate dropped)."""
    # Cleaned first, so that a line holding only invisible characters is the blank line it looks
    # like (the end of the header, not the title).
    lines = clean_text(text).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header, lines = _split_header(lines)
    content, source_links = _cut_sources(lines)
    paragraphs = _unwrap(content)
    if not paragraphs:
        raise ParseError("no text after the header")
    title, rest = paragraphs[0], paragraphs[1:]
    key_points: list[str] = []
    summary = ""
    body: list[str] = []
    heading_at = next((i for i, p in enumerate(rest) if _KEY_POINTS_HEADING.match(p)), None)
    if heading_at is None:
        summary, body = (rest[0], rest[1:]) if rest else ("", [])
    else:
        summary = " ".join(rest[:heading_at])
        after = rest[heading_at + 1 :]
        while after and (bullet := _BULLET.match(after[0])):
            key_points.append(bullet.group(1))
            after = after[1:]
        body = after
    return _build(
        {
            "title": title,
            "summary": summary,
            "key_points": key_points,
            "body": "\n".join(body),
            "source_links": source_links,
            **header,
        }
    )


def article_from_record(record: Any) -> Article:
    """Build an article from one JSON object with the same fields as the text format."""
    if not isinstance(record, dict):
        raise ParseError(f"expected an object with a title, got {type(record).__name__}")
    fields = {key.lower(): value for key, value in record.items() if isinstance(key, str)}
    return _build(fields)


def _load_json(text: str) -> Any:
    """``json.loads``, failing only with a ParseError that says what is wrong."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        reason = error.msg if error.lineno == 1 else f"{error.msg} at line {error.lineno}"
    except RecursionError:
        reason = "nested too deeply"
    except ValueError as error:  # a number of more than 4,300 digits, for one
        reason = str(error)
    raise ParseError(f"invalid JSON ({reason})")


def _parse_json_document(text: str) -> ParsedFile:
    document = _load_json(text)
    if isinstance(document, dict) and isinstance(document.get("articles"), list):
        document = document["articles"]
    records = document if isinstance(document, list) else [document]
    if not records:
        raise ParseError("JSON holds no articles")
    parsed = ParsedFile()
    for number, record in enumerate(records, start=1):
        try:
            parsed.articles.append(article_from_record(record))
        except ParseError as error:
            parsed.errors.append(f"record {number}: {error}")
    return parsed


def _parse_json_lines(raw: bytes) -> ParsedFile:
    parsed = ParsedFile()
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            parsed.articles.append(_article_of_line(line))
        except ParseError as error:
            parsed.errors.append(f"line {number}: {error}")
    if not parsed.articles and not parsed.errors:
        raise ParseError("JSON Lines file holds no records")
    return parsed


def _article_of_line(line: bytes) -> Article:
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = f"not valid UTF-8 (byte {error.start + 1} of the line); save the file as UTF-8"
        raise ParseError(reason) from error
    return article_from_record(_load_json(text))


def _split_header(lines: list[str]) -> tuple[dict[str, str], list[str]]:
    """Take the ``key: value`` lines at the top, up to a blank line, as the header if one of
    them is a known key (else they are the article's first lines, ``Breaking: ...``).

    Unknown keys in a header (``author: Jane Doe``) are ignored: one of them must not make the
    known ones, and the header itself, part of the text.
    """
    start = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    end = start
    fields: list[tuple[str, str]] = []
    while end < len(lines) and (match := _HEADER_LINE.match(lines[end].strip())):
        fields.append((match.group(1).lower(), match.group(2).strip()))
        end += 1
    ends_at_blank = end == len(lines) or not lines[end].strip()
    if not ends_at_blank or not any(key in _HEADER_KEYS for key, _ in fields):
        return {}, lines[start:]
    for key, _ in fields:
        if key in _CONTENT_KEYS:
            raise ParseError(
                f"the header has a {key!r} line; in a text file the title is the first line "
                "after the header's blank line and the summary the paragraph after it"
            )
    return {key: value for key, value in fields if key in _HEADER_KEYS}, lines[end:]


def _unwrap(lines: list[str]) -> list[str]:
    """The paragraphs of a text file, stripped, with hard-wrapped lines joined back together.

    The bundled format has one paragraph per line, but ``lynx -dump``, e-mail and ``fold`` break
    lines at about 70 columns, and every break would otherwise end a paragraph (a key point cut
    to "...plant, which makes", a quote to "...20,000 wafers a"). A line is joined to the one
    before it only when that one does not end a sentence and the line plainly continues it:
    it starts with a lowercase letter or a digit, or it is indented under a bullet. The title,
    the ``Key points`` and ``Sources`` headings and a new bullet are never joined, nor is
    anything across a blank line, so a file with one paragraph per line reads as it always did.
    """
    paragraphs: list[str] = []
    joinable = False  # whether the last paragraph may take the next line
    in_bullet = False  # whether the last paragraph is a bullet (indented lines continue it)
    for raw in lines:
        line = raw.strip()
        if not line:
            joinable = in_bullet = False
            continue
        heading = bool(_KEY_POINTS_HEADING.match(line) or _SOURCES_HEADING.match(line))
        bullet = bool(_BULLET.match(line))
        continues = line[0].islower() or line[0].isdigit() or (in_bullet and raw[0].isspace())
        if joinable and continues and not heading and not bullet:
            paragraphs[-1] = f"{paragraphs[-1]} {line}"
        else:
            paragraphs.append(line)
            in_bullet = bullet
        # The first line is the title: a heading, which the summary under it never continues.
        joinable = len(paragraphs) > 1 and not heading and not _SENTENCE_END.search(line)
    return paragraphs


def _cut_sources(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop the ``Sources`` section (publisher boilerplate) but keep the links it lists."""
    for i, line in enumerate(lines):
        if _SOURCES_HEADING.match(line.strip()):
            links = [
                m.group(0).rstrip(".,)") for rest in lines[i + 1 :] for m in _URL.finditer(rest)
            ]
            return lines[:i], links
    return lines, []


def _build(fields: dict[str, Any]) -> Article:
    title = _text(fields.get("title"), "title")
    if not title:
        raise ParseError("missing title")
    summary = _text(_field(fields, "summary"), "summary")
    body = _without_truncation_mark(_text(_field(fields, "body"), "body"))
    key_points = [_text(p, "key point") for p in _list(fields.get("key_points"), "key_points")]
    size = len(title) + len(summary) + len(body) + sum(map(len, key_points))
    if size > MAX_ARTICLE_CHARS:
        raise ParseError(f"article is too long ({size:,} characters; the limit is 1,000,000)")
    return Article(
        title=" ".join(title.split()),
        summary=" ".join(summary.split()),
        body=body,  # its paragraphs are normalised once, where they are cut into sentences
        key_points=tuple(" ".join(p.split()) for p in key_points if p.strip()),
        url=_link(_field(fields, "url")),
        source=_source(fields.get("source")),
        published_at=parse_datetime(_field(fields, "published_at")),
        topics=tuple(_topics(_field(fields, "topics"))),
        source_links=tuple(_text(s, "source link") for s in _list(fields.get("source_links"), "")),
    )


def _without_truncation_mark(body: str) -> str:
    """``body`` without NewsAPI's closing "[+2345 chars]". (Only the end is looked at: a pattern
    starting with spaces, tried at every place of a long body, cost more than the rest of the
    record's parsing.)"""
    if not body.endswith("chars]"):
        return body
    return body[:-60] + _TRUNCATION_MARK.sub("", body[-60:])


def _field(fields: dict[str, Any], name: str) -> Any:
    """A field's value under its name or its first alias that has one. Only an absent or empty
    value gives way (``"summary": ""`` must not hide a ``description``): ``0`` is the epoch."""
    for key in (name, *_ALIASES.get(name, ())):
        value = fields.get(key)
        if value is not None and value != "":
            return value
    return None


def _source(value: Any) -> str | None:
    """The outlet's name, given as text or, by NewsAPI, as ``{"id": ..., "name": ...}``."""
    if isinstance(value, dict):
        value = value.get("name")
    return _text(value, "source") or None


def _link(value: Any) -> str | None:
    """The article's URL: an http(s) link, or none; anything else is refused, not stored as a
    link that no reader could open (``javascript:...``, a number)."""
    if isinstance(value, str):
        value = clean_text(value).strip()  # (half an emoji in the query would crash encoding it)
    if value is None or value == "":
        return None
    if not isinstance(value, str) or canonical_url(value) is None:
        raise ParseError(f"url is not an http(s) link: {str(value)[:100]!r}")
    return value


def _text(value: Any, name: str) -> str:
    """A text field as plain text, as the feed parser makes one: a record's text can hold
    anything JSON can escape (a NUL, half an emoji) and, from a scraper, HTML, none of which may
    reach the archive or a quote."""
    if value is None:
        return ""
    if isinstance(value, str):
        return plain_text(value).strip()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise ParseError(f"{name} must be text, got {type(value).__name__}")


def _list(value: Any, name: str) -> list[Any]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    raise ParseError(f"{name} must be a list, got {type(value).__name__}")


def _topics(value: Any) -> list[str]:
    items = value.split(",") if isinstance(value, str) else _list(value, "topics")
    topics: list[str] = []
    for item in items:
        topic = " ".join(_text(item, "topic").lower().split())
        if topic and topic not in topics:
            topics.append(topic)
    return topics


def parse_datetime(value: Any) -> datetime | None:
    """Read a date or date-time as UTC: ISO 8601 (``Z`` allowed), RFC 2822 as feeds and e-mail
    write it (``Mon, 05 Jan 2026 14:30:00 +0000``), or a Unix timestamp, as a number or digits.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str) and _TIMESTAMP.fullmatch(value.strip()):
        value = int(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as error:
            raise ParseError(f"invalid timestamp {value!r}") from error
    if not isinstance(value, str):
        raise ParseError(f"date must be text, got {type(value).__name__}")
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (ValueError, TypeError, IndexError, OverflowError) as error:
            reason = "expected ISO 8601, e.g. 2026-01-31"
            raise ParseError(f"invalid date {value!r} ({reason})") from error
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError as error:  # 0001-01-01T00:00+01:00 is before the first UTC date
        raise ParseError(f"invalid date {value!r} (out of range)") from error
