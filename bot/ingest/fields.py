"""What the feed parser and the file parser do alike to the fields of an article.

Both read text written by others (publishers, scrapers, exports), and whatever they return is
indexed, quoted to people and hashed: it must be plain text, which every reader can see and every
encoder can encode, not HTML quoted with its tags.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta
from html.entities import html5
from html.parser import HTMLParser

# C0 and C1 controls other than whitespace (a NUL from a JSON "\u0000", an escape sequence), DEL,
# and the invisible characters that only hide words from a search: the soft hyphen, the word
# joiner and a byte-order mark left inside the text. Never meaningful in an article. (The zero-
# width joiner and non-joiner stay: emoji sequences and several scripts need them.)
_UNSEEN = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u2060\ufeff]")
# Half of a UTF-16 pair (a tweet cut mid-emoji, escaped in JSON as "\ud83d"): no encoder takes
# it, so the text could be neither hashed nor stored.
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
# Any character that clean_text changes, and (for plain_text) the start of a tag or an entity:
# one scan finds that most text needs nothing, where each step's own scan would cost as much
# (an article's 10 KB body is read in about 35 µs per scan).
_UNCLEAN = r"\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\u00ad\u2060\ufeff\u200b\ud800-\udfff"
_NEEDS_CLEANING = re.compile(f"[{_UNCLEAN}]")
_NEEDS_READING = re.compile(f"[{_UNCLEAN}<&]")
_BLOCK_TAGS = frozenset(
    {
        *("address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt"),
        *("figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr"),
        *("li", "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody"),
        *("thead", "tfoot", "tr", "ul"),
    }
)
# Not "head": an unclosed <head> in a fragment would swallow the whole text.
_SKIPPED_TAGS = frozenset({"script", "style", "noscript", "template", "title"})
# The elements whose tags mark a text as HTML. Only HTML's own: "List<T>" is plain text.
_HTML_ELEMENTS = (
    _BLOCK_TAGS
    | _SKIPPED_TAGS
    | {
        *("a", "abbr", "b", "big", "body", "br", "caption", "center", "cite", "code", "del", "em"),
        *("font", "head", "html", "i", "iframe", "img", "ins", "kbd", "link", "mark", "meta", "q"),
        *("s", "small", "span", "strike", "strong", "sub", "sup", "td", "th", "time", "u", "wbr"),
    }
)
_TAG = re.compile(r"</?([A-Za-z][A-Za-z0-9]*)\b[^<>]*>")
# A character reference: "&amp;", "&#8217;". A bare "&" ("AT&T") or "<" ("a < b") is plain text.
_ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|([A-Za-z][A-Za-z0-9]*));")
# A date slightly ahead (clock skew, time zones typed by hand) is normal; beyond this the date is
# wrong (a typo: 2062) and would pin the article to the top of "latest" lists, so the article
# counts as undated (published when stored). Not "now": that would change at every feed poll,
# and each poll would store the article again as corrected.
FUTURE_TOLERANCE = timedelta(days=1)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD (as a decoder marks bytes it cannot
    read), controls and invisible characters dropped, and zero-width spaces made spaces (they
    separate words, so dropping them would join two)."""
    if not _NEEDS_CLEANING.search(text):
        return text
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return _UNSEEN.sub("", text).replace("\u200b", " ")


def unless_future(published: datetime | None, now: datetime) -> datetime | None:
    """``published``, or None if it is more than :data:`FUTURE_TOLERANCE` after ``now``."""
    if published is not None and published > now + FUTURE_TOLERANCE:
        return None
    return published


def plain_text(text: str) -> str:
    """``text`` cleaned and, if it holds HTML (a scraper's ``<p>``, ``&amp;``), turned into the
    text a browser shows, with its line breaks kept: in an article file a line is a paragraph.
    Text without HTML tags or entities is only cleaned, its "<" and "&" being meant as written."""
    if not _NEEDS_READING.search(text):
        return text
    text = clean_text(text)
    return html_to_text(text, line_breaks=True) if _holds_html(text) else text


def _holds_html(text: str) -> bool:
    """Whether ``text`` has a tag of an HTML element or a character reference in it."""
    if any(tag.group(1).lower() in _HTML_ELEMENTS for tag in _TAG.finditer(text)):
        return True
    return any(
        entity.group(1) is None or f"{entity.group(1)};" in html5
        for entity in _ENTITY.finditer(text)
    )


def html_to_text(html: str, *, line_breaks: bool = False) -> str:
    """Plain text of an HTML fragment: no tags, entities decoded, paragraphs kept as blank lines.

    A newline in the source is a space, as in a browser, unless ``line_breaks`` asks to keep it
    as a line break (article files, whose lines are their paragraphs).
    """
    extractor = _TextExtractor(line_breaks=line_breaks)
    extractor.feed(clean_text(html))
    extractor.close()
    return extractor.text()


def join_paragraphs(paragraphs: Iterable[str]) -> str:
    """Join paragraphs with blank lines after collapsing spaces and dropping empty lines."""
    cleaned = []
    for paragraph in paragraphs:
        lines = (_SPACES.sub(" ", line).strip() for line in paragraph.split("\n"))
        text = "\n".join(line for line in lines if line)
        if text:
            cleaned.append(text)
    return "\n\n".join(cleaned)


class _TextExtractor(HTMLParser):
    """Collects the text of an HTML fragment as paragraphs (block elements) and lines (``<br>``)."""

    def __init__(self, *, line_breaks: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._spaces = re.compile(r"[^\S\n]+" if line_breaks else r"\s+")
        self._paragraphs: list[str] = []
        self._current: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
        elif tag == "br":
            self._current.append("\n")
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/>, <hr/>: a break without a body; a self-closed <script/> must not start skipping.
        if tag not in _SKIPPED_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._end_paragraph()

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            # Source newlines inside a paragraph are just spaces in HTML (unless kept as breaks).
            self._current.append(self._spaces.sub(" ", data))

    def _end_paragraph(self) -> None:
        self._paragraphs.append("".join(self._current))
        self._current = []

    def text(self) -> str:
        """The collected text, normalised."""
        self._end_paragraph()
        return join_paragraphs(self._paragraphs)
