"""Cutting an article into the snippets the archive indexes: pure computation, no I/O.

Kept apart from the pipeline, so that the worker process that runs it (see
:mod:`bot.ingest.worker`) need not import the archive, its parsers and their dependencies.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.ingest.keypoints import extract_key_points
from bot.ingest.sentences import split_text
from bot.ingest.urls import canonical_url
from bot.models import Article, PreparedArticle, SnippetKind

# A "sentence" longer than this (a list, a table) is cut into pieces that can still be quoted.
MAX_SNIPPET_WORDS = 80


def _sentences(text: str) -> list[str]:
    """The text's sentences, each cut into pieces of at most ``MAX_SNIPPET_WORDS`` words."""
    snippets: list[str] = []
    for sentence in split_text(text):
        if sentence.count(" ") < MAX_SNIPPET_WORDS:  # (sentences come whitespace-normalised)
            snippets.append(sentence)
            continue
        words = sentence.split()
        snippets += [
            " ".join(words[start : start + MAX_SNIPPET_WORDS])
            for start in range(0, len(words), MAX_SNIPPET_WORDS)
        ]
    return snippets


def prepare(article: Article) -> PreparedArticle:
    """Cut an article into the snippets to index: title, key points, summary and body sentences.

    A sentence is indexed once even when the summary repeats a key point or the body repeats
    the summary. Articles without key points get extracted ones (taken out of the body).
    """
    summary = _sentences(article.summary)
    body = _sentences(article.body)
    key_points = list(article.key_points) or extract_key_points(summary + body)
    # Sentences come out of the splitter with whitespace normalised; key points are parsed alike.
    seen = {point.casefold() for point in key_points}
    snippets: list[tuple[SnippetKind, str]] = [("title", article.title)]
    snippets += [("key_point", point) for point in key_points]
    for kind, sentences in (("summary", summary), ("body", body)):
        for sentence in sentences:
            key = sentence.casefold()
            if key not in seen:
                seen.add(key)
                snippets.append((kind, sentence))  # type: ignore[arg-type]
    return PreparedArticle(
        article=article,
        url_key=canonical_url(article.url),
        snippets=snippets,
        content_hash=article.content_hash,
    )


def prepare_batch(batch: Sequence[Article]) -> list[PreparedArticle]:
    """:func:`prepare` for a batch (what a worker process runs)."""
    return [prepare(article) for article in batch]
