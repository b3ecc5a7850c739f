"""Updates from records that lack part of the text: the stored part is kept.

A record may say less than the article it updates: a title alone, or a feed's one-line summary
of an article a file stored in full. What the record lacks (its summary, its body, its key
points) is taken from the stored article, as each fact a record lacks (date, outlet, URL) keeps
its stored value, and the article is cut into snippets again; without this, a title-only record
would delete the article's text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.ingest.prepare import fill_missing, prepare, snippet_sentences
from bot.ingest.sentences import split_paragraphs
from bot.models import Article, PreparedArticle, SnippetKind


@dataclass(frozen=True, slots=True)
class StoredText:
    """What the archive holds of an article's text: its summary as given, its snippets in
    order, the content hash they were stored with, and whether its key points were drawn from
    its text (or given by its record)."""

    summary: str
    snippets: Sequence[tuple[SnippetKind, str]]
    content_hash: str
    key_points_extracted: bool

    def as_record(self, title: str) -> Article:
        """The stored text as a record would give it. Key points drawn from the text lead its
        body (those that are not the summary's): such a sentence is stored only as a key point,
        and must stay in the text when a record replaces the key points. Key points a record
        gave are no part of the text: a record that gives others replaces them."""
        summary = set(snippet_sentences(split_paragraphs(self.summary)))
        key_points = [text for kind, text in self.snippets if kind == "key_point"]
        body = [text for kind, text in self.snippets if kind == "body"]
        if self.key_points_extracted:
            body = [p for p in key_points if p not in summary] + body
        return Article(
            title=title,
            summary=self.summary,
            body="\n\n".join(body),
            key_points=tuple(key_points),
            key_points_extracted=self.key_points_extracted,
        )


def lacks_text(item: PreparedArticle) -> bool:
    """Whether the record lacks its summary or body (so that an update may keep the stored one)."""
    return not (item.article.summary and item.article.body)


def completed(item: PreparedArticle, stored: StoredText) -> PreparedArticle:
    """``item`` with the stored article's text where its record has none, cut again. When that
    gives the stored snippets, the stored content hash is kept: the update says nothing new."""
    prepared = prepare(fill_missing(item.article, stored.as_record(item.article.title)))
    if list(prepared.snippets) == list(stored.snippets):
        return replace(prepared, content_hash=stored.content_hash)
    return prepared
