"""Updates from records that lack part of the text: the stored part is kept.

A record may say less than the article it updates: a title alone, or a feed's one-line summary
of an article a file stored in full. Each part of the text (key points, summary, body) that the
record lacks keeps its stored snippets, as each fact (date, outlet, URL) a record lacks keeps its
stored value; without this, a title-only record would delete the article's text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import replace

from bot.models import PreparedArticle, SnippetKind

Snippets = Sequence[tuple[SnippetKind, str]]


def lacks_text(item: PreparedArticle) -> bool:
    """Whether the record lacks its summary or body (so that an update may keep the stored one)."""
    return not (item.article.summary and item.article.body)


def completed(
    item: PreparedArticle, stored: Snippets, stored_summary: str, stored_hash: str
) -> PreparedArticle:
    """``item`` with the stored article's key points, summary or body where its record has none.

    Key points are the record's own, else extracted from its new body, else the stored ones (a
    record without a body brings no text to extract new ones from). When nothing differs from
    the stored snippets, the stored content hash is kept: the update then says nothing new.
    """
    article = item.article
    new = _by_kind(item.snippets)
    old = _by_kind(stored)
    key_points = new["key_point"] if article.key_points or article.body else old["key_point"]
    summary = new["summary"] if article.summary else old["summary"]
    body = new["body"] if article.body else old["body"]
    snippets: list[tuple[SnippetKind, str]] = [("title", article.title)]
    seen: set[str] = set()
    for kind, texts in (("key_point", key_points), ("summary", summary), ("body", body)):
        for text in texts:
            if text.casefold() not in seen:
                seen.add(text.casefold())
                snippets.append((kind, text))  # type: ignore[arg-type]
    if snippets == list(stored):
        content_hash = stored_hash
    else:
        joined = "\x1f".join(f"{kind}\x1e{text}" for kind, text in snippets)
        content_hash = hashlib.sha256(joined.encode("utf-8")).hexdigest()
    return replace(
        item,
        article=replace(article, summary=article.summary or stored_summary),
        snippets=snippets,
        content_hash=content_hash,
    )


def _by_kind(snippets: Snippets) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {"key_point": [], "summary": [], "body": []}
    for kind, text in snippets:
        if kind in texts:
            texts[kind].append(text)
    return texts
