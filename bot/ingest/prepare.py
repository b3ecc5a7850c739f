"""Cutting an article into the snippets the archive indexes: pure computation, no I/O.

Kept apart from the pipeline, so that the worker process that runs it (see
:mod:`bot.ingest.worker`) need not import the archive, its parsers and their dependencies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import replace

from bot.ingest.keypoints import extract_key_points
from bot.ingest.sentences import sentences_of, split_paragraphs
from bot.ingest.urls import article_key
from bot.models import Article, PreparedArticle, SnippetKind

# A "sentence" longer than this (a list, a table) is cut into pieces that can still be quoted.
MAX_SNIPPET_WORDS = 80
# ... and so is one longer than this many characters (a run without spaces: a hash, a URL list).
MAX_SNIPPET_CHARS = 1000


def snippet_sentences(paragraphs: Iterable[str]) -> list[str]:
    """The sentences of normalised paragraphs, each cut into pieces of at most
    ``MAX_SNIPPET_WORDS`` words and ``MAX_SNIPPET_CHARS`` characters."""
    snippets: list[str] = []
    for sentence in sentences_of(paragraphs):
        if sentence.count(" ") < MAX_SNIPPET_WORDS:  # (sentences come whitespace-normalised)
            pieces = [sentence]
        else:
            words = sentence.split()
            pieces = [
                " ".join(words[start : start + MAX_SNIPPET_WORDS])
                for start in range(0, len(words), MAX_SNIPPET_WORDS)
            ]
        for piece in pieces:
            if len(piece) <= MAX_SNIPPET_CHARS:
                snippets.append(piece)
                continue
            snippets += _cut(piece)
    return snippets


def _cut(text: str) -> list[str]:
    """Pieces of at most ``MAX_SNIPPET_CHARS`` characters, cut at a space where there is one."""
    pieces = []
    while len(text) > MAX_SNIPPET_CHARS:
        at = text.rfind(" ", 0, MAX_SNIPPET_CHARS + 1)
        if at <= 0:
            at = MAX_SNIPPET_CHARS
        pieces.append(text[:at])
        text = text[at:].lstrip(" ")
    return [*pieces, text] if text else pieces


def fill_missing(newer: Article, older: Article) -> Article:
    """``newer`` with what it lacks taken from ``older``, an earlier record of the same article:
    its summary, its body and its facts, and its key points when it brings no body to draw new
    ones from (less those that only repeated a summary it replaces). Key points taken from
    ``older`` stay marked as drawn from the text if they were."""
    key_points, extracted = newer.key_points, newer.key_points_extracted
    if not key_points and not newer.body:
        replaced: set[str] = set()
        if newer.summary:  # (its sentences, compared as they are indexed: spacing aside)
            replaced = set(snippet_sentences(split_paragraphs(older.summary)))
            replaced -= set(snippet_sentences(split_paragraphs(newer.summary)))
        key_points = tuple(point for point in older.key_points if point not in replaced)
        extracted = older.key_points_extracted
    return replace(
        newer,
        summary=newer.summary or older.summary,
        body=newer.body or older.body,
        key_points=key_points,
        key_points_extracted=extracted,
        source=newer.source or older.source,
        published_at=newer.published_at or older.published_at,
        topics=newer.topics or older.topics,
        source_links=newer.source_links or older.source_links,
    )


def prepare(article: Article) -> PreparedArticle:
    """Cut an article into the snippets to index: title, key points, summary and body sentences.

    A sentence is indexed once even when the summary repeats a key point or the body repeats
    the summary. Articles without key points get extracted ones (taken out of the body).
    """
    paragraphs = split_paragraphs(article.body)
    summary_paragraphs = split_paragraphs(article.summary)
    # Feeds and some publishers repeat the summary as the first body paragraph.
    if paragraphs and paragraphs[0].casefold() == " ".join(summary_paragraphs).casefold():
        paragraphs = paragraphs[1:]
    summary = snippet_sentences(summary_paragraphs)
    body = snippet_sentences(paragraphs)
    key_points = list(article.key_points) or extract_key_points(summary + body)
    # Each text is indexed once, where it first appears: a key point drawn from a summary
    # sentence that the body repeats is one key point. (Sentences come out of the splitter with
    # whitespace normalised; key points are parsed alike.)
    seen: set[str] = set()
    snippets: list[tuple[SnippetKind, str]] = [("title", article.title)]
    for kind, texts in (("key_point", key_points), ("summary", summary), ("body", body)):
        for text in texts:
            key = text.casefold()
            if key not in seen:
                seen.add(key)
                snippets.append((kind, text))  # type: ignore[arg-type]
    return PreparedArticle(
        article=article,
        url_key=article_key(article.url, article.entry_key),
        snippets=snippets,
        content_hash=content_hash(article, paragraphs),
    )


def content_hash(article: Article, paragraphs: Sequence[str]) -> str:
    """A fingerprint of what the article says (its body as normalised ``paragraphs``), so that
    a re-ingest can tell "unchanged" apart whatever the spacing of its text."""
    parts = [article.title, article.summary, "\n".join(article.key_points), "\n".join(paragraphs)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def prepare_batch(batch: Sequence[Article]) -> list[PreparedArticle]:
    """:func:`prepare` for a batch (what a worker process runs)."""
    return [prepare(article) for article in batch]
